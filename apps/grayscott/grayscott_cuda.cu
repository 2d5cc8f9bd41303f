// grayscott_cuda: partita-grayscott on this rank's CUDA device (see grayscott_device.h).
// Four device fields in the host fields' layout (ghosts and padding included, so a
// transfer is one copy), one kernel that packs every face crossing to a neighbour (u's
// cells, then v's, one message per face), one that fills every ghost face (received values
// and zero-flux walls) and the update. Built with -fmad=false (Makefile.am): the update is
// written as grayscott.c's and every operation is rounded on its own, so u and v are the
// CPU's bit for bit.
#include "grayscott_device.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include <cuda_runtime.h>

#include "pt_device.h"
#include "pt_error.h"
#include "pt_halo.h"

namespace {

constexpr int kFaces = 2 * PT_MAXDIM;
constexpr int kFaceThreads = 256;
constexpr int kThreadsX = 128, kThreadsY = 4;  // the update: x along the contiguous axis
constexpr int64_t kMaxGrid = 65535;            // gridDim.y and gridDim.z limit

enum face_mode { FACE_SEND, FACE_RECV, FACE_WALL };

// One face of one field in a face kernel's launch: elements [first, first + count) of
// the launch are the cells of face (axis, side) of field `field`, at `buf` onwards in the
// send or receive buffer.
struct face_entry {
  int axis, side, field, mode;
  int64_t first, count, buf;
};

struct face_table {
  int n;
  int64_t total;
  face_entry e[2 * kFaces];
};

struct geometry {
  int ndim;
  int64_t n[PT_MAXDIM], stride[PT_MAXDIM];
};

// The update in grayscott.c's terms: three loop axes, the slowest first (in 2D the first
// has one layer), strides st and weights c = 1 / h^2 per loop axis.
struct update_args {
  const double *u, *v;  // local index 0 of buffer cur
  double *un, *vn;      // and of the other buffer
  int first;            // the first loop axis that is a grid axis: 3 - ndim
  int64_t n[3], st[3];
  double c[3], dt, F, Fk, Du, Dv;
};

// Every face listed in `t` in one launch; faces are small next to the volume, so the
// index arithmetic does not matter. u0, u1: local index 0 of u and v of one buffer.
__global__ void faces_kernel(double *u0, double *u1, double *buf, geometry g, face_table t) {
  const int64_t step = (int64_t)gridDim.x * blockDim.x;
  for (int64_t x = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; x < t.total; x += step) {
    int k = 0;
    while (x >= t.e[k].first + t.e[k].count) ++k;
    const face_entry e = t.e[k];
    double *u = e.field ? u1 : u0;
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
      default: u[ghost] = u[adj]; break;  // pt_field_wall's PT_WALL_NEUMANN
    }
  }
}

// grayscott.c's update() cell by cell, the same expression in the same order; with
// -fmad=false nothing is fused into an FMA.
__global__ void update_kernel(update_args a) {
  const int64_t sy = (int64_t)gridDim.y * blockDim.y, sx = (int64_t)gridDim.x * blockDim.x;
  for (int64_t i = blockIdx.z; i < a.n[0]; i += gridDim.z)
    for (int64_t j = (int64_t)blockIdx.y * blockDim.y + threadIdx.y; j < a.n[1]; j += sy) {
      const int64_t r = i * a.st[0] + j * a.st[1];
      const double *u = a.u + r, *v = a.v + r;
      for (int64_t m = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; m < a.n[2]; m += sx) {
        double lu = 0, lv = 0;
        for (int d = a.first; d < 3; ++d) {
          const int64_t s = d == 2 ? 1 : a.st[d];
          lu += a.c[d] * (u[m + s] + u[m - s] - 2.0 * u[m]);
          lv += a.c[d] * (v[m + s] + v[m - s] - 2.0 * v[m]);
        }
        const double uvv = u[m] * v[m] * v[m];
        a.un[r + m] = u[m] + a.dt * (a.Du * lu - uvv + a.F * (1.0 - u[m]));
        a.vn[r + m] = v[m] + a.dt * (a.Dv * lv + uvv - a.Fk * v[m]);
      }
    }
}

void add_face(face_table *t, int axis, int side, int field, int mode, int64_t count, int64_t buf) {
  face_entry &e = t->e[t->n++];
  e.axis = axis;
  e.side = side;
  e.field = field;
  e.mode = mode;
  e.first = t->total;
  e.count = count;
  e.buf = buf;
  t->total += count;
}

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

struct state {
  pt_field *host[2][2];   // borrowed: the host fields
  geometry geo;
  size_t bytes;           // one field's allocation
  ptrdiff_t data_off;     // local index 0 from the start of the allocation
  double *field[2][2];    // device allocations, [buffer][u, v]
  update_args args;       // without the field pointers
  face_table pack, fill;  // pack: faces with a neighbour; fill: those and the walls
  int64_t off[kFaces + 1];
  double *d_send, *d_recv, *h_send, *h_recv;
  cudaStream_t stream;
  pt_halo *halo;
  int device_stale;       // the host's buffer is newer (before the first step)
  int host_stale;         // the device's buffer is newer
};

void destroy(void **impl) {
  state *dv = (state *)*impl;
  if (!dv) return;
  pt_halo_destroy(&dv->halo);
  // Teardown: a failure here cannot be acted on, and must not mask the error that may
  // have brought us here, so results are deliberately not checked.
  if (dv->stream) (void)cudaStreamSynchronize(dv->stream);
  for (int b = 0; b < 2; ++b)
    for (int q = 0; q < 2; ++q) (void)cudaFree(dv->field[b][q]);
  (void)cudaFree(dv->d_send);
  (void)cudaFree(dv->d_recv);
  (void)cudaFreeHost(dv->h_send);
  (void)cudaFreeHost(dv->h_recv);
  if (dv->stream) (void)cudaStreamDestroy(dv->stream);
  free(dv);
  *impl = nullptr;
}

// This rank's share of create: the device memory and the face tables. Not collective.
int setup(state *dv, pt_field *f[2][2], const double h[], double dt, double F, double k,
          const double D[2]) {
  const pt_field *f0 = f[0][0];
  const pt_decomp *dc = f0->decomp;
  dv->geo.ndim = f0->ndim;
  dv->bytes = sizeof(double);
  for (int d = 0; d < f0->ndim; ++d) {
    dv->geo.n[d] = f0->n[d];
    dv->geo.stride[d] = f0->stride[d];
    dv->bytes *= (size_t)f0->alloc[d];
  }
  dv->data_off = f0->data - f0->base;
  for (int b = 0; b < 2; ++b)
    for (int q = 0; q < 2; ++q) dv->host[b][q] = f[b][q];

  // The constants as grayscott.c's update() computes them.
  update_args &a = dv->args;
  a.first = 3 - f0->ndim;
  for (int l = 0; l < 3; ++l) {
    a.n[l] = 1;
    a.st[l] = 0;
    a.c[l] = 0;
  }
  for (int d = 0; d < f0->ndim; ++d) {
    a.n[d + a.first] = f0->n[d];
    a.st[d + a.first] = f0->stride[d];
    a.c[d + a.first] = 1.0 / (h[d] * h[d]);
  }
  a.dt = dt;
  a.F = F;
  a.Fk = F + k;
  a.Du = D[0];
  a.Dv = D[1];

  int64_t off = 0;
  for (int face = 0; face < kFaces; ++face) {
    dv->off[face] = off;
    const int axis = face / 2, side = face % 2;
    if (axis >= f0->ndim) continue;
    int64_t count = 1;
    for (int e = 0; e < f0->ndim; ++e)
      if (e != axis) count *= f0->n[e];
    for (int q = 0; q < 2; ++q)
      if (dc->nbr[axis][side] != MPI_PROC_NULL) {
        add_face(&dv->pack, axis, side, q, FACE_SEND, count, off + q * count);
        add_face(&dv->fill, axis, side, q, FACE_RECV, count, off + q * count);
      } else {
        add_face(&dv->fill, axis, side, q, FACE_WALL, count, 0);
      }
    if (dc->nbr[axis][side] != MPI_PROC_NULL) off += 2 * count;
  }
  dv->off[kFaces] = off;

  PT_CUDA(cudaStreamCreateWithFlags(&dv->stream, cudaStreamNonBlocking));
  for (int b = 0; b < 2; ++b)
    for (int q = 0; q < 2; ++q) {
      PT_CUDA(cudaMalloc((void **)&dv->field[b][q], dv->bytes));
      // As pt_field_create: the other buffer starts zero on the host too.
      PT_CUDA(cudaMemset(dv->field[b][q], 0, dv->bytes));
    }
  if (off > 0) {
    const size_t fb = (size_t)off * sizeof(double);
    PT_CUDA(cudaMalloc((void **)&dv->d_send, fb));
    PT_CUDA(cudaMalloc((void **)&dv->d_recv, fb));
    if (!pt_device_mpi_cuda_aware()) {
      // An MPI that cannot read device memory gets pinned host copies of the faces.
      PT_CUDA(cudaMallocHost((void **)&dv->h_send, fb));
      PT_CUDA(cudaMallocHost((void **)&dv->h_recv, fb));
    }
  }
  PT_CUDA(cudaDeviceSynchronize());
  dv->device_stale = 1;
  return PT_OK;
}

int create(const pt_config *cfg, pt_field *f[2][2], int halo, const pt_device_info *,
           const pt_opencl_options *, const double h[], double dt, double F, double k,
           const double D[2], void **impl) {
  *impl = nullptr;
  // Every rank has the same deck: the same verdict everywhere, no agreement needed.
  if (halo != PT_HALO_P2P && halo != PT_HALO_NEIGHBOR)
    return pt_config_error(cfg, "run.halo", "'%s' does not exist with run.backend = cuda (the "
                           "faces are packed on the device and sent as messages): set it to p2p "
                           "or neighbor", pt_halo_kind_names[halo]);
  MPI_Comm cart = f[0][0]->decomp->cart;
  state *dv = (state *)calloc(1, sizeof *dv);
  int err = dv ? setup(dv, f, h, dt, F, k, D) : PT_ERROR(PT_ERR_NOMEM, "out of memory");
  err = pt_agree(cart, err);
  if (!err) {
    const bool staged = dv->h_send != nullptr;
    err = pt_halo_create_packed(f[0][0], (pt_halo_kind)halo, dv->off,
                                staged ? dv->h_send : dv->d_send, staged ? dv->h_recv : dv->d_recv,
                                &dv->halo);
  }
  void *impl_dv = dv;
  if (err) destroy(&impl_dv);
  *impl = impl_dv;
  return err;
}

int launch_faces(state *dv, const face_table *t, int cur, double *buf) {
  if (!t->n || !t->total) return PT_OK;
  const unsigned blocks = (unsigned)std::min<int64_t>(ceil_div(t->total, kFaceThreads), 4096);
  faces_kernel<<<blocks, kFaceThreads, 0, dv->stream>>>(dv->field[cur][0] + dv->data_off,
                                                         dv->field[cur][1] + dv->data_off, buf,
                                                         dv->geo, *t);
  PT_CUDA(cudaGetLastError());
  return PT_OK;
}

int transfer(state *dv, int cur, cudaMemcpyKind kind) {
  for (int q = 0; q < 2; ++q) {
    double *host = dv->host[cur][q]->base, *dev = dv->field[cur][q];
    PT_CUDA(cudaMemcpyAsync(kind == cudaMemcpyHostToDevice ? (void *)dev : (void *)host,
                            kind == cudaMemcpyHostToDevice ? (void *)host : (void *)dev, dv->bytes,
                            kind, dv->stream));
  }
  PT_CUDA(cudaStreamSynchronize(dv->stream));
  return PT_OK;
}

int run_exchange(state *dv, int cur) {
  if (dv->device_stale) {
    PT_TRY(transfer(dv, cur, cudaMemcpyHostToDevice));
    dv->device_stale = 0;
  }
  const int64_t total = dv->off[kFaces];
  if (total > 0) {
    PT_TRY(launch_faces(dv, &dv->pack, cur, dv->d_send));
    if (dv->h_send)
      PT_CUDA(cudaMemcpyAsync(dv->h_send, dv->d_send, (size_t)total * sizeof(double),
                              cudaMemcpyDeviceToHost, dv->stream));
    // MPI reads the send buffer: the packing must have finished.
    PT_CUDA(cudaStreamSynchronize(dv->stream));
    PT_TRY(pt_halo_exchange(dv->halo));
    if (dv->h_recv)
      PT_CUDA(cudaMemcpyAsync(dv->d_recv, dv->h_recv, (size_t)total * sizeof(double),
                              cudaMemcpyHostToDevice, dv->stream));
  }
  return launch_faces(dv, &dv->fill, cur, dv->d_recv);
}

int exchange(void *impl, int cur) {
  const int err = run_exchange((state *)impl, cur);
  if (err == PT_ERR_RUNTIME) pt_abort_recorded();
  return err;
}

int run_update(state *dv, int cur) {
  update_args a = dv->args;
  a.u = dv->field[cur][0] + dv->data_off;
  a.v = dv->field[cur][1] + dv->data_off;
  a.un = dv->field[1 - cur][0] + dv->data_off;
  a.vn = dv->field[1 - cur][1] + dv->data_off;
  const dim3 block(kThreadsX, kThreadsY);
  const dim3 grid((unsigned)std::min<int64_t>(ceil_div(a.n[2], kThreadsX), INT32_MAX),
                  (unsigned)std::min(ceil_div(a.n[1], kThreadsY), kMaxGrid),
                  (unsigned)std::min(a.n[0], kMaxGrid));
  update_kernel<<<grid, block, 0, dv->stream>>>(a);
  PT_CUDA(cudaGetLastError());
  // The next exchange packs what this wrote, and the compute timer sees the kernel.
  PT_CUDA(cudaStreamSynchronize(dv->stream));
  dv->host_stale = 1;
  return PT_OK;
}

int update(void *impl, int cur) {
  const int err = run_update((state *)impl, cur);
  if (err) pt_abort_recorded();
  return err;
}

void to_host(void *impl, int cur) {
  state *dv = (state *)impl;
  if (!dv->host_stale) return;
  if (transfer(dv, cur, cudaMemcpyDeviceToHost)) pt_abort_recorded();
  dv->host_stale = 0;
}

}  // namespace

const gs_device_ops grayscott_cuda = {create, exchange, update, to_host, destroy};
