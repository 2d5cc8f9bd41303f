#include "nbody_kernel_fast.h"

#include "nbody_kernel.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define NBODY_FAST_AVX512 1
#include <immintrin.h>
#endif

#ifdef NBODY_FAST_AVX512

/* With y0 = rsqrt14(x) (relative error below 2^-14) and r = 1 - x y0^2 (|r| < 2^-13),
 *   x^(-1/2) = y0 (1 - r)^(-1/2),  x^(-3/2) = y0^3 (1 - r)^(-3/2),
 * both binomial series in r, whose coefficients of r^1, r^2, ... are below; the
 * constant term 1 is added by the last FMA. Each series stops where the first term left
 * out is at most a few ulp at the largest |r| (and far below one ulp at a typical
 * |r| ~ 2^-14.6, so that it adds no measurable bias): FP64 keeps r^3 in both (the
 * next terms are 2.46 r^4 < 2.4 ulp and 0.27 r^4), FP32 keeps r^1 (1.875 r^2 < 0.5 ulp).
 * Each term more costs one FMA per interaction, a few percent of the rate. */
static const double nbody_series_m32[] = {1.5, 1.875, 2.1875};
static const double nbody_series_m12[] = {0.5, 0.375, 0.3125};

/* Sources per tile: 512 x 4 values = 16 KiB in FP64 (8 in FP32), so a tile and a
 * slice's targets and sums (nbody_force passes at most 256 targets per thread) stay in
 * the 32-48 KiB L1 while every target chunk of the slice streams the tile past it. The
 * sums are carried in memory from tile to tile, which changes no bit. */
enum { NBODY_FAST_TILE = 512 };

/* NV registers of W lanes of targets from i0 on against sources [j0, j1). SFX is the
 * intrinsics' type suffix (pd, ps), K and KP the series lengths of the force and the
 * potential. MASKED: eps2 may be 0, so a pair at distance 0 must contribute 0
 * (rsqrt14(0) is inf and the series NaN); with eps2 > 0 every r^2 > 0. */
#define NBODY_FAST_CHUNK(T, VT, SFX, NV, K, KP, WITH_POT, MASKED)                          \
  do {                                                                                    \
    enum { W = 64 / sizeof(T) };                                                          \
    VT xi[NV], yi[NV], zi[NV], a0[NV], a1[NV], a2[NV], ph[NV];                            \
    for (int v = 0; v < NV; ++v) {                                                        \
      const int64_t o = i0 + v * W;                                                       \
      xi[v] = _mm512_loadu_##SFX(t[0] + o), yi[v] = _mm512_loadu_##SFX(t[1] + o);         \
      zi[v] = _mm512_loadu_##SFX(t[2] + o);                                               \
      a0[v] = _mm512_loadu_##SFX(acc[0] + o), a1[v] = _mm512_loadu_##SFX(acc[1] + o);     \
      a2[v] = _mm512_loadu_##SFX(acc[2] + o);                                             \
      ph[v] = WITH_POT ? _mm512_loadu_##SFX(acc[3] + o) : _mm512_setzero_##SFX();         \
    }                                                                                     \
    const VT one = _mm512_set1_##SFX(1), e2 = _mm512_set1_##SFX(eps2);                    \
    for (int64_t j = j0; j < j1; ++j) {                                                   \
      const VT xj = _mm512_set1_##SFX(s[0][j]), yj = _mm512_set1_##SFX(s[1][j]);          \
      const VT zj = _mm512_set1_##SFX(s[2][j]), mj = _mm512_set1_##SFX(s[3][j]);          \
      _Pragma("GCC unroll 4")                                                             \
      for (int v = 0; v < NV; ++v) {                                                      \
        const VT dx = _mm512_sub_##SFX(xj, xi[v]), dy = _mm512_sub_##SFX(yj, yi[v]);      \
        const VT dz = _mm512_sub_##SFX(zj, zi[v]);                                        \
        VT x = _mm512_fmadd_##SFX(dx, dx, e2);                                            \
        x = _mm512_fmadd_##SFX(dy, dy, x);                                                \
        x = _mm512_fmadd_##SFX(dz, dz, x);                                                \
        const VT y0 = _mm512_rsqrt14_##SFX(x), y0sq = _mm512_mul_##SFX(y0, y0);           \
        const VT r = _mm512_fnmadd_##SFX(x, y0sq, one);                                   \
        const VT my3 = _mm512_mul_##SFX(mj, _mm512_mul_##SFX(y0sq, y0));                  \
        VT p = _mm512_set1_##SFX((T)nbody_series_m32[(K) - 1]);                           \
        for (int k = (K) - 2; k >= 0; --k)                                                \
          p = _mm512_fmadd_##SFX(p, r, _mm512_set1_##SFX((T)nbody_series_m32[k]));        \
        const VT f = NBODY_FAST_FIN(MASKED, SFX, x, _mm512_mul_##SFX(my3, r), p, my3);    \
        a0[v] = _mm512_fmadd_##SFX(f, dx, a0[v]);                                         \
        a1[v] = _mm512_fmadd_##SFX(f, dy, a1[v]);                                         \
        a2[v] = _mm512_fmadd_##SFX(f, dz, a2[v]);                                         \
        if (WITH_POT) {                                                                   \
          const VT my = _mm512_mul_##SFX(mj, y0);                                         \
          VT q = _mm512_set1_##SFX((T)nbody_series_m12[(KP) - 1]);                        \
          for (int k = (KP) - 2; k >= 0; --k)                                             \
            q = _mm512_fmadd_##SFX(q, r, _mm512_set1_##SFX((T)nbody_series_m12[k]));      \
          ph[v] = _mm512_sub_##SFX(                                                       \
              ph[v], NBODY_FAST_FIN(MASKED, SFX, x, _mm512_mul_##SFX(my, r), q, my));     \
        }                                                                                 \
      }                                                                                   \
    }                                                                                     \
    for (int v = 0; v < NV; ++v) {                                                        \
      const int64_t o = i0 + v * W;                                                       \
      _mm512_storeu_##SFX(acc[0] + o, a0[v]), _mm512_storeu_##SFX(acc[1] + o, a1[v]);     \
      _mm512_storeu_##SFX(acc[2] + o, a2[v]);                                             \
      if (WITH_POT) _mm512_storeu_##SFX(acc[3] + o, ph[v]);                               \
    }                                                                                     \
  } while (0)

/* a b + c, and 0 where MASKED and x = 0. */
#define NBODY_FAST_FIN(MASKED, SFX, x, a, b, c)                                           \
  ((MASKED) ? _mm512_maskz_fmadd_##SFX(                                                   \
                  _mm512_cmp_##SFX##_mask(x, _mm512_setzero_##SFX(), _CMP_GT_OQ), a, b, c) \
            : _mm512_fmadd_##SFX(a, b, c))

/* The four variants (potential or not, eps2 = 0 or not) are separate loops, so neither
 * test is in the inner loop. */
#define NBODY_FAST_VARIANTS(T, VT, SFX, NV, K, KP)                                        \
  do {                                                                                    \
    if (acc[3] && eps2 > 0) NBODY_FAST_CHUNK(T, VT, SFX, NV, K, KP, 1, 0);                \
    else if (acc[3]) NBODY_FAST_CHUNK(T, VT, SFX, NV, K, KP, 1, 1);                       \
    else if (eps2 > 0) NBODY_FAST_CHUNK(T, VT, SFX, NV, K, KP, 0, 0);                     \
    else NBODY_FAST_CHUNK(T, VT, SFX, NV, K, KP, 0, 1);                                   \
  } while (0)

/* Four registers of targets per pass over a tile where the range holds them, so that
 * the four broadcasts of a source serve four vectors of interactions (the load ports
 * stay off the critical path; the target coordinates that no longer fit in registers
 * are memory operands), then one register at a time. */
#define NBODY_DEFINE_FAST(T, VT, SFX, SUFFIX, K, KP)                                      \
  __attribute__((target("avx512f"))) static void fast_##SUFFIX(                            \
      int64_t t0, int64_t t1, const T *const t[3], int64_t ns, const T *const s[4],       \
      T eps2, T *const acc[4]) {                                                          \
    enum { W = 64 / sizeof(T), STEP = 4 * W };                                            \
    for (int64_t j0 = 0; j0 < ns; j0 += NBODY_FAST_TILE) {                                \
      const int64_t j1 = ns - j0 < NBODY_FAST_TILE ? ns : j0 + NBODY_FAST_TILE;           \
      int64_t i0 = t0;                                                                    \
      for (; i0 + STEP <= t1; i0 += STEP) NBODY_FAST_VARIANTS(T, VT, SFX, 4, K, KP);      \
      for (; i0 < t1; i0 += W) NBODY_FAST_VARIANTS(T, VT, SFX, 1, K, KP);                 \
    }                                                                                     \
  }

NBODY_DEFINE_FAST(double, __m512d, pd, f64, 3, 3)
NBODY_DEFINE_FAST(float, __m512, ps, f32, 1, 1)

int nbody_kernel_fast_native(void) {
  __builtin_cpu_init();  /* may run before the constructors that would do it */
  return __builtin_cpu_supports("avx512f");
}

#else

int nbody_kernel_fast_native(void) { return 0; }

#endif

void nbody_kernel_fast_f64(int64_t t0, int64_t t1, const double *const t[3], int64_t ns,
                           const double *const s[4], double eps2, double *const acc[4]) {
#ifdef NBODY_FAST_AVX512
  if (nbody_kernel_fast_native()) {
    fast_f64(t0, t1, t, ns, s, eps2, acc);
    return;
  }
#endif
  nbody_kernel_f64(t0, t1, t, ns, s, eps2, acc);
}

void nbody_kernel_fast_f32(int64_t t0, int64_t t1, const float *const t[3], int64_t ns,
                           const float *const s[4], float eps2, float *const acc[4]) {
#ifdef NBODY_FAST_AVX512
  if (nbody_kernel_fast_native()) {
    fast_f32(t0, t1, t, ns, s, eps2, acc);
    return;
  }
#endif
  nbody_kernel_f32(t0, t1, t, ns, s, eps2, acc);
}
