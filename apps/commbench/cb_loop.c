#include "cb_loop.h"

#include "pt_error.h"

int cb_loop_time(MPI_Comm comm, const cb_params *p, int64_t iterations, cb_op op, void *ctx,
                 double *seconds) {
  int err = PT_OK;
  const int64_t warm = cb_params_warmup(p, iterations);
  for (int64_t it = 0; op && it < warm && !err; ++it) err = op(ctx, it);
  double best = 0;
  for (int64_t trial = 0; trial < p->trials; ++trial) {
    /* A failed rank stops calling `op` but keeps joining the barriers, so nobody hangs
     * waiting for it there. */
    int merr = PT_MPI_CHECK(MPI_Barrier(comm));
    if (!err) err = merr;
    const double t0 = MPI_Wtime();
    for (int64_t it = 0; op && it < iterations && !err; ++it) err = op(ctx, it);
    const double t = MPI_Wtime() - t0;
    if (trial == 0 || t < best) best = t;
  }
  *seconds = best;
  return pt_agree(comm, err);
}
