/* io_bandwidth: collective write bandwidth of pt_io for one large 3D field.
 *   io_bandwidth FILE [GIB] [REPEATS]
 * Writes a GIB-GiB field (default 1) REPEATS times (default 3) as one mesh record, to a
 * new file each time, and
 * reports, per repeat, the time of pt_series_write_mesh (create, collective write,
 * close: data in the page cache) and of that plus fsync (data on disk). Rank 0 prints
 * one line per repeat and the best of each. Run by bench/io-bandwidth. */
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "partita.h"

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  if (argc < 2) {
    if (rank == 0) fprintf(stderr, "usage: %s FILE [GIB] [REPEATS]\n", argv[0]);
    MPI_Finalize();
    return 1;
  }
  double gib = argc > 2 ? atof(argv[2]) : 1.0;
  int repeats = argc > 3 ? atoi(argv[3]) : 3;
  /* A cube of doubles with gib GiB: n^3 * 8 bytes. */
  int64_t n = (int64_t)llround(cbrt(gib * 1073741824.0 / 8.0));
  int64_t g[3] = {n, n, n};
  pt_decomp *d;
  pt_field *f;
  pt_series *s = NULL;
  pt_series_info info = {.software = "io_bandwidth", .no_xdmf = 1};
  int err = pt_decomp_create(MPI_COMM_WORLD, 3, g, NULL, NULL, &d);
  if (!err) err = pt_field_create(d, 1, &f);
  if (!err) pt_field_fill(f, 1.0);
  double bytes = (double)n * n * n * 8.0, best = 0, best_sync = 0;
  if (rank == 0 && !err)
    printf("field %lld^3 doubles = %.3f GiB on %d ranks, process grid %d x %d x %d\n",
           (long long)n, bytes / 1073741824.0, size, d->dims[0], d->dims[1], d->dims[2]);
  for (int r = 0; r < repeats && !err; ++r) {
    /* A new file each time (opening truncates), like dd's: the file system allocates
     * every block afresh. */
    err = pt_series_open(MPI_COMM_WORLD, argv[1], &info, &s);
    if (err) break;
    MPI_Barrier(MPI_COMM_WORLD);
    double t0 = MPI_Wtime();
    err = pt_series_write_mesh(s, 0, 0.0, 0.0, "T", f, NULL);
    pt_series_close(&s);
    double t1 = MPI_Wtime();
    if (rank == 0) {
      int fd = open(argv[1], O_RDONLY);
      if (fd < 0 || fsync(fd) != 0) err = PT_ERR_IO;
      if (fd >= 0) close(fd);
    }
    MPI_Bcast(&err, 1, MPI_INT, 0, MPI_COMM_WORLD);
    double t2 = MPI_Wtime();
    if (rank == 0 && !err) {
      double bw = bytes / (t1 - t0) / 1073741824.0, bws = bytes / (t2 - t0) / 1073741824.0;
      printf("repeat %d: write %.3f s = %.2f GiB/s; write + fsync %.3f s = %.2f GiB/s\n", r + 1,
             t1 - t0, bw, t2 - t0, bws);
      best = bw > best ? bw : best;
      best_sync = bws > best_sync ? bws : best_sync;
    }
  }
  if (err) {
    pt_error_report(MPI_COMM_WORLD, "io_bandwidth");
  } else if (rank == 0) {
    printf("best: pt_io collective write %.2f GiB/s (page cache), %.2f GiB/s (with fsync)\n", best, best_sync);
  }
  pt_field_destroy(&f);
  pt_decomp_destroy(&d);
  MPI_Finalize();
  return err ? 2 : 0;
}
