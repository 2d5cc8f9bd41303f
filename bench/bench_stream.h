/* bench_stream: STREAM copy and triad bandwidth (McCalpin's kernels and byte counts:
 * copy moves 16 B per element, triad 24 B), run by every rank of a communicator at once
 * with the OpenMP threads each rank has, so the figure is what a run with the same
 * layout can draw from memory. */
#ifndef BENCH_STREAM_H
#define BENCH_STREAM_H

#include <mpi.h>
#include <stdint.h>

typedef struct bench_stream {
  double copy, triad;          /* best of `ntimes`, GB/s (10^9 B/s), all ranks together */
  double copy_worst, triad_worst;
} bench_stream;

/* Runs copy and triad `ntimes` times over arrays of `n` doubles per rank (pick n so
 * that 3 arrays are several times the last-level cache); a repetition's time is the
 * slowest rank's. Errors: PT_ERR_NOMEM (agreed), PT_ERR_MPI. Collective over `comm`. */
int bench_stream_run(MPI_Comm comm, int64_t n, int ntimes, bench_stream *r);

#endif
