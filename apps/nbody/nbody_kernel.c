#include "nbody_kernel.h"

#include <math.h>

/* One body of code for both precisions. A chunk of W targets (one 512-bit register) is
 * loaded into lane arrays, which the compiler keeps in registers; the lane loop is the
 * vector loop. 1/sqrt is the correctly rounded IEEE operation (no approximate rsqrt), so
 * FP64 forces are accurate to a few ulp per interaction. */
#define NBODY_CHUNK_BODY(T, SQRT, WITH_POT)                                               \
  do {                                                                                    \
    enum { W = 64 / sizeof(T) };                                                          \
    T xi[W], yi[W], zi[W], a0[W], a1[W], a2[W], ph[W];                                    \
    for (int l = 0; l < W; ++l) {                                                         \
      xi[l] = t[0][i0 + l], yi[l] = t[1][i0 + l], zi[l] = t[2][i0 + l];                   \
      a0[l] = acc[0][i0 + l], a1[l] = acc[1][i0 + l], a2[l] = acc[2][i0 + l];             \
      ph[l] = WITH_POT ? acc[3][i0 + l] : 0;                                              \
    }                                                                                     \
    for (int64_t j = 0; j < ns; ++j) {                                                    \
      const T xj = s[0][j], yj = s[1][j], zj = s[2][j], mj = s[3][j];                     \
      _Pragma("omp simd")                                                                 \
      for (int l = 0; l < W; ++l) {                                                       \
        T dx = xj - xi[l], dy = yj - yi[l], dz = zj - zi[l];                              \
        T r2 = dx * dx + dy * dy + dz * dz + eps2;                                        \
        T inv = r2 > 0 ? (T)1 / SQRT(r2) : 0;                                             \
        T minv = mj * inv;                                                                \
        T f = minv * inv * inv;                                                           \
        a0[l] += f * dx, a1[l] += f * dy, a2[l] += f * dz;                                \
        if (WITH_POT) ph[l] -= minv;                                                      \
      }                                                                                   \
    }                                                                                     \
    for (int l = 0; l < W; ++l) {                                                         \
      acc[0][i0 + l] = a0[l], acc[1][i0 + l] = a1[l], acc[2][i0 + l] = a2[l];             \
      if (WITH_POT) acc[3][i0 + l] = ph[l];                                               \
    }                                                                                     \
  } while (0)

/* Each precision's kernel is cloned for AVX-512 (x86-64-v4), AVX2+FMA (x86-64-v3) and
 * the baseline; the loader picks the best the CPU has. The choice is fixed for a run,
 * so results stay bitwise reproducible on one machine. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define NBODY_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define NBODY_CLONES
#endif

#define NBODY_DEFINE_KERNEL(T, SUFFIX, SQRT)                                              \
  NBODY_CLONES void nbody_kernel_##SUFFIX(int64_t t0, int64_t t1, const T *const t[3],    \
                                          int64_t ns, const T *const s[4], T eps2,        \
                                          T *const acc[4]) {                              \
    for (int64_t i0 = t0; i0 < t1; i0 += 64 / sizeof(T)) {                                \
      if (acc[3])                                                                         \
        NBODY_CHUNK_BODY(T, SQRT, 1);                                                     \
      else                                                                                \
        NBODY_CHUNK_BODY(T, SQRT, 0);                                                     \
    }                                                                                     \
  }

NBODY_DEFINE_KERNEL(double, f64, sqrt)
NBODY_DEFINE_KERNEL(float, f32, sqrtf)
