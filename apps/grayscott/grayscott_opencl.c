/* grayscott_opencl: partita-grayscott on this rank's OpenCL device (see
 * grayscott_device.h). Four device fields in the host fields' layout (ghosts and padding
 * included, so a transfer is one copy); pt_opencl's face kernel packs every face crossing
 * to a neighbour (u's cells, then v's, one message per face) and fills every ghost face
 * (received values and zero-flux walls); the update is grayscott_opencl.cl. The faces
 * travel through host buffers: OpenCL memory is not MPI's. */
#include "grayscott_device.h"

#include <stdlib.h>

#define CL_TARGET_OPENCL_VERSION 120
#include <CL/cl.h>

/* grayscott_opencl_source: grayscott_opencl.cl, embedded at build time (Makefile.am). */
#include "grayscott_opencl.cl.inc"

enum { NFACE = 2 * PT_MAXDIM };

typedef struct state {
  pt_field *host[2][2];   /* borrowed: the host fields */
  pt_opencl *cl;
  cl_program program;
  cl_kernel update;
  size_t bytes;           /* one field's allocation */
  int64_t data_off;       /* local index 0 from the start of the allocation, in doubles */
  cl_mem field[2][2];     /* [buffer][u, v] */
  pt_opencl_faces *pack, *fill;
  int64_t off[NFACE + 1];
  cl_mem d_send, d_recv;
  double *h_send, *h_recv;
  size_t global[3];       /* the update's range: grayscott.c's loop axes, fastest first */
  pt_halo *halo;
  int device_stale;       /* the host's buffer is newer (before the first step) */
  int host_stale;         /* the device's buffer is newer */
} state;

static void destroy(void **impl) {
  state *dv = *impl;
  if (!dv) return;
  pt_halo_destroy(&dv->halo);
  pt_opencl_faces_destroy(&dv->pack);
  pt_opencl_faces_destroy(&dv->fill);
  for (int b = 0; b < 2; ++b)
    for (int q = 0; q < 2; ++q) pt_opencl_free((void **)&dv->field[b][q]);
  pt_opencl_free((void **)&dv->d_send);
  pt_opencl_free((void **)&dv->d_recv);
  /* Teardown: nothing to act on if a release fails. */
  if (dv->update) (void)clReleaseKernel(dv->update);
  if (dv->program) (void)clReleaseProgram(dv->program);
  pt_opencl_destroy(&dv->cl);
  free(dv->h_send);
  free(dv->h_recv);
  free(dv);
  *impl = NULL;
}

/* The update's arguments but the fields, as grayscott.c's update() computes them. */
static int set_constants(state *dv, const pt_field *f0, const double h[], double dt, double F,
                         double k, const double D[2]) {
  const cl_int first = 3 - f0->ndim;
  cl_long st[3] = {0, 0, 1};
  double c[3] = {0, 0, 0};
  for (int l = 0; l < 3; ++l) dv->global[l] = 1;
  for (int d = 0; d < f0->ndim; ++d) {
    if (d + first < 2) st[d + first] = f0->stride[d];
    c[d + first] = 1.0 / (h[d] * h[d]);
    dv->global[2 - (d + first)] = (size_t)f0->n[d];
  }
  const cl_long off = dv->data_off;
  const double Fk = F + k;
  cl_kernel u = dv->update;
  PT_CL(clSetKernelArg(u, 4, sizeof off, &off));
  PT_CL(clSetKernelArg(u, 5, sizeof first, &first));
  PT_CL(clSetKernelArg(u, 6, sizeof st[0], &st[0]));
  PT_CL(clSetKernelArg(u, 7, sizeof st[1], &st[1]));
  for (int l = 0; l < 3; ++l) PT_CL(clSetKernelArg(u, 8 + (cl_uint)l, sizeof c[l], &c[l]));
  PT_CL(clSetKernelArg(u, 11, sizeof dt, &dt));
  PT_CL(clSetKernelArg(u, 12, sizeof F, &F));
  PT_CL(clSetKernelArg(u, 13, sizeof Fk, &Fk));
  PT_CL(clSetKernelArg(u, 14, sizeof D[0], &D[0]));
  PT_CL(clSetKernelArg(u, 15, sizeof D[1], &D[1]));
  return PT_OK;
}

/* This rank's share of create: context, program, device memory and face lists. */
static int setup(state *dv, pt_field *f[2][2], const pt_device_info *info,
                 const pt_opencl_options *ocl, const double h[], double dt, double F, double k,
                 const double D[2]) {
  const pt_field *f0 = f[0][0];
  const pt_decomp *dc = f0->decomp;
  for (int b = 0; b < 2; ++b)
    for (int q = 0; q < 2; ++q) dv->host[b][q] = f[b][q];
  PT_TRY(pt_opencl_create(ocl, info->id, &dv->cl));
  void *prog;
  PT_TRY(pt_opencl_build(dv->cl, "grayscott_opencl.cl", grayscott_opencl_source, NULL, &prog));
  dv->program = prog;
  cl_int e;
  dv->update = clCreateKernel(dv->program, "gs_update", &e);
  PT_CL(e);
  dv->bytes = sizeof(double);
  for (int d = 0; d < f0->ndim; ++d) dv->bytes *= (size_t)f0->alloc[d];
  dv->data_off = f0->data - f0->base;
  PT_TRY(set_constants(dv, f0, h, dt, F, k, D));
  for (int b = 0; b < 2; ++b)
    for (int q = 0; q < 2; ++q) PT_TRY(pt_opencl_alloc(dv->cl, dv->bytes, (void **)&dv->field[b][q]));
  PT_TRY(pt_opencl_faces_create(dv->cl, f0, &dv->pack));
  PT_TRY(pt_opencl_faces_create(dv->cl, f0, &dv->fill));
  int64_t off = 0;
  for (int face = 0; face < NFACE; ++face) {
    dv->off[face] = off;
    const int axis = face / 2, side = face % 2;
    if (axis >= f0->ndim) continue;
    const int nbr = dc->nbr[axis][side] != MPI_PROC_NULL;
    for (int q = 0; q < 2; ++q) {
      if (!nbr) {
        pt_opencl_faces_add(dv->fill, axis, side, q, PT_OPENCL_FACE_NEUMANN, 0, 0);
        continue;
      }
      const int64_t count = pt_opencl_faces_add(dv->pack, axis, side, q, PT_OPENCL_FACE_SEND, off, 0);
      pt_opencl_faces_add(dv->fill, axis, side, q, PT_OPENCL_FACE_RECV, off, 0);
      off += count;
    }
  }
  dv->off[NFACE] = off;
  if (off > 0) {
    const size_t fb = (size_t)off * sizeof(double);
    PT_TRY(pt_opencl_alloc(dv->cl, fb, (void **)&dv->d_send));
    PT_TRY(pt_opencl_alloc(dv->cl, fb, (void **)&dv->d_recv));
    dv->h_send = malloc(fb);
    dv->h_recv = malloc(fb);
    if (!dv->h_send || !dv->h_recv) return PT_ERROR(PT_ERR_NOMEM, "out of memory");
  }
  dv->device_stale = 1;
  return PT_OK;
}

static int create(const pt_config *cfg, pt_field *f[2][2], int halo, const pt_device_info *info,
                  const pt_opencl_options *ocl, const double h[], double dt, double F, double k,
                  const double D[2], void **impl) {
  *impl = NULL;
  /* Every rank has the same deck: the same verdict everywhere, no agreement needed. */
  if (halo != PT_HALO_P2P && halo != PT_HALO_NEIGHBOR)
    return pt_config_error(cfg, "run.halo", "'%s' does not exist with run.backend = opencl (the "
                           "faces are packed on the device and sent as messages): set it to p2p "
                           "or neighbor", pt_halo_kind_names[halo]);
  MPI_Comm cart = f[0][0]->decomp->cart;
  state *dv = calloc(1, sizeof *dv);
  int err = dv ? setup(dv, f, info, ocl, h, dt, F, k, D) : PT_ERROR(PT_ERR_NOMEM, "out of memory");
  err = pt_agree(cart, err);
  if (!err)
    err = pt_halo_create_packed(f[0][0], (pt_halo_kind)halo, dv->off, dv->h_send, dv->h_recv, &dv->halo);
  void *impl_dv = dv;
  if (err) destroy(&impl_dv);
  *impl = impl_dv;
  return err;
}

static cl_command_queue queue(const state *dv) { return pt_opencl_queue(dv->cl, 0); }

static int transfer(state *dv, int cur, int up) {
  for (int q = 0; q < 2; ++q) {
    double *host = dv->host[cur][q]->base;
    if (up)
      PT_CL(clEnqueueWriteBuffer(queue(dv), dv->field[cur][q], CL_TRUE, 0, dv->bytes, host, 0, NULL, NULL));
    else
      PT_CL(clEnqueueReadBuffer(queue(dv), dv->field[cur][q], CL_TRUE, 0, dv->bytes, host, 0, NULL, NULL));
  }
  return PT_OK;
}

static int run_exchange(state *dv, int cur) {
  if (dv->device_stale) {
    PT_TRY(transfer(dv, cur, 1));
    dv->device_stale = 0;
  }
  const size_t fb = (size_t)dv->off[NFACE] * sizeof(double);
  if (fb > 0) {
    PT_TRY(pt_opencl_faces_run(dv->pack, 0, dv->field[cur][0], dv->field[cur][1], dv->data_off, dv->d_send));
    /* MPI reads the host copy: the blocking read waits for the pack. */
    PT_CL(clEnqueueReadBuffer(queue(dv), dv->d_send, CL_TRUE, 0, fb, dv->h_send, 0, NULL, NULL));
    PT_TRY(pt_halo_exchange(dv->halo));
    PT_CL(clEnqueueWriteBuffer(queue(dv), dv->d_recv, CL_FALSE, 0, fb, dv->h_recv, 0, NULL, NULL));
  }
  return pt_opencl_faces_run(dv->fill, 0, dv->field[cur][0], dv->field[cur][1], dv->data_off, dv->d_recv);
}

static int exchange(void *impl, int cur) {
  const int err = run_exchange(impl, cur);
  if (err == PT_ERR_RUNTIME) pt_abort_recorded();
  return err;
}

static int run_update(state *dv, int cur) {
  cl_kernel u = dv->update;
  PT_CL(clSetKernelArg(u, 0, sizeof(cl_mem), &dv->field[cur][0]));
  PT_CL(clSetKernelArg(u, 1, sizeof(cl_mem), &dv->field[cur][1]));
  PT_CL(clSetKernelArg(u, 2, sizeof(cl_mem), &dv->field[1 - cur][0]));
  PT_CL(clSetKernelArg(u, 3, sizeof(cl_mem), &dv->field[1 - cur][1]));
  PT_CL(clEnqueueNDRangeKernel(queue(dv), u, 3, NULL, dv->global, NULL, 0, NULL, NULL));
  /* The next exchange packs what this wrote, h_recv is free again, and the compute
   * timer sees the kernel. */
  PT_CL(clFinish(queue(dv)));
  dv->host_stale = 1;
  return PT_OK;
}

static int update(void *impl, int cur) {
  const int err = run_update(impl, cur);
  if (err) pt_abort_recorded();
  return err;
}

static void to_host(void *impl, int cur) {
  state *dv = impl;
  if (!dv->host_stale) return;
  if (transfer(dv, cur, 0)) pt_abort_recorded();
  dv->host_stale = 0;
}

const gs_device_ops grayscott_opencl = {create, exchange, update, to_host, destroy};
