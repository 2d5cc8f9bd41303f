/* cb_rma: one-sided benchmarks between ranks 0 (origin) and 1 (target), as OSU's
 * osu_put_latency/osu_put_bw/osu_get_*: MPI_Put and MPI_Get latency (one transfer and
 * its synchronisation) and bandwidth (a window of transfers per synchronisation), with
 * each synchronisation mode:
 *   fence  MPI_Win_fence on both ranks closes every epoch
 *   pscw   post-start-complete-wait (generalised active target)
 *   lock   passive target: one MPI_Win_lock, then MPI_Win_flush per epoch */
#ifndef CB_RMA_H
#define CB_RMA_H

#include <cjson/cJSON.h>
#include <mpi.h>

#include "cb_params.h"

/* Runs the selected one-sided tests over sizes min_size..max_size (powers of two) and
 * appends their tables (put_latency_fence, put_bw_lock, ...) to `benchmarks` (rank 0).
 * Figures are the origin's. Needs 2 ranks and an MPI one-sided component that can
 * allocate a window (a note says why otherwise). Errors: PT_ERR_MPI, PT_ERR_NOMEM
 * (agreed). Collective over `comm`. */
int cb_rma_run(const cb_params *p, MPI_Comm comm, cJSON *benchmarks);

#endif
