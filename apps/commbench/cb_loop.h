/* cb_loop: the timed loop every benchmark runs: warm-up, then `trials` timed loops of
 * `iterations` operations, each started after a barrier; a rank keeps its fastest loop
 * (best-of-N, as NetPIPE does, so a shared or noisy machine shows what it can do). */
#ifndef CB_LOOP_H
#define CB_LOOP_H

#include <mpi.h>
#include <stdint.h>

#include "cb_params.h"

/* One operation of a benchmark (iteration `it`), on this rank. Returns 0 or a PT_ERR_*
 * code. */
typedef int (*cb_op)(void *ctx, int64_t it);

/* Runs `op` cb_params_warmup(p, iterations) times untimed, then p->trials timed loops of
 * `iterations` calls, each after MPI_Barrier(comm); *seconds is this rank's fastest
 * loop. Ranks that do not take part pass op = NULL (they join the barriers only).
 * Errors: the first error of `op` or PT_ERR_MPI, agreed over `comm`. Collective. */
int cb_loop_time(MPI_Comm comm, const cb_params *p, int64_t iterations, cb_op op, void *ctx,
                 double *seconds);

#endif
