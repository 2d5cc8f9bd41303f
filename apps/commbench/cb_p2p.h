/* cb_p2p: two-sided point-to-point benchmarks between ranks 0 and 1 (OSU's osu_latency,
 * osu_bw and osu_bibw): ping-pong latency (half the round trip of MPI_Send/MPI_Recv),
 * streaming bandwidth (a window of MPI_Isend answered by one acknowledgement) and
 * bidirectional bandwidth (both ranks stream at once). */
#ifndef CB_P2P_H
#define CB_P2P_H

#include <cjson/cJSON.h>
#include <mpi.h>

#include "cb_params.h"

/* Runs the selected point-to-point tests over sizes min_size..max_size (powers of two)
 * and appends their tables to `benchmarks` (rank 0). Ranks other than 0 and 1 only join
 * the reductions. Needs 2 ranks (prints a note otherwise). Errors: PT_ERR_MPI,
 * PT_ERR_NOMEM (agreed). Collective over `comm`. */
int cb_p2p_run(const cb_params *p, MPI_Comm comm, cJSON *benchmarks);

#endif
