#include "bench_peak.h"

#include <omp.h>

#if defined(__AVX512F__)
#define VBYTES 64
#define ISA "avx512"
#elif defined(__AVX2__)
#define VBYTES 32
#define ISA "avx2"
#elif defined(__AVX__)
#define VBYTES 32
#define ISA "avx"
#else
#define VBYTES 16
#define ISA "sse2"
#endif

typedef double vd __attribute__((vector_size(VBYTES)));
typedef float vf __attribute__((vector_size(VBYTES)));

/* Two FMA pipes of 4-cycle latency need 8 chains in flight; 16 leaves headroom and
 * still fits the 32 vector registers of AVX-512 (16 of AVX2 spill a little). */
enum { CHAINS = 16 };

/* x*m + a stays near 1 (m just below 1, a small), so no chain overflows or goes
 * denormal however long it runs; the sum is returned so the work cannot be dropped. */
#define FMA_LOOP(T, S)                                                      \
  static S chains_##T(int64_t iterations) {                                 \
    T x[CHAINS];                                                            \
    const T m = (T){0} + (S)0.9999999, a = (T){0} + (S)1e-7;                \
    for (int k = 0; k < CHAINS; ++k) x[k] = (T){0} + (S)(1 + k * 1e-3);     \
    for (int64_t it = 0; it < iterations; ++it) {                           \
      _Pragma("GCC unroll 16")                                              \
      for (int k = 0; k < CHAINS; ++k) x[k] = x[k] * m + a;                 \
    }                                                                       \
    S s = 0;                                                                \
    for (int k = 0; k < CHAINS; ++k)                                        \
      for (int l = 0; l < (int)(VBYTES / sizeof(S)); ++l) s += x[k][l];     \
    return s;                                                               \
  }
FMA_LOOP(vd, double)
FMA_LOOP(vf, float)

static volatile double sink;

void bench_peak_run(int64_t iterations, int ntimes, bench_peak *r) {
  double best[2] = {0, 0};
  int nt = 1;
  for (int rep = 0; rep < ntimes; ++rep)
    for (int prec = 0; prec < 2; ++prec) {
      double t = 0;
#pragma omp parallel reduction(max : t)
      {
#pragma omp single
        nt = omp_get_num_threads();
#pragma omp barrier
        const double t0 = omp_get_wtime();
        double s = prec == 0 ? chains_vd(iterations) : (double)chains_vf(iterations);
        t = omp_get_wtime() - t0;
#pragma omp atomic
        sink += s;
      }
      const double lanes = (double)VBYTES / (prec == 0 ? sizeof(double) : sizeof(float));
      const double gflops = 2.0 * CHAINS * lanes * (double)iterations * nt / t / 1e9;
      if (gflops > best[prec]) best[prec] = gflops;
    }
  r->fp64 = best[0];
  r->fp32 = best[1];
  r->threads = nt;
  r->isa = ISA;
#if defined(__FMA__)
  r->fma = 1;
#else
  r->fma = 0;
#endif
}
