// nbody_cuda: partita-nbody's forces, integrator and diagnostics on a CUDA device (see
// nbody_cuda.h).
#include "nbody_cuda.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include <cuda_runtime.h>

extern "C" {
#include "nbody_diag.h"
#include "nbody_params.h"
}
#include "pt_device.h"
#include "pt_error.h"

namespace {

constexpr int kTile = 256;         // threads per force block = sources per shared tile
constexpr int kThreads = 256;      // element-wise and diagnostics kernels
constexpr int64_t kMaxBlocks = 4096;
constexpr int kDiagBlocks = 256;   // at most, per quantity

// One source in shared memory: a 16-byte (FP32) or 2 x 16-byte (FP64) load per body.
template <typename T>
struct alignas(4 * sizeof(T)) body4 {
  T x, y, z, m;
};

// nbody_kernel's 1/sqrt(r2): the hardware reciprocal square root in FP32 (2 ulp), the
// correctly rounded 1 / sqrt in FP64, so FP64 interactions match the CPU's to an ulp.
__device__ __forceinline__ float inv_sqrt(float r2) { return rsqrtf(r2); }
__device__ __forceinline__ double inv_sqrt(double r2) { return 1.0 / sqrt(r2); }
// A product that is never merged into an FMA: the potential subtracts exactly the value
// that force_end adds back for a body's own term.
__device__ __forceinline__ float mul_rn(float a, float b) { return __fmul_rn(a, b); }
__device__ __forceinline__ double mul_rn(double a, double b) { return __dmul_rn(a, b); }

template <typename T>
struct pull_args {
  const T *tx, *ty, *tz;  // targets
  int64_t nt;
  const T *src;           // x[nb] y[nb] z[nb] m[nb]
  int64_t nb;
  T eps2;
  T *ax, *ay, *az, *ap;   // sums, carried from block to block
};

// The pull of source j on the target at (xi, yi, zi), nbody_kernel's formula. Without
// CHECK (eps2 > 0, so r2 >= eps2 > 0) the test for a pair at distance 0 is left out.
template <typename T, bool POT, bool CHECK>
__device__ __forceinline__ void interact(const body4<T> &s, T xi, T yi, T zi, T eps2, T &a0,
                                         T &a1, T &a2, T &ph) {
  const T dx = s.x - xi, dy = s.y - yi, dz = s.z - zi;
  // eps2 first: three FMAs. A body's own pair still gives exactly eps2.
  const T r2 = eps2 + dx * dx + dy * dy + dz * dz;
  const T inv = CHECK ? (r2 > T(0) ? inv_sqrt(r2) : T(0)) : inv_sqrt(r2);
  const T minv = mul_rn(s.m, inv);
  const T f = minv * inv * inv;
  a0 += f * dx;
  a1 += f * dy;
  a2 += f * dz;
  if (POT) ph -= minv;
}

// One thread per target, the sources a tile at a time through shared memory, each
// target's sum running over the sources in order (as the CPU kernel's). Threads past
// the last target still load their share of each tile and reach every barrier.
template <typename T, bool POT, bool CHECK>
__global__ void __launch_bounds__(kTile) pull(pull_args<T> a) {
  __shared__ body4<T> tile[kTile];
  const int64_t i = (int64_t)blockIdx.x * kTile + threadIdx.x;
  const bool live = i < a.nt;
  const T xi = live ? a.tx[i] : T(0), yi = live ? a.ty[i] : T(0), zi = live ? a.tz[i] : T(0);
  T a0 = live ? a.ax[i] : T(0), a1 = live ? a.ay[i] : T(0), a2 = live ? a.az[i] : T(0);
  T ph = POT && live ? a.ap[i] : T(0);
  for (int64_t j0 = 0; j0 < a.nb; j0 += kTile) {
    const int64_t j = j0 + threadIdx.x;
    if (j < a.nb) {
      body4<T> b;
      b.x = a.src[j];
      b.y = a.src[a.nb + j];
      b.z = a.src[2 * a.nb + j];
      b.m = a.src[3 * a.nb + j];
      tile[threadIdx.x] = b;
    }
    __syncthreads();
    const int64_t left = a.nb - j0;
    if (left >= kTile) {
#pragma unroll 32
      for (int k = 0; k < kTile; ++k) interact<T, POT, CHECK>(tile[k], xi, yi, zi, a.eps2, a0, a1, a2, ph);
    } else {
      for (int k = 0; k < (int)left; ++k) interact<T, POT, CHECK>(tile[k], xi, yi, zi, a.eps2, a0, a1, a2, ph);
    }
    __syncthreads();
  }
  if (live) {
    a.ax[i] = a0;
    a.ay[i] = a1;
    a.az[i] = a2;
    if (POT) a.ap[i] = ph;
  }
}

// Targets and own block from the FP64 positions and masses; sums zeroed.
template <typename T>
__global__ void begin_kernel(const double *x, const double *y, const double *z, const double *m,
                             int64_t n, T *own, T *sums) {
  const int64_t step = (int64_t)gridDim.x * blockDim.x;
  for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += step) {
    own[i] = (T)x[i];
    own[n + i] = (T)y[i];
    own[2 * n + i] = (T)z[i];
    own[3 * n + i] = (T)m[i];
    for (int c = 0; c < 4; ++c) sums[c * n + i] = T(0);
  }
}

// acc = G sums; pot = G (sum + own term), the own term being the value the pull kernel
// added for the body itself: -m / eps computed as it computed it.
template <typename T>
__global__ void end_kernel(const T *own, const T *sums, int64_t n, double G, T eps2, int with_pot,
                           double *ax, double *ay, double *az, double *pot) {
  const int64_t step = (int64_t)gridDim.x * blockDim.x;
  for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += step) {
    ax[i] = G * (double)sums[i];
    ay[i] = G * (double)sums[n + i];
    az[i] = G * (double)sums[2 * n + i];
    if (with_pot) {
      const double self = eps2 > T(0) ? (double)mul_rn(own[3 * n + i], inv_sqrt(eps2)) : 0.0;
      pot[i] = G * ((double)sums[3 * n + i] + self);
    }
  }
}

struct kick_args {
  double *y[3];
  const double *dy[3];
  int64_t n;
  double h;
};

// y += h dy for the three components, each operation rounded on its own.
__global__ void axpy3(kick_args a) {
  const int64_t step = (int64_t)gridDim.x * blockDim.x;
  for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < a.n; i += step)
    for (int c = 0; c < 3; ++c) a.y[c][i] = __dadd_rn(a.y[c][i], __dmul_rn(a.h, a.dy[c][i]));
}

struct diag_args {
  const double *x[3], *v[3], *m, *pot;
  int64_t n;
  int scale[NBODY_NQ];
};

// nbody_cpu.c's per-body term of quantity q, in the same order of operations.
__device__ double diag_term(const diag_args &s, int q, int64_t i) {
  const double m = s.m[i];
  if (q == NBODY_Q_MASS) return m;
  if (q == NBODY_Q_KIN) {
    const double v0 = s.v[0][i], v1 = s.v[1][i], v2 = s.v[2][i];
    const double vv = __dadd_rn(__dadd_rn(__dmul_rn(v0, v0), __dmul_rn(v1, v1)), __dmul_rn(v2, v2));
    return __dmul_rn(__dmul_rn(0.5, m), vv);
  }
  if (q == NBODY_Q_POT) return __dmul_rn(__dmul_rn(0.5, m), s.pot[i]);
  if (q < NBODY_Q_L) return __dmul_rn(m, s.v[q - NBODY_Q_P][i]);
  if (q < NBODY_Q_X) {
    const int c = q - NBODY_Q_L, a = (c + 1) % 3, b = (c + 2) % 3;
    return __dmul_rn(m, __dsub_rn(__dmul_rn(s.x[a][i], s.v[b][i]), __dmul_rn(s.x[b][i], s.v[a][i])));
  }
  return __dmul_rn(m, s.x[q - NBODY_Q_X][i]);
}

// pt_sum_scan over a grid-stride share of the bodies, then the block's maximum:
// part[q * gridDim.x + blockIdx.x] for quantity q = blockIdx.y.
__global__ void __launch_bounds__(kThreads) diag_maxabs_kernel(diag_args s, double *part) {
  __shared__ double sh[kThreads];
  const int q = blockIdx.y;
  double mx = 0;
  for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < s.n; i += (int64_t)gridDim.x * blockDim.x) {
    const double a = fabs(diag_term(s, q, i));
    if (!(a <= mx)) mx = a == a ? a : (double)INFINITY;
  }
  sh[threadIdx.x] = mx;
  __syncthreads();
  for (int w = kThreads / 2; w > 0; w /= 2) {
    if ((int)threadIdx.x < w) sh[threadIdx.x] = fmax(sh[threadIdx.x], sh[threadIdx.x + w]);
    __syncthreads();
  }
  if (threadIdx.x == 0) part[q * gridDim.x + blockIdx.x] = sh[0];
}

// An integer-valued double below 2^125 in magnitude as a 128-bit integer, exactly: the
// high and low 64-bit halves of |r| are each exact doubles.
__device__ __int128 to_int128(double r) {
  const double two64 = 18446744073709551616.0;
  const double a = fabs(r), hi = floor(a / two64), lo = a - hi * two64;
  const unsigned __int128 u = ((unsigned __int128)(unsigned long long)hi << 64) +
                              (unsigned long long)lo;
  return r < 0 ? -(__int128)u : (__int128)u;
}

// pt_sum_add over a grid-stride share of the bodies, then the block's exact sum.
__global__ void __launch_bounds__(kThreads) diag_sum_kernel(diag_args s, __int128 *part) {
  __shared__ __int128 sh[kThreads];
  const int q = blockIdx.y;
  __int128 acc = 0;
  for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < s.n; i += (int64_t)gridDim.x * blockDim.x)
    acc += to_int128(rint(ldexp(diag_term(s, q, i), s.scale[q])));
  sh[threadIdx.x] = acc;
  __syncthreads();
  for (int w = kThreads / 2; w > 0; w /= 2) {
    if ((int)threadIdx.x < w) sh[threadIdx.x] += sh[threadIdx.x + w];
    __syncthreads();
  }
  if (threadIdx.x == 0) part[q * gridDim.x + blockIdx.x] = sh[0];
}

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

unsigned elementwise_blocks(int64_t n) { return (unsigned)std::max<int64_t>(1, std::min(ceil_div(n, kThreads), kMaxBlocks)); }

}  // namespace

struct nbody_cuda {
  int64_t n, maxblock;
  int precision;
  size_t es;             // bytes per value in the force precision
  double *state;         // x[3] v[3] m acc[3] pot, n values each
  double *x[3], *v[3], *m, *acc[3], *pot;
  void *own;             // this rank's block, force precision (its x, y, z: the targets)
  void *src;             // a received block, force precision
  void *sums;            // ax ay az pot sums, force precision
  int diag_blocks;
  void *d_part, *h_part; // diagnostics: per-block partial results
  cudaStream_t stream;
};

static int setup(nbody_cuda *g) {
  const int64_t n = g->n;
  PT_CUDA(cudaStreamCreateWithFlags(&g->stream, cudaStreamNonBlocking));
  PT_CUDA(cudaMalloc((void **)&g->state, 11 * (size_t)n * sizeof(double)));
  PT_CUDA(cudaMemset(g->state, 0, 11 * (size_t)n * sizeof(double)));
  for (int c = 0; c < 3; ++c) {
    g->x[c] = g->state + c * n;
    g->v[c] = g->state + (3 + c) * n;
    g->acc[c] = g->state + (7 + c) * n;
  }
  g->m = g->state + 6 * n;
  g->pot = g->state + 10 * n;
  PT_CUDA(cudaMalloc(&g->own, 4 * (size_t)n * g->es));
  PT_CUDA(cudaMalloc(&g->src, 4 * (size_t)std::max<int64_t>(g->maxblock, 1) * g->es));
  PT_CUDA(cudaMalloc(&g->sums, 4 * (size_t)n * g->es));
  g->diag_blocks = (int)std::max<int64_t>(1, std::min<int64_t>(ceil_div(n, kThreads), kDiagBlocks));
  const size_t part = (size_t)NBODY_NQ * g->diag_blocks * sizeof(__int128);
  PT_CUDA(cudaMalloc(&g->d_part, part));
  if (!(g->h_part = malloc(part))) return PT_ERROR(PT_ERR_NOMEM, "out of memory");
  PT_CUDA(cudaStreamSynchronize(g->stream));
  return PT_OK;
}

int nbody_cuda_create(int64_t n, int64_t maxblock, int precision, nbody_cuda **out) {
  *out = nullptr;
  nbody_cuda *g = (nbody_cuda *)calloc(1, sizeof *g);
  if (!g) return PT_ERROR(PT_ERR_NOMEM, "out of memory");
  g->n = n;
  g->maxblock = maxblock;
  g->precision = precision;
  g->es = precision == NBODY_FP64 ? sizeof(double) : sizeof(float);
  int err = setup(g);
  if (err) {
    nbody_cuda_destroy(&g);
    return err;
  }
  *out = g;
  return PT_OK;
}

void nbody_cuda_destroy(nbody_cuda **gp) {
  nbody_cuda *g = *gp;
  if (!g) return;
  // Teardown: a failure cannot be acted on here and must not mask the error that may
  // have brought us here, so results are deliberately not checked.
  if (g->stream) (void)cudaStreamSynchronize(g->stream);
  (void)cudaFree(g->state);
  (void)cudaFree(g->own);
  (void)cudaFree(g->src);
  (void)cudaFree(g->sums);
  (void)cudaFree(g->d_part);
  free(g->h_part);
  if (g->stream) (void)cudaStreamDestroy(g->stream);
  free(g);
  *gp = nullptr;
}

static int copy(nbody_cuda *g, void *dst, const void *src, int64_t count, cudaMemcpyKind kind) {
  PT_CUDA(cudaMemcpyAsync(dst, src, (size_t)count * sizeof(double), kind, g->stream));
  return PT_OK;
}

int nbody_cuda_upload(nbody_cuda *g, const pt_particles *p) {
  for (int c = 0; c < 3; ++c) {
    PT_TRY(copy(g, g->x[c], p->x[c], g->n, cudaMemcpyHostToDevice));
    PT_TRY(copy(g, g->v[c], p->v[c], g->n, cudaMemcpyHostToDevice));
  }
  PT_TRY(copy(g, g->m, p->mass, g->n, cudaMemcpyHostToDevice));
  PT_CUDA(cudaStreamSynchronize(g->stream));
  return PT_OK;
}

int nbody_cuda_download(nbody_cuda *g, pt_particles *p, double *const acc[3], double *pot) {
  for (int c = 0; c < 3; ++c) {
    PT_TRY(copy(g, p->x[c], g->x[c], g->n, cudaMemcpyDeviceToHost));
    PT_TRY(copy(g, p->v[c], g->v[c], g->n, cudaMemcpyDeviceToHost));
    if (acc) PT_TRY(copy(g, acc[c], g->acc[c], g->n, cudaMemcpyDeviceToHost));
  }
  if (pot) PT_TRY(copy(g, pot, g->pot, g->n, cudaMemcpyDeviceToHost));
  PT_CUDA(cudaStreamSynchronize(g->stream));
  return PT_OK;
}

int nbody_cuda_force_begin(nbody_cuda *g, void *own) {
  const unsigned blocks = elementwise_blocks(g->n);
  if (g->precision == NBODY_FP64)
    begin_kernel<double><<<blocks, kThreads, 0, g->stream>>>(g->x[0], g->x[1], g->x[2], g->m, g->n,
                                                             (double *)g->own, (double *)g->sums);
  else
    begin_kernel<float><<<blocks, kThreads, 0, g->stream>>>(g->x[0], g->x[1], g->x[2], g->m, g->n,
                                                            (float *)g->own, (float *)g->sums);
  PT_CUDA(cudaGetLastError());
  if (own)
    PT_CUDA(cudaMemcpyAsync(own, g->own, 4 * (size_t)g->n * g->es, cudaMemcpyDeviceToHost, g->stream));
  PT_CUDA(cudaStreamSynchronize(g->stream));
  return PT_OK;
}

template <typename T>
static int launch_pull(nbody_cuda *g, const void *src, int64_t nb, double eps, int with_pot) {
  const T *own = (const T *)g->own;
  T *sums = (T *)g->sums;
  const int64_t n = g->n;
  pull_args<T> a = {own, own + n, own + 2 * n, n, (const T *)src, nb, (T)(eps * eps),
                    sums, sums + n, sums + 2 * n, sums + 3 * n};
  const dim3 grid((unsigned)ceil_div(n, kTile));
  const bool check = !(a.eps2 > T(0));
  if (with_pot && check) pull<T, true, true><<<grid, kTile, 0, g->stream>>>(a);
  else if (with_pot) pull<T, true, false><<<grid, kTile, 0, g->stream>>>(a);
  else if (check) pull<T, false, true><<<grid, kTile, 0, g->stream>>>(a);
  else pull<T, false, false><<<grid, kTile, 0, g->stream>>>(a);
  PT_CUDA(cudaGetLastError());
  return PT_OK;
}

int nbody_cuda_add_block(nbody_cuda *g, const void *blk, int64_t nb, double eps, int with_pot) {
  const void *src = g->own;
  if (blk) {
    if (nb > g->maxblock)
      return PT_ERROR(PT_ERR_RUNTIME, "source block of %lld bodies exceeds the device buffer (%lld)",
                      (long long)nb, (long long)g->maxblock);
    // Queued behind the previous block's kernel, which may still read g->src; waiting
    // for the copy leaves `blk` free for MPI to fill again.
    PT_CUDA(cudaMemcpyAsync(g->src, blk, 4 * (size_t)nb * g->es, cudaMemcpyHostToDevice, g->stream));
    PT_CUDA(cudaStreamSynchronize(g->stream));
    src = g->src;
  } else if (nb != g->n) {
    return PT_ERROR(PT_ERR_RUNTIME, "own block of %lld bodies, expected %lld", (long long)nb,
                    (long long)g->n);
  }
  if (nb <= 0) return PT_OK;
  if (g->precision == NBODY_FP64) return launch_pull<double>(g, src, nb, eps, with_pot);
  return launch_pull<float>(g, src, nb, eps, with_pot);
}

int nbody_cuda_force_end(nbody_cuda *g, double G, double eps, int with_pot) {
  const unsigned blocks = elementwise_blocks(g->n);
  if (g->precision == NBODY_FP64)
    end_kernel<double><<<blocks, kThreads, 0, g->stream>>>((const double *)g->own, (const double *)g->sums,
        g->n, G, eps * eps, with_pot, g->acc[0], g->acc[1], g->acc[2], g->pot);
  else
    end_kernel<float><<<blocks, kThreads, 0, g->stream>>>((const float *)g->own, (const float *)g->sums,
        g->n, G, (float)(eps * eps), with_pot, g->acc[0], g->acc[1], g->acc[2], g->pot);
  PT_CUDA(cudaGetLastError());
  PT_CUDA(cudaStreamSynchronize(g->stream));
  return PT_OK;
}

static int axpy(nbody_cuda *g, double *const y[3], double *const dy[3], double h) {
  kick_args a;
  for (int c = 0; c < 3; ++c) {
    a.y[c] = y[c];
    a.dy[c] = dy[c];
  }
  a.n = g->n;
  a.h = h;
  axpy3<<<elementwise_blocks(g->n), kThreads, 0, g->stream>>>(a);
  PT_CUDA(cudaGetLastError());
  PT_CUDA(cudaStreamSynchronize(g->stream));
  return PT_OK;
}

int nbody_cuda_kick(nbody_cuda *g, double h) { return axpy(g, g->v, g->acc, h); }
int nbody_cuda_drift(nbody_cuda *g, double h) { return axpy(g, g->x, g->v, h); }

static diag_args diag_state(const nbody_cuda *g) {
  diag_args s;
  for (int c = 0; c < 3; ++c) {
    s.x[c] = g->x[c];
    s.v[c] = g->v[c];
  }
  s.m = g->m;
  s.pot = g->pot;
  s.n = g->n;
  for (int q = 0; q < NBODY_NQ; ++q) s.scale[q] = 0;
  return s;
}

// Runs one diagnostics pass and copies its partial results (one per block and
// quantity, `size` bytes each) to h_part.
static int diag_pass(nbody_cuda *g, const diag_args &s, size_t size, bool sum) {
  const dim3 grid((unsigned)g->diag_blocks, NBODY_NQ);
  if (sum) diag_sum_kernel<<<grid, kThreads, 0, g->stream>>>(s, (__int128 *)g->d_part);
  else diag_maxabs_kernel<<<grid, kThreads, 0, g->stream>>>(s, (double *)g->d_part);
  PT_CUDA(cudaGetLastError());
  PT_CUDA(cudaMemcpyAsync(g->h_part, g->d_part, (size_t)NBODY_NQ * g->diag_blocks * size,
                          cudaMemcpyDeviceToHost, g->stream));
  PT_CUDA(cudaStreamSynchronize(g->stream));
  return PT_OK;
}

int nbody_cuda_diag_maxabs(nbody_cuda *g, double maxabs[]) {
  PT_TRY(diag_pass(g, diag_state(g), sizeof(double), false));
  const double *part = (const double *)g->h_part;
  for (int q = 0; q < NBODY_NQ; ++q) {
    maxabs[q] = 0;
    for (int b = 0; b < g->diag_blocks; ++b) maxabs[q] = std::max(maxabs[q], part[q * g->diag_blocks + b]);
  }
  return PT_OK;
}

int nbody_cuda_diag_sums(nbody_cuda *g, const int scale[], __int128 acc[]) {
  diag_args s = diag_state(g);
  for (int q = 0; q < NBODY_NQ; ++q) s.scale[q] = scale[q];
  PT_TRY(diag_pass(g, s, sizeof(__int128), true));
  const __int128 *part = (const __int128 *)g->h_part;
  for (int q = 0; q < NBODY_NQ; ++q) {
    acc[q] = 0;
    for (int b = 0; b < g->diag_blocks; ++b) acc[q] += part[q * g->diag_blocks + b];
  }
  return PT_OK;
}

void nbody_cuda_check(int err) {
  if (err != PT_OK) pt_abort_recorded();
}
