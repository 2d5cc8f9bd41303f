/* nbody_bench: the force kernel of partita-nbody against the peak FMA rate of the same
 * core, measured in the same run. Usage (see bench/nbody-bench):
 *   nbody_bench N fp64|fp32 allgather|ring|rma EVALS
 * prints one JSON line: interactions/s, GFLOP/s at 20 flops per interaction, the peak
 * FMA GFLOP/s of this precision (rank 0's core) and their ratio, and the seconds per
 * force evaluation (slowest rank). */
#include <immintrin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nbody_force.h"
#include "nbody_ic.h"
#include "nbody_kernel.h"
#include "partita.h"

/* Twelve independent FMA chains held in registers: enough to cover the FMA latency
 * (4 cycles) on two pipes. Returns GFLOP/s (2 flops per lane per FMA). The asm barrier
 * keeps the compiler from folding the chains. */
#define CHAINS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11)
#if defined(__AVX512F__)
#define PEAK_FN(NAME, VT, SET1, FMA, LANES)                                               \
  static double NAME(long iters) {                                                       \
    VT b = SET1(0.999999), c = SET1(1e-7);                                                \
    CHAINS(PEAK_DECL)                                                                     \
    double t = MPI_Wtime();                                                               \
    for (long i = 0; i < iters; ++i) {                                                    \
      CHAINS(PEAK_STEP)                                                                   \
      __asm__ volatile("" : "+v"(a0), "+v"(a1), "+v"(a2), "+v"(a3), "+v"(a4), "+v"(a5),  \
                       "+v"(a6), "+v"(a7), "+v"(a8), "+v"(a9), "+v"(a10), "+v"(a11));      \
    }                                                                                     \
    t = MPI_Wtime() - t;                                                                  \
    return 12.0 * 2 * LANES * (double)iters / t * 1e-9;                                   \
  }
#define PEAK_DECL(k) __typeof__(b) a##k = b;
#define PEAK_STEP(k) a##k = FMA_OP(a##k, b, c);
#define FMA_OP _mm512_fmadd_pd
PEAK_FN(peak_fp64, __m512d, _mm512_set1_pd, _mm512_fmadd_pd, 8)
#undef FMA_OP
#define FMA_OP _mm512_fmadd_ps
PEAK_FN(peak_fp32, __m512, _mm512_set1_ps, _mm512_fmadd_ps, 16)
#undef FMA_OP
#else
#error "nbody_bench measures the AVX-512 FMA peak: build it on an AVX-512 machine (-march=native)"
#endif

/* Best of three, so a moment of competition for the core does not lower the peak. */
static double peak(int fp32) {
  double best = 0;
  for (int k = 0; k < 3; ++k) {
    double g = fp32 ? peak_fp32(20000000) : peak_fp64(20000000);
    best = g > best ? g : best;
  }
  return best;
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  MPI_Comm comm = MPI_COMM_WORLD;
  int rank, size;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  if (argc != 5) {
    if (rank == 0) fprintf(stderr, "usage: nbody_bench N fp64|fp32 allgather|ring|rma EVALS\n");
    MPI_Finalize();
    return 1;
  }
  nbody_params prm;
  memset(&prm, 0, sizeof prm);
  prm.n = atoll(argv[1]);
  prm.precision = strcmp(argv[2], "fp32") == 0 ? NBODY_FP32 : NBODY_FP64;
  prm.strategy = strcmp(argv[3], "ring") == 0 ? NBODY_RING : strcmp(argv[3], "rma") == 0 ? NBODY_RMA : NBODY_ALLGATHER;
  int evals = atoi(argv[4]);
  prm.G = 1;
  prm.eps = 0.01;
  prm.seed = 1;
  prm.init = NBODY_INIT_PLUMMER;
  pt_particles *p;
  nbody_force *f;
  double *acc[3];
  int err = nbody_ic_create(comm, &prm, &p);
  if (!err) err = nbody_force_create(p, prm.strategy, prm.precision, 1.0, prm.eps, NULL, &f);
  for (int c = 0; !err && c < 3; ++c) err = pt_particles_alloc(p, sizeof(double), (void **)&acc[c]);
  if (err) {
    pt_error_report(comm, "nbody_bench");
    MPI_Abort(comm, 2);
  }
  double pk = rank == 0 ? peak(prm.precision == NBODY_FP32) : 0;
  nbody_force_compute(f, acc, NULL);  /* warm-up: pages, caches, clone resolution */
  MPI_Barrier(comm);
  double t = MPI_Wtime();
  for (int k = 0; k < evals; ++k) nbody_force_compute(f, acc, NULL);
  t = MPI_Wtime() - t;
  double tmax;
  MPI_Reduce(&t, &tmax, 1, MPI_DOUBLE, MPI_MAX, 0, comm);
  if (rank == 0) {
    double n = (double)prm.n, ips = n * n * evals / tmax, gf = ips * NBODY_FLOPS_PER_INTERACTION * 1e-9;
    printf("{\"n\": %lld, \"precision\": \"%s\", \"strategy\": \"%s\", \"ranks\": %d, "
           "\"seconds_per_eval\": %.6g, \"interactions_per_s\": %.4g, \"gflops\": %.4g, "
           "\"peak_fma_gflops_per_core\": %.4g, \"fraction_of_peak_per_core\": %.3f}\n",
           (long long)prm.n, argv[2], argv[3], size, tmax / evals, ips, gf, pk, gf / size / pk);
  }
  for (int c = 0; c < 3; ++c) free(acc[c]);
  nbody_force_destroy(&f);
  pt_particles_destroy(&p);
  MPI_Finalize();
  return 0;
}
