// heat_cuda: the explicit heat step on a CUDA device (see heat_cuda.h).
#include "heat_cuda.h"

#include <algorithm>
#include <climits>
#include <cstdlib>

#include <cuda_runtime.h>

#include "pt_device.h"
#include "pt_error.h"

namespace {

enum face_mode { FACE_SEND, FACE_RECV, FACE_DIRICHLET, FACE_NEUMANN };

// One face in a face kernel's launch: elements [first, first + count) of the launch are
// the cells of face (axis, side), at `buf` onwards in the send/receive buffer.
struct face_entry {
  int axis, side, mode;
  int64_t first, count, buf;
  double two_v;  // Dirichlet: the ghost is 2 v - u, as heat_apply_bc computes it
};

struct face_table {
  int n;
  int64_t total;
  face_entry e[HEAT_NFACE];
};

struct geometry {
  int ndim;
  int64_t n[PT_MAXDIM], stride[PT_MAXDIM];
};

// A box update: u and v address local index 0 of the input and output fields.
struct stencil {
  const double *u;
  double *v;
  int64_t s0, s1;  // strides of axes 0 and 1; the last axis is contiguous
  double c0, c1, c2, q;
  int64_t lo[PT_MAXDIM], hi[PT_MAXDIM];
  int64_t span;    // cells along axis 0 that one thread walks
};

constexpr int kFaceThreads = 256;
constexpr int kRowThreads = 256;                 // 2D: threads along the contiguous axis
constexpr int kTileK = 32, kTileJ = 8;           // 3D: threads over the two fast axes
constexpr int64_t kSpan = 32;                    // cells along axis 0 per thread
constexpr int64_t kMaxGrid = 65535;              // gridDim.y and gridDim.z limit

// Every face listed in `t` in one launch: pack into buf, or fill the ghost layer from
// buf or from the boundary condition. Faces are small next to the volume, so the index
// arithmetic does not matter.
__global__ void faces_kernel(double *u, double *buf, geometry g, face_table t) {
  const int64_t step = (int64_t)gridDim.x * blockDim.x;
  for (int64_t x = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; x < t.total; x += step) {
    int k = 0;
    while (x >= t.e[k].first + t.e[k].count) ++k;
    const face_entry e = t.e[k];
    int64_t r = x - e.first, adj = 0;
    for (int d = g.ndim - 1; d >= 0; --d) {
      if (d == e.axis) continue;
      adj += (r % g.n[d]) * g.stride[d];
      r /= g.n[d];
    }
    adj += (e.side ? g.n[e.axis] - 1 : 0) * g.stride[e.axis];
    const int64_t ghost = adj + (e.side ? g.stride[e.axis] : -g.stride[e.axis]);
    const int64_t b = e.buf + (x - e.first);
    switch (e.mode) {
      case FACE_SEND: buf[b] = u[adj]; break;
      case FACE_RECV: u[ghost] = buf[b]; break;
      case FACE_DIRICHLET: u[ghost] = __dsub_rn(e.two_v, u[adj]); break;
      default: u[ghost] = u[adj]; break;
    }
  }
}

// (m + p) - 2u with each operation rounded on its own: the CPU kernel is compiled with
// -ffp-contract=off, and the _rn intrinsics are never contracted into an FMA.
__device__ __forceinline__ double second_diff(double m, double p, double two_u) {
  return __dsub_rn(__dadd_rn(m, p), two_u);
}

// Each thread walks `span` cells along axis 0, keeping the previous, current and next
// values in registers: one new load per cell from memory along that axis.
__global__ void stencil2d(stencil a) {
  const int64_t j = a.lo[1] + (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
  const int64_t i0 = a.lo[0] + (int64_t)blockIdx.y * a.span;
  if (j >= a.hi[1] || i0 >= a.hi[0]) return;
  const int64_t i1 = min(i0 + a.span, a.hi[0]);
  const double *p = a.u + i0 * a.s0 + j;
  double *w = a.v + i0 * a.s0 + j;
  double up = __ldg(p - a.s0), mid = __ldg(p);
  for (int64_t i = i0; i < i1; ++i, p += a.s0, w += a.s0) {
    const double down = __ldg(p + a.s0);
    const double two = __dmul_rn(2.0, mid);
    const double t0 = __dmul_rn(a.c0, second_diff(up, down, two));
    const double t1 = __dmul_rn(a.c1, second_diff(__ldg(p - 1), __ldg(p + 1), two));
    *w = __dadd_rn(__dadd_rn(mid, __dadd_rn(t0, t1)), a.q);
    up = mid;
    mid = down;
  }
}

__global__ void stencil3d(stencil a) {
  const int64_t k = a.lo[2] + (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
  const int64_t i0 = a.lo[0] + (int64_t)blockIdx.z * a.span;
  if (k >= a.hi[2] || i0 >= a.hi[0]) return;
  const int64_t i1 = min(i0 + a.span, a.hi[0]);
  for (int64_t j = a.lo[1] + (int64_t)blockIdx.y * blockDim.y + threadIdx.y; j < a.hi[1];
       j += (int64_t)gridDim.y * blockDim.y) {
    const double *p = a.u + i0 * a.s0 + j * a.s1 + k;
    double *w = a.v + i0 * a.s0 + j * a.s1 + k;
    double up = __ldg(p - a.s0), mid = __ldg(p);
    for (int64_t i = i0; i < i1; ++i, p += a.s0, w += a.s0) {
      const double down = __ldg(p + a.s0);
      const double two = __dmul_rn(2.0, mid);
      const double t0 = __dmul_rn(a.c0, second_diff(up, down, two));
      const double t1 = __dmul_rn(a.c1, second_diff(__ldg(p - a.s1), __ldg(p + a.s1), two));
      const double t2 = __dmul_rn(a.c2, second_diff(__ldg(p - 1), __ldg(p + 1), two));
      *w = __dadd_rn(__dadd_rn(mid, __dadd_rn(__dadd_rn(t0, t1), t2)), a.q);
      up = mid;
      mid = down;
    }
  }
}

void add_face(face_table *t, int axis, int side, int mode, int64_t count, int64_t buf, double two_v) {
  face_entry &e = t->e[t->n++];
  e.axis = axis;
  e.side = side;
  e.mode = mode;
  e.first = t->total;
  e.count = count;
  e.buf = buf;
  e.two_v = two_v;
  t->total += count;
}

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

}  // namespace

struct heat_cuda {
  geometry geo;
  size_t bytes;          // one field's allocation
  ptrdiff_t data_off;    // local index 0 from the start of the allocation
  double *field[2];      // device allocations
  double c[PT_MAXDIM], q;
  // pack: faces with a neighbour; fill: those and the physical faces; bc: physical only
  face_table pack, fill, bc;
  heat_cuda_faces faces;
  double *d_send, *d_recv, *h_send, *h_recv;
  cudaStream_t stream[2];
};

static int setup(heat_cuda *g, const heat_params *p, const pt_field *f, const double c[],
                 double q, int mpi_direct) {
  const pt_decomp *dc = f->decomp;
  g->geo.ndim = f->ndim;
  g->bytes = sizeof(double);
  for (int d = 0; d < f->ndim; ++d) {
    g->geo.n[d] = f->n[d];
    g->geo.stride[d] = f->stride[d];
    g->c[d] = c[d];
    g->bytes *= (size_t)f->alloc[d];
  }
  g->data_off = f->data - f->base;
  g->q = q;

  int64_t off = 0;
  for (int k = 0; k < HEAT_NFACE; ++k) {
    g->faces.off[k] = off;
    const int a = k / 2, side = k % 2;
    if (a >= f->ndim) continue;
    int64_t count = 1;
    for (int e = 0; e < f->ndim; ++e)
      if (e != a) count *= f->n[e];
    if (dc->nbr[a][side] != MPI_PROC_NULL) {
      if (count > INT_MAX)
        return PT_ERROR(PT_ERR_INPUT, "a block face of %lld cells is too large for one MPI message",
                        (long long)count);
      add_face(&g->pack, a, side, FACE_SEND, count, off, 0);
      add_face(&g->fill, a, side, FACE_RECV, count, off, 0);
      off += count;
    } else if (p->bc[a][side] != HEAT_BC_PERIODIC) {
      const int mode = p->bc[a][side] == HEAT_BC_DIRICHLET ? FACE_DIRICHLET : FACE_NEUMANN;
      const double two_v = 2.0 * p->bc_value[a][side];
      add_face(&g->fill, a, side, mode, count, 0, two_v);
      add_face(&g->bc, a, side, mode, count, 0, two_v);
    }
  }
  g->faces.off[HEAT_NFACE] = off;

  // The boundary stream gets the higher priority: its blocks go ahead of the interior's.
  int least, greatest;
  PT_CUDA(cudaDeviceGetStreamPriorityRange(&least, &greatest));
  PT_CUDA(cudaStreamCreateWithPriority(&g->stream[HEAT_CUDA_INTERIOR], cudaStreamNonBlocking, least));
  PT_CUDA(cudaStreamCreateWithPriority(&g->stream[HEAT_CUDA_BOUNDARY], cudaStreamNonBlocking, greatest));
  for (int k = 0; k < 2; ++k) {
    PT_CUDA(cudaMalloc((void **)&g->field[k], g->bytes));
    // As pt_field_create: ghosts nobody fills (an exchange switched off) stay zero.
    PT_CUDA(cudaMemset(g->field[k], 0, g->bytes));
  }
  if (off > 0) {
    const size_t fb = (size_t)off * sizeof(double);
    PT_CUDA(cudaMalloc((void **)&g->d_send, fb));
    PT_CUDA(cudaMalloc((void **)&g->d_recv, fb));
    if (!mpi_direct) {
      // Debian's Open MPI cannot read device memory: stage through pinned host buffers.
      PT_CUDA(cudaMallocHost((void **)&g->h_send, fb));
      PT_CUDA(cudaMallocHost((void **)&g->h_recv, fb));
    }
  }
  g->faces.send = mpi_direct ? g->d_send : g->h_send;
  g->faces.recv = mpi_direct ? g->d_recv : g->h_recv;
  PT_CUDA(cudaDeviceSynchronize());
  return PT_OK;
}

int heat_cuda_create(const heat_params *p, const pt_field *f, const double c[], double q,
                     int mpi_direct, heat_cuda **out) {
  *out = nullptr;
  heat_cuda *g = (heat_cuda *)calloc(1, sizeof *g);
  if (!g) return PT_ERROR(PT_ERR_NOMEM, "out of memory");
  int err = setup(g, p, f, c, q, mpi_direct);
  if (err) {
    heat_cuda_destroy(&g);
    return err;
  }
  *out = g;
  return PT_OK;
}

void heat_cuda_destroy(heat_cuda **gp) {
  heat_cuda *g = *gp;
  if (!g) return;
  // Teardown: a failure here cannot be acted on, and must not mask the error that may
  // have brought us here, so results are deliberately not checked.
  for (int k = 0; k < 2; ++k) {
    if (g->stream[k]) (void)cudaStreamSynchronize(g->stream[k]);
    (void)cudaFree(g->field[k]);
  }
  (void)cudaFree(g->d_send);
  (void)cudaFree(g->d_recv);
  (void)cudaFreeHost(g->h_send);
  (void)cudaFreeHost(g->h_recv);
  for (int k = 0; k < 2; ++k)
    if (g->stream[k]) (void)cudaStreamDestroy(g->stream[k]);
  free(g);
  *gp = nullptr;
}

const heat_cuda_faces *heat_cuda_faces_of(const heat_cuda *g) { return &g->faces; }

int heat_cuda_sync(heat_cuda *g) {
  PT_CUDA(cudaStreamSynchronize(g->stream[HEAT_CUDA_INTERIOR]));
  PT_CUDA(cudaStreamSynchronize(g->stream[HEAT_CUDA_BOUNDARY]));
  return PT_OK;
}

int heat_cuda_upload(heat_cuda *g, int k, const pt_field *f) {
  cudaStream_t s = g->stream[HEAT_CUDA_BOUNDARY];
  PT_TRY(heat_cuda_sync(g));
  PT_CUDA(cudaMemcpyAsync(g->field[k], f->base, g->bytes, cudaMemcpyHostToDevice, s));
  PT_CUDA(cudaStreamSynchronize(s));
  return PT_OK;
}

int heat_cuda_download(heat_cuda *g, int k, pt_field *f) {
  cudaStream_t s = g->stream[HEAT_CUDA_BOUNDARY];
  PT_TRY(heat_cuda_sync(g));
  PT_CUDA(cudaMemcpyAsync(f->base, g->field[k], g->bytes, cudaMemcpyDeviceToHost, s));
  PT_CUDA(cudaStreamSynchronize(s));
  return PT_OK;
}

static int launch_faces(heat_cuda *g, const face_table *t, int k, double *buf) {
  const unsigned blocks = (unsigned)std::min<int64_t>(ceil_div(t->total, kFaceThreads), 4096);
  faces_kernel<<<blocks, kFaceThreads, 0, g->stream[HEAT_CUDA_BOUNDARY]>>>(
      g->field[k] + g->data_off, buf, g->geo, *t);
  PT_CUDA(cudaGetLastError());
  return PT_OK;
}

int heat_cuda_pack(heat_cuda *g, int k) {
  if (!g->pack.n) return PT_OK;
  PT_TRY(launch_faces(g, &g->pack, k, g->d_send));
  if (g->h_send)
    PT_CUDA(cudaMemcpyAsync(g->h_send, g->d_send, (size_t)g->pack.total * sizeof(double),
                            cudaMemcpyDeviceToHost, g->stream[HEAT_CUDA_BOUNDARY]));
  return PT_OK;
}

int heat_cuda_pack_wait(heat_cuda *g) {
  PT_CUDA(cudaStreamSynchronize(g->stream[HEAT_CUDA_BOUNDARY]));
  return PT_OK;
}

int heat_cuda_fill_ghosts(heat_cuda *g, int k, int received) {
  const face_table *t = received ? &g->fill : &g->bc;
  if (received && g->h_recv)
    PT_CUDA(cudaMemcpyAsync(g->d_recv, g->h_recv, (size_t)g->pack.total * sizeof(double),
                            cudaMemcpyHostToDevice, g->stream[HEAT_CUDA_BOUNDARY]));
  if (t->n) PT_TRY(launch_faces(g, t, k, g->d_recv));
  return PT_OK;
}

int heat_cuda_box(heat_cuda *g, int k, const int64_t lo[], const int64_t hi[], int stream) {
  const int nd = g->geo.ndim;
  stencil a;
  for (int d = 0; d < nd; ++d) {
    if (hi[d] <= lo[d]) return PT_OK;
    a.lo[d] = lo[d];
    a.hi[d] = hi[d];
  }
  a.u = g->field[k] + g->data_off;
  a.v = g->field[1 - k] + g->data_off;
  a.s0 = g->geo.stride[0];
  a.s1 = nd == 3 ? g->geo.stride[1] : 0;
  a.c0 = g->c[0];
  a.c1 = g->c[1];
  a.c2 = nd == 3 ? g->c[2] : 0.0;
  a.q = g->q;
  // Enough cells per thread along axis 0 that the grid fits gridDim's limit.
  const int64_t rows = hi[0] - lo[0];
  a.span = std::max(kSpan, ceil_div(rows, kMaxGrid));
  const unsigned walks = (unsigned)ceil_div(rows, a.span);
  cudaStream_t s = g->stream[stream];
  if (nd == 2) {
    dim3 grid((unsigned)ceil_div(hi[1] - lo[1], kRowThreads), walks);
    stencil2d<<<grid, kRowThreads, 0, s>>>(a);
  } else {
    dim3 block(kTileK, kTileJ);
    dim3 grid((unsigned)ceil_div(hi[2] - lo[2], kTileK),
              (unsigned)std::min(ceil_div(hi[1] - lo[1], kTileJ), kMaxGrid), walks);
    stencil3d<<<grid, block, 0, s>>>(a);
  }
  PT_CUDA(cudaGetLastError());
  return PT_OK;
}
