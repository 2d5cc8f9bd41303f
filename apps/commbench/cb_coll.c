#include "cb_coll.h"

#include <stdlib.h>
#include <string.h>

#include "cb_loop.h"
#include "cb_table.h"
#include "pt_error.h"

typedef struct coll_ctx {
  MPI_Comm sub;        /* the first k ranks */
  cb_test test;
  int count;           /* bytes (doubles for the reductions) */
  char *sbuf, *rbuf;   /* k blocks each */
} coll_ctx;

static int op_coll(void *v, int64_t it) {
  (void)it;
  coll_ctx *c = v;
  const int n = c->count;
  switch (c->test) {
    case CB_BCAST: PT_MPI(MPI_Bcast(c->sbuf, n, MPI_BYTE, 0, c->sub)); break;
    case CB_SCATTER: PT_MPI(MPI_Scatter(c->sbuf, n, MPI_BYTE, c->rbuf, n, MPI_BYTE, 0, c->sub)); break;
    case CB_GATHER: PT_MPI(MPI_Gather(c->sbuf, n, MPI_BYTE, c->rbuf, n, MPI_BYTE, 0, c->sub)); break;
    case CB_ALLGATHER: PT_MPI(MPI_Allgather(c->sbuf, n, MPI_BYTE, c->rbuf, n, MPI_BYTE, c->sub)); break;
    case CB_ALLTOALL: PT_MPI(MPI_Alltoall(c->sbuf, n, MPI_BYTE, c->rbuf, n, MPI_BYTE, c->sub)); break;
    /* The reductions sum doubles held in the byte buffers (malloc'ed: aligned). */
    case CB_REDUCE: PT_MPI(MPI_Reduce((void *)c->sbuf, (void *)c->rbuf, n, MPI_DOUBLE, MPI_SUM, 0, c->sub)); break;
    case CB_ALLREDUCE: PT_MPI(MPI_Allreduce((void *)c->sbuf, (void *)c->rbuf, n, MPI_DOUBLE, MPI_SUM, c->sub)); break;
    default: return PT_ERROR(PT_ERR_RUNTIME, "not a collective: %d", (int)c->test);
  }
  return PT_OK;
}

static int run_one(const cb_params *p, MPI_Comm comm, coll_ctx *c, int k, int member,
                   cJSON *benchmarks) {
  static const char *const mpi_name[] = {
      [CB_BCAST] = "Bcast", [CB_SCATTER] = "Scatter", [CB_GATHER] = "Gather",
      [CB_ALLGATHER] = "Allgather", [CB_ALLTOALL] = "Alltoall", [CB_REDUCE] = "Reduce",
      [CB_ALLREDUCE] = "Allreduce"};
  const int reduction = c->test == CB_REDUCE || c->test == CB_ALLREDUCE;
  cb_table t;
  int err = cb_table_begin(&t, comm, cb_test_names[c->test], k, 1, 1, NULL,
                           "MPI_%s on %d ranks%s", mpi_name[c->test], k,
                           reduction ? " (MPI_DOUBLE, MPI_SUM)" : "");
  for (int64_t size = p->min_size; size <= p->coll_max_size && !err; size *= 2) {
    if (reduction && size < (int64_t)sizeof(double)) continue;
    const int64_t iters = cb_params_iterations(p, size);
    c->count = (int)(reduction ? size / (int64_t)sizeof(double) : size);
    double sec;
    err = cb_loop_time(comm, p, iters, member ? op_coll : NULL, c, &sec);
    if (!err) err = cb_table_row(&t, comm, NULL, size, iters, sec * 1e6 / (double)iters, member);
  }
  cb_table_end(&t, benchmarks);
  return err;
}

int cb_coll_run(const cb_params *p, MPI_Comm comm, cJSON *benchmarks) {
  int any = 0;
  for (cb_test t = CB_BCAST; t <= CB_ALLREDUCE; ++t) any |= p->run[t];
  if (!any) return PT_OK;
  int rank, size;
  PT_MPI(MPI_Comm_rank(comm, &rank));
  PT_MPI(MPI_Comm_size(comm, &size));
  if (size < 2) {
    cb_table t;
    cb_table_begin(&t, comm, "collectives", 1, 1, 1, NULL, "collective tests");
    cb_table_note(&t, "skipped: collective tests need 2 ranks");
    cb_table_end(&t, benchmarks);
    return PT_OK;
  }
  coll_ctx c;
  memset(&c, 0, sizeof c);
  const size_t bytes = (size_t)p->coll_max_size * (size_t)size;
  c.sbuf = malloc(bytes);
  c.rbuf = malloc(bytes);
  int err = c.sbuf && c.rbuf ? PT_OK : PT_ERROR(PT_ERR_NOMEM, "out of memory for collective buffers");
  if (!err) {
    /* Zeros: the reductions then add finite numbers, never denormals or NaNs. */
    memset(c.sbuf, 0, bytes);
    memset(c.rbuf, 0, bytes);
  }
  err = pt_agree(comm, err);
  for (int k = 2; !err; k *= 2) {
    if (k > size) k = size;
    const int member = rank < k;
    err = pt_agree(comm,
                   PT_MPI_CHECK(MPI_Comm_split(comm, member ? 0 : MPI_UNDEFINED, rank, &c.sub)));
    for (cb_test t = CB_BCAST; t <= CB_ALLREDUCE && !err; ++t) {
      if (!p->run[t]) continue;
      c.test = t;
      err = run_one(p, comm, &c, k, member, benchmarks);
    }
    if (c.sub != MPI_COMM_NULL) MPI_Comm_free(&c.sub);
    if (k == size) break;
  }
  free(c.sbuf);
  free(c.rbuf);
  return err;
}
