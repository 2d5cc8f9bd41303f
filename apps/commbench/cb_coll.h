/* cb_coll: collective benchmarks (OSU's osu_bcast ... osu_allreduce): bcast, scatter,
 * gather, allgather, alltoall, reduce and allreduce, each over message sizes and over
 * rank counts 2, 4, 8, ... and the full communicator. The size of scatter, gather,
 * allgather and alltoall is the block per rank; reductions sum doubles (8 B and up). */
#ifndef CB_COLL_H
#define CB_COLL_H

#include <cjson/cJSON.h>
#include <mpi.h>

#include "cb_params.h"

/* Runs the selected collectives over sizes min_size..coll_max_size (powers of two) on
 * the first k ranks of `comm` for each rank count k, appending one table per collective
 * and k to `benchmarks` (rank 0). Times are min/avg/max of the per-rank average time per
 * call. Needs 2 ranks (prints a note otherwise). Errors: PT_ERR_MPI, PT_ERR_NOMEM
 * (agreed). Collective over `comm`. */
int cb_coll_run(const cb_params *p, MPI_Comm comm, cJSON *benchmarks);

#endif
