#include "cb_p2p.h"

#include <stdlib.h>
#include <string.h>

#include "cb_loop.h"
#include "cb_table.h"
#include "pt_error.h"

typedef struct p2p_ctx {
  MPI_Comm comm;
  int rank;            /* 0 or 1 */
  int count;           /* message size in bytes */
  int window;
  char *sbuf, *rbuf;   /* rbuf holds `window` messages */
  MPI_Request *req;    /* 2 window */
} p2p_ctx;

static int op_pingpong(void *v, int64_t it) {
  (void)it;
  p2p_ctx *c = v;
  if (c->rank == 0) {
    PT_MPI(MPI_Send(c->sbuf, c->count, MPI_BYTE, 1, 1, c->comm));
    PT_MPI(MPI_Recv(c->rbuf, c->count, MPI_BYTE, 1, 1, c->comm, MPI_STATUS_IGNORE));
  } else {
    PT_MPI(MPI_Recv(c->rbuf, c->count, MPI_BYTE, 0, 1, c->comm, MPI_STATUS_IGNORE));
    PT_MPI(MPI_Send(c->sbuf, c->count, MPI_BYTE, 0, 1, c->comm));
  }
  return PT_OK;
}

/* The receiver's acknowledgement closes each window, as in osu_bw. */
static int op_bw(void *v, int64_t it) {
  (void)it;
  p2p_ctx *c = v;
  char ack[4] = {0};
  if (c->rank == 0) {
    for (int w = 0; w < c->window; ++w)
      PT_MPI(MPI_Isend(c->sbuf, c->count, MPI_BYTE, 1, 2, c->comm, &c->req[w]));
    PT_MPI(MPI_Waitall(c->window, c->req, MPI_STATUSES_IGNORE));
    PT_MPI(MPI_Recv(ack, 4, MPI_BYTE, 1, 3, c->comm, MPI_STATUS_IGNORE));
  } else {
    for (int w = 0; w < c->window; ++w)
      PT_MPI(MPI_Irecv(c->rbuf + (size_t)w * (size_t)c->count, c->count, MPI_BYTE, 0, 2, c->comm,
                       &c->req[w]));
    PT_MPI(MPI_Waitall(c->window, c->req, MPI_STATUSES_IGNORE));
    PT_MPI(MPI_Send(ack, 4, MPI_BYTE, 0, 3, c->comm));
  }
  return PT_OK;
}

static int op_bibw(void *v, int64_t it) {
  (void)it;
  p2p_ctx *c = v;
  const int peer = 1 - c->rank;
  for (int w = 0; w < c->window; ++w)
    PT_MPI(MPI_Irecv(c->rbuf + (size_t)w * (size_t)c->count, c->count, MPI_BYTE, peer, 4, c->comm,
                     &c->req[w]));
  for (int w = 0; w < c->window; ++w)
    PT_MPI(MPI_Isend(c->sbuf, c->count, MPI_BYTE, peer, 4, c->comm, &c->req[c->window + w]));
  PT_MPI(MPI_Waitall(2 * c->window, c->req, MPI_STATUSES_IGNORE));
  return PT_OK;
}

static int run_one(const cb_params *p, MPI_Comm comm, p2p_ctx *c, int active, cb_test test,
                   cJSON *benchmarks) {
  static const char *const title[] = {
      [CB_PINGPONG] = "ping-pong latency (half round trip, MPI_Send/MPI_Recv), ranks 0 and 1",
      [CB_BW] = "bandwidth (window of MPI_Isend, then an acknowledgement), rank 0 to rank 1",
      [CB_BIBW] = "bidirectional bandwidth (both ranks send a window at once), ranks 0 and 1"};
  const cb_op ops[] = {[CB_PINGPONG] = op_pingpong, [CB_BW] = op_bw, [CB_BIBW] = op_bibw};
  cb_table t;
  int err = cb_table_begin(&t, comm, cb_test_names[test], 2, test == CB_PINGPONG, 0, NULL, "%s",
                           title[test]);
  for (int64_t size = p->min_size; size <= p->max_size && !err; size *= 2) {
    c->count = (int)size;
    c->window = test == CB_PINGPONG ? 1 : (int)cb_params_window(p, size);
    /* An iteration moves a window of messages. */
    const int64_t iters = cb_params_iterations(p, size * c->window);
    double sec;
    err = cb_loop_time(comm, p, iters, active ? ops[test] : NULL, c, &sec);
    if (err) break;
    double v;
    if (test == CB_PINGPONG) v = sec * 1e6 / (2.0 * (double)iters);
    else v = (test == CB_BIBW ? 2.0 : 1.0) * (double)size * (double)c->window * (double)iters / sec / 1e6;
    err = cb_table_row(&t, comm, NULL, size, iters, v, active);
  }
  cb_table_end(&t, benchmarks);
  return err;
}

int cb_p2p_run(const cb_params *p, MPI_Comm comm, cJSON *benchmarks) {
  if (!p->run[CB_PINGPONG] && !p->run[CB_BW] && !p->run[CB_BIBW]) return PT_OK;
  int rank, size;
  PT_MPI(MPI_Comm_rank(comm, &rank));
  PT_MPI(MPI_Comm_size(comm, &size));
  if (size < 2) {
    cb_table t;
    cb_table_begin(&t, comm, "pingpong", 1, 1, 0, NULL, "point-to-point tests");
    cb_table_note(&t, "skipped: point-to-point tests need 2 ranks");
    cb_table_end(&t, benchmarks);
    return PT_OK;
  }
  p2p_ctx c;
  memset(&c, 0, sizeof c);
  c.comm = comm;
  c.rank = rank;
  const int active = rank < 2;
  int err = PT_OK;
  if (active) {
    /* The largest window of messages in flight, over all sizes. */
    size_t rbytes = 0;
    for (int64_t s = p->min_size; s <= p->max_size; s *= 2) {
      size_t b = (size_t)(s * cb_params_window(p, s));
      if (b > rbytes) rbytes = b;
    }
    c.sbuf = malloc((size_t)p->max_size);
    c.rbuf = malloc(rbytes);
    c.req = malloc(2 * (size_t)p->window * sizeof(MPI_Request));
    if (!c.sbuf || !c.rbuf || !c.req) err = PT_ERROR(PT_ERR_NOMEM, "out of memory for message buffers");
    else {
      /* Touch every page now, not inside a timed loop. */
      memset(c.sbuf, 1, (size_t)p->max_size);
      memset(c.rbuf, 0, rbytes);
    }
  }
  err = pt_agree(comm, err);
  for (cb_test t = CB_PINGPONG; t <= CB_BIBW && !err; ++t)
    if (p->run[t]) err = run_one(p, comm, &c, active, t, benchmarks);
  free(c.sbuf);
  free(c.rbuf);
  free(c.req);
  return err;
}
