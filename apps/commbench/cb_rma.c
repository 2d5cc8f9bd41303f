#include "cb_rma.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_loop.h"
#include "cb_table.h"
#include "pt_error.h"

typedef struct rma_ctx {
  MPI_Win win;
  MPI_Group peer;   /* the other rank, for post/start */
  int origin;       /* 1 on rank 0 */
  int get;          /* MPI_Get instead of MPI_Put */
  cb_sync sync;
  int count, nops;  /* bytes per transfer, transfers per epoch */
  char *buf;        /* local buffer, nops messages */
} rma_ctx;

static int transfers(rma_ctx *c) {
  for (int k = 0; k < c->nops; ++k) {
    char *b = c->buf + (size_t)k * (size_t)c->count;
    const MPI_Aint disp = (MPI_Aint)k * c->count;
    if (c->get) PT_MPI(MPI_Get(b, c->count, MPI_BYTE, 1, disp, c->count, MPI_BYTE, c->win));
    else PT_MPI(MPI_Put(b, c->count, MPI_BYTE, 1, disp, c->count, MPI_BYTE, c->win));
  }
  return PT_OK;
}

/* One epoch. For fence and lock the epoch that the next call closes is already open. */
static int op_epoch(void *v, int64_t it) {
  (void)it;
  rma_ctx *c = v;
  switch (c->sync) {
    case CB_SYNC_FENCE:
      if (c->origin) PT_TRY(transfers(c));
      PT_MPI(MPI_Win_fence(0, c->win));
      break;
    case CB_SYNC_PSCW:
      if (c->origin) {
        PT_MPI(MPI_Win_start(c->peer, 0, c->win));
        PT_TRY(transfers(c));
        PT_MPI(MPI_Win_complete(c->win));
      } else {
        PT_MPI(MPI_Win_post(c->peer, 0, c->win));
        PT_MPI(MPI_Win_wait(c->win));
      }
      break;
    default:
      /* Passive target: the target takes no part; it progresses inside the barrier. */
      if (c->origin) {
        PT_TRY(transfers(c));
        PT_MPI(MPI_Win_flush(1, c->win));
      }
      break;
  }
  return PT_OK;
}

static int run_one(const cb_params *p, MPI_Comm comm, rma_ctx *c, int active, int bw,
                   cJSON *benchmarks) {
  static const char *const sync_title[] = {
      "MPI_Win_fence", "post-start-complete-wait", "passive target, MPI_Win_lock + MPI_Win_flush"};
  char name[64];
  snprintf(name, sizeof name, "%s_%s_%s", c->get ? "get" : "put", bw ? "bw" : "latency",
           cb_sync_names[c->sync]);
  cb_table t;
  int err = cb_table_begin(&t, comm, name, 2, !bw, 0, NULL, "MPI_%s %s, %s, rank 0 -> rank 1",
                           c->get ? "Get" : "Put", bw ? "bandwidth" : "latency", sync_title[c->sync]);
  /* Open the epoch that op_epoch's fences and flushes close. */
  if (active && c->sync == CB_SYNC_FENCE) err = PT_MPI_CHECK(MPI_Win_fence(0, c->win));
  if (active && c->origin && c->sync == CB_SYNC_LOCK)
    err = PT_MPI_CHECK(MPI_Win_lock(MPI_LOCK_SHARED, 1, 0, c->win));
  err = pt_agree(comm, err);
  for (int64_t size = p->min_size; size <= p->max_size && !err; size *= 2) {
    c->count = (int)size;
    c->nops = bw ? (int)cb_params_window(p, size) : 1;
    /* An iteration moves a window of messages. */
    const int64_t iters = cb_params_iterations(p, size * c->nops);
    double sec;
    err = cb_loop_time(comm, p, iters, active ? op_epoch : NULL, c, &sec);
    if (err) break;
    const double v = bw ? (double)size * c->nops * (double)iters / sec / 1e6 : sec * 1e6 / (double)iters;
    err = cb_table_row(&t, comm, NULL, size, iters, v, active && c->origin);
  }
  if (active && c->origin && c->sync == CB_SYNC_LOCK) MPI_Win_unlock(1, c->win);
  if (active && c->sync == CB_SYNC_FENCE) MPI_Win_fence(MPI_MODE_NOSUCCEED, c->win);
  cb_table_end(&t, benchmarks);
  return err;
}

static void skip_note(MPI_Comm comm, const char *why, cJSON *benchmarks) {
  cb_table t;
  cb_table_begin(&t, comm, "put_latency_fence", 1, 1, 0, NULL, "one-sided tests");
  cb_table_note(&t, why);
  cb_table_end(&t, benchmarks);
}

int cb_rma_run(const cb_params *p, MPI_Comm comm, cJSON *benchmarks) {
  if (!p->run[CB_PUT] && !p->run[CB_GET]) return PT_OK;
  int rank, size;
  PT_MPI(MPI_Comm_rank(comm, &rank));
  PT_MPI(MPI_Comm_size(comm, &size));
  if (size < 2) {
    skip_note(comm, "skipped: one-sided tests need 2 ranks", benchmarks);
    return PT_OK;
  }
  const int active = rank < 2;
  MPI_Comm pair = MPI_COMM_NULL;
  PT_MPI(MPI_Comm_split(comm, active ? 0 : MPI_UNDEFINED, rank, &pair));
  rma_ctx c;
  memset(&c, 0, sizeof c);
  c.win = MPI_WIN_NULL;
  c.peer = MPI_GROUP_NULL;
  c.origin = rank == 0;
  size_t bytes = 0;
  for (int64_t s = p->min_size; s <= p->max_size; s *= 2) {
    size_t b = (size_t)(s * cb_params_window(p, s));
    if (b > bytes) bytes = b;
  }
  int err = PT_OK, nowin = 0;
  if (active) {
    c.buf = malloc(bytes);
    if (!c.buf) err = PT_ERROR(PT_ERR_NOMEM, "out of memory for one-sided buffers");
    else memset(c.buf, 1, bytes);
    MPI_Group g;
    const int other = 1 - rank;
    if (!err && (MPI_Comm_group(pair, &g) != MPI_SUCCESS ||
                 MPI_Group_incl(g, 1, &other, &c.peer) != MPI_SUCCESS || MPI_Group_free(&g) != MPI_SUCCESS))
      err = PT_ERROR(PT_ERR_MPI, "MPI group calls failed");
    void *base;
    /* MPI_Win_allocate lets the MPI place the window in shared memory on one node. */
    if (!err && MPI_Win_allocate((MPI_Aint)bytes, 1, MPI_INFO_NULL, pair, &base, &c.win) != MPI_SUCCESS) {
      nowin = 1;
      c.win = MPI_WIN_NULL;
    }
    if (c.win != MPI_WIN_NULL) {
      MPI_Win_set_errhandler(c.win, MPI_ERRORS_RETURN);
      memset(base, 0, bytes);
    }
  }
  err = pt_agree(comm, err);
  int anynowin = 0;
  if (!err) {
    /* Not PT_MPI: a failure must still free the window and buffers below. */
    err = PT_MPI_CHECK(MPI_Allreduce(&nowin, &anynowin, 1, MPI_INT, MPI_MAX, comm));
    if (!err && anynowin)
      skip_note(comm, "skipped: MPI_Win_allocate failed (with Open MPI on one node, set "
                "OMPI_MCA_osc=^rdma,ucx)", benchmarks);
  }
  for (int get = 0; get < 2 && !err && !anynowin; ++get) {
    if (!p->run[get ? CB_GET : CB_PUT]) continue;
    c.get = get;
    for (int bw = 0; bw < 2 && !err; ++bw)
      for (cb_sync s = CB_SYNC_FENCE; s < CB_NSYNC && !err; ++s) {
        if (!p->sync[s]) continue;
        c.sync = s;
        err = run_one(p, comm, &c, active, bw, benchmarks);
      }
  }
  if (c.win != MPI_WIN_NULL) MPI_Win_free(&c.win);
  if (c.peer != MPI_GROUP_NULL) MPI_Group_free(&c.peer);
  if (pair != MPI_COMM_NULL) MPI_Comm_free(&pair);
  free(c.buf);
  return err;
}
