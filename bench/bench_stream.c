#include "bench_stream.h"

#include <stdlib.h>

#include "pt_error.h"

static double *alloc_array(int64_t n) {
  void *p = NULL;
  return posix_memalign(&p, 64, (size_t)n * sizeof(double)) == 0 ? p : NULL;
}

int bench_stream_run(MPI_Comm comm, int64_t n, int ntimes, bench_stream *r) {
  double *a = alloc_array(n), *b = alloc_array(n), *c = alloc_array(n);
  int err = a && b && c ? PT_OK : PT_ERROR(PT_ERR_NOMEM, "out of memory for STREAM arrays");
  err = pt_agree(comm, err);
  int size = 1;
  if (!err) {
    MPI_Comm_size(comm, &size);
    /* First touch with the kernels' schedule puts the pages next to their threads. */
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < n; ++i) {
      a[i] = 1.0;
      b[i] = 2.0;
      c[i] = 0.0;
    }
  }
  const double scalar = 3.0;
  double best[2] = {0, 0}, worst[2] = {0, 0};
  for (int k = 0; k < ntimes && !err; ++k)
    for (int kernel = 0; kernel < 2 && !err; ++kernel) {
      err = PT_MPI_CHECK(MPI_Barrier(comm));
      const double t0 = MPI_Wtime();
      if (kernel == 0) {
#pragma omp parallel for simd schedule(static)
        for (int64_t i = 0; i < n; ++i) c[i] = a[i];
      } else {
#pragma omp parallel for simd schedule(static)
        for (int64_t i = 0; i < n; ++i) a[i] = b[i] + scalar * c[i];
      }
      double t = MPI_Wtime() - t0, tmax = t;
      if (!err) err = PT_MPI_CHECK(MPI_Allreduce(&t, &tmax, 1, MPI_DOUBLE, MPI_MAX, comm));
      if (k == 0 || tmax < best[kernel]) best[kernel] = tmax;
      if (k == 0 || tmax > worst[kernel]) worst[kernel] = tmax;
    }
  if (!err) {
    const double bytes = (double)n * (double)sizeof(double) * size;
    r->copy = 2 * bytes / best[0] / 1e9;
    r->triad = 3 * bytes / best[1] / 1e9;
    r->copy_worst = 2 * bytes / worst[0] / 1e9;
    r->triad_worst = 3 * bytes / worst[1] / 1e9;
  }
  free(a);
  free(b);
  free(c);
  return err;
}
