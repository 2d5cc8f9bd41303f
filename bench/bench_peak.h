/* bench_peak: the peak floating-point rate of the cores: independent chains of fused
 * multiply-adds in the widest SIMD vectors the compiler targets (build with
 * -march=native so that is the machine's own), enough chains to hide the FMA latency. */
#ifndef BENCH_PEAK_H
#define BENCH_PEAK_H

#include <stdint.h>

typedef struct bench_peak {
  double fp64, fp32;  /* GFLOP/s (an FMA counts 2), best of the repetitions */
  int threads;        /* OpenMP threads that ran it */
  const char *isa;    /* "avx512", "avx2", "avx", "sse2" */
  int fma;            /* 1 if the build emits FMA instructions */
} bench_peak;

/* Runs `iterations` FMAs per chain in each of `ntimes` repetitions on the OpenMP threads
 * of this process. Not collective. */
void bench_peak_run(int64_t iterations, int ntimes, bench_peak *r);

#endif
