/* The OpenCL back-end of partita-heat: both fields mirrored on the rank's OpenCL device in
 * the host field's layout (ghosts and padding included, so a transfer is one copy), the
 * faces packed there by pt_opencl's face kernel and exchanged by pt_halo through host
 * buffers (OpenCL memory is not MPI's), the stencil in heat_opencl.cl. Two in-order
 * queues: the interior update runs on one while the other packs, waits for the faces,
 * fills the ghosts and updates the boundary slabs. Built with OpenCL only. */
#include "config.h"
#include "heat_explicit.h"

#include <limits.h>
#include <stdlib.h>

#define CL_TARGET_OPENCL_VERSION 120
#include <CL/cl.h>

#include "pt_error.h"
#include "pt_opencl.h"

/* heat_opencl_source: heat_opencl.cl, embedded at build time (Makefile.am). */
#include "heat_opencl.cl.inc"

enum { NFACE = 2 * PT_MAXDIM, Q_INTERIOR = 0, Q_BOUNDARY = 1 };

typedef struct ocl {
  pt_opencl *cl;
  cl_program program;
  cl_kernel box;
  cl_mem field[2];
  size_t bytes;            /* one field's allocation */
  int64_t data_off;        /* local index 0 from the start of the allocation, in doubles */
  /* pack: faces with a neighbour; fill: those and the physical faces; bc: physical only */
  pt_opencl_faces *pack, *fill, *bc;
  int64_t off[NFACE + 1];  /* the packed faces as pt_halo sees them */
  cl_mem d_send, d_recv;
  double *h_send, *h_recv;
  pt_halo *halo;           /* NULL when no face has a neighbour */
  int device_stale;        /* the host fields are newer (before the first step) */
  int host_stale;          /* the device's field is newer */
} ocl;

static void destroy(void **impl) {
  ocl *o = *impl;
  if (!o) return;
  pt_halo_destroy(&o->halo);
  pt_opencl_faces_destroy(&o->pack);
  pt_opencl_faces_destroy(&o->fill);
  pt_opencl_faces_destroy(&o->bc);
  for (int k = 0; k < 2; ++k) pt_opencl_free((void **)&o->field[k]);
  pt_opencl_free((void **)&o->d_send);
  pt_opencl_free((void **)&o->d_recv);
  /* Teardown: nothing to act on if a release fails. */
  if (o->box) (void)clReleaseKernel(o->box);
  if (o->program) (void)clReleaseProgram(o->program);
  pt_opencl_destroy(&o->cl);
  free(o->h_send);
  free(o->h_recv);
  free(o);
  *impl = NULL;
}

/* This rank's share of create: context, program, device memory, face lists. */
static int setup(ocl *o, heat_state *st) {
  const heat_params *p = st->p;
  const pt_field *f = st->u[0];
  const pt_decomp *dc = st->decomp;
  PT_TRY(pt_opencl_create(&p->opencl, st->device.id, &o->cl));
  void *prog;
  PT_TRY(pt_opencl_build(o->cl, "heat_opencl.cl", heat_opencl_source, NULL, &prog));
  o->program = prog;
  cl_int e;
  o->box = clCreateKernel(o->program, f->ndim == 2 ? "heat_box2d" : "heat_box3d", &e);
  PT_CL(e);
  o->bytes = sizeof(double);
  for (int d = 0; d < f->ndim; ++d) o->bytes *= (size_t)f->alloc[d];
  o->data_off = f->data - f->base;
  for (int k = 0; k < 2; ++k) PT_TRY(pt_opencl_alloc(o->cl, o->bytes, (void **)&o->field[k]));
  PT_TRY(pt_opencl_faces_create(o->cl, f, &o->pack));
  PT_TRY(pt_opencl_faces_create(o->cl, f, &o->fill));
  PT_TRY(pt_opencl_faces_create(o->cl, f, &o->bc));
  int64_t off = 0;
  for (int k = 0; k < NFACE; ++k) {
    o->off[k] = off;
    const int a = k / 2, side = k % 2;
    if (a >= f->ndim) continue;
    if (dc->nbr[a][side] != MPI_PROC_NULL) {
      const int64_t count = pt_opencl_faces_add(o->pack, a, side, 0, PT_OPENCL_FACE_SEND, off, 0);
      if (count > INT_MAX)
        return PT_ERROR(PT_ERR_INPUT, "a block face of %lld cells is too large for one MPI message",
                        (long long)count);
      pt_opencl_faces_add(o->fill, a, side, 0, PT_OPENCL_FACE_RECV, off, 0);
      off += count;
    } else if (p->bc[a][side] != HEAT_BC_PERIODIC) {
      const pt_opencl_face_mode mode =
          p->bc[a][side] == HEAT_BC_DIRICHLET ? PT_OPENCL_FACE_DIRICHLET : PT_OPENCL_FACE_NEUMANN;
      const double two_v = 2.0 * p->bc_value[a][side];
      pt_opencl_faces_add(o->fill, a, side, 0, mode, 0, two_v);
      pt_opencl_faces_add(o->bc, a, side, 0, mode, 0, two_v);
    }
  }
  o->off[NFACE] = off;
  if (off > 0) {
    const size_t fb = (size_t)off * sizeof(double);
    PT_TRY(pt_opencl_alloc(o->cl, fb, (void **)&o->d_send));
    PT_TRY(pt_opencl_alloc(o->cl, fb, (void **)&o->d_recv));
    o->h_send = malloc(fb);
    o->h_recv = malloc(fb);
    if (!o->h_send || !o->h_recv) return PT_ERROR(PT_ERR_NOMEM, "out of memory");
  }
  o->device_stale = 1;
  return PT_OK;
}

static int create(heat_state *st, void **impl) {
  MPI_Comm cart = st->decomp->cart;
  ocl *o = calloc(1, sizeof *o);
  *impl = o;
  PT_TRY(pt_agree(cart, o ? PT_OK : PT_ERROR(PT_ERR_NOMEM, "out of memory")));
  /* run.backend = auto may have chosen the device: the rule a deck's opencl meets. */
  if (st->p->cfg) PT_TRY(pt_agree(cart, heat_params_device_halo(st->p, st->p->cfg)));
  PT_TRY(pt_agree(cart, setup(o, st)));
  return heat_params_blame(st->p, "run.halo", pt_halo_create_packed(st->u[0], st->p->halo, o->off,
                                                                     o->h_send, o->h_recv, &o->halo));
}

static cl_command_queue queue(const ocl *o, int q) { return pt_opencl_queue(o->cl, q); }

static int transfer(ocl *o, int k, pt_field *f, int up) {
  PT_CL(clFinish(queue(o, Q_INTERIOR)));
  if (up)
    PT_CL(clEnqueueWriteBuffer(queue(o, Q_BOUNDARY), o->field[k], CL_TRUE, 0, o->bytes, f->base, 0, NULL, NULL));
  else
    PT_CL(clEnqueueReadBuffer(queue(o, Q_BOUNDARY), o->field[k], CL_TRUE, 0, o->bytes, f->base, 0, NULL, NULL));
  return PT_OK;
}

/* The update of the cells in [lo, hi) of field k into field 1 - k, on queue q. */
static int box(ocl *o, const heat_state *s, int k, const int64_t lo[], const int64_t hi[], int q) {
  const int nd = s->u[0]->ndim;
  size_t global[PT_MAXDIM];
  for (int d = 0; d < nd; ++d) {
    if (hi[d] <= lo[d]) return PT_OK;
    global[nd - 1 - d] = (size_t)(hi[d] - lo[d]);
  }
  const cl_long off = o->data_off, s0 = s->u[0]->stride[0], s1 = nd == 3 ? s->u[0]->stride[1] : 0;
  const cl_long l0 = lo[0], l1 = lo[1], l2 = nd == 3 ? lo[2] : 0;
  cl_kernel b = o->box;
  cl_uint a = 0;
  PT_CL(clSetKernelArg(b, a++, sizeof(cl_mem), &o->field[k]));
  PT_CL(clSetKernelArg(b, a++, sizeof(cl_mem), &o->field[1 - k]));
  PT_CL(clSetKernelArg(b, a++, sizeof off, &off));
  PT_CL(clSetKernelArg(b, a++, sizeof s0, &s0));
  if (nd == 3) PT_CL(clSetKernelArg(b, a++, sizeof s1, &s1));
  for (int d = 0; d < nd; ++d) PT_CL(clSetKernelArg(b, a++, sizeof(double), &s->c[d]));
  PT_CL(clSetKernelArg(b, a++, sizeof(double), &s->q));
  PT_CL(clSetKernelArg(b, a++, sizeof l0, &l0));
  PT_CL(clSetKernelArg(b, a++, sizeof l1, &l1));
  if (nd == 3) PT_CL(clSetKernelArg(b, a++, sizeof l2, &l2));
  PT_CL(clEnqueueNDRangeKernel(queue(o, q), b, (cl_uint)nd, NULL, global, NULL, 0, NULL, NULL));
  return PT_OK;
}

/* The explicit step on the device, as the CUDA back-end takes it (heat_device.c): with
 * overlap the interior queue updates the interior while the boundary queue packs; the
 * faces travel; the boundary queue fills every ghost face and updates the boundary slabs.
 * The cells and the expression are the CPU back-end's: the field is its bit for bit. */
static int run_step(ocl *o, heat_state *s) {
  const heat_params *p = s->p;
  const int k = s->cur, exchange = !p->halo_off && o->off[NFACE] > 0;
  const pt_field *f = s->u[k];
  const size_t fb = (size_t)o->off[NFACE] * sizeof(double);
  int64_t lo[PT_MAXDIM], hi[PT_MAXDIM];
  if (o->device_stale) {
    for (int j = 0; j < 2; ++j) PT_TRY(transfer(o, j, s->u[j], 1));
    o->device_stale = 0;
  }
  pt_timers_start(s->timers, s->t_halo);
  if (exchange) {
    PT_TRY(pt_opencl_faces_run(o->pack, Q_BOUNDARY, o->field[k], NULL, o->data_off, o->d_send));
    PT_CL(clFlush(queue(o, Q_BOUNDARY)));
  }
  pt_timers_stop(s->timers, s->t_halo);
  if (p->overlap) {
    pt_timers_start(s->timers, s->t_compute);
    heat_interior_box(f, lo, hi);
    PT_TRY(box(o, s, k, lo, hi, Q_INTERIOR));
    PT_CL(clFlush(queue(o, Q_INTERIOR)));
    pt_timers_stop(s->timers, s->t_compute);
  }
  pt_timers_start(s->timers, s->t_halo);
  if (exchange) {
    /* MPI reads the host copy: the blocking read waits for the pack. */
    PT_CL(clEnqueueReadBuffer(queue(o, Q_BOUNDARY), o->d_send, CL_TRUE, 0, fb, o->h_send, 0, NULL, NULL));
    PT_TRY(pt_halo_exchange(o->halo));
    PT_CL(clEnqueueWriteBuffer(queue(o, Q_BOUNDARY), o->d_recv, CL_FALSE, 0, fb, o->h_recv, 0, NULL, NULL));
  }
  pt_timers_stop(s->timers, s->t_halo);
  pt_timers_start(s->timers, s->t_compute);
  PT_TRY(pt_opencl_faces_run(exchange ? o->fill : o->bc, Q_BOUNDARY, o->field[k], NULL, o->data_off,
                             o->d_recv));
  int64_t olo[PT_MAXDIM], ohi[PT_MAXDIM];
  for (int d = 0; d < f->ndim; ++d) { olo[d] = 0; ohi[d] = f->n[d]; }
  if (p->overlap) {
    for (int d = 0; d < f->ndim; ++d)
      for (int side = 0; side < 2; ++side)
        if (heat_boundary_slab(f, olo, ohi, d, side, lo, hi)) PT_TRY(box(o, s, k, lo, hi, Q_BOUNDARY));
  } else {
    PT_TRY(box(o, s, k, olo, ohi, Q_BOUNDARY));
  }
  /* The next step packs what both queues wrote (and h_recv must not change before the
   * write above has read it), and the timers see the kernels. */
  PT_CL(clFinish(queue(o, Q_BOUNDARY)));
  PT_CL(clFinish(queue(o, Q_INTERIOR)));
  pt_timers_stop(s->timers, s->t_compute);
  o->host_stale = 1;
  return PT_OK;
}

static int step(void *impl, heat_state *s) {
  /* A device failure mid-run is an internal fault: the other ranks may already wait in
   * a collective this rank will not join. */
  int err = run_step(impl, s);
  if (err == PT_ERR_RUNTIME) pt_abort_recorded();
  return err;
}

static void to_host(void *impl, heat_state *s) {
  ocl *o = impl;
  if (o->host_stale && transfer(o, s->cur, s->u[s->cur], 0)) pt_abort_recorded();
  o->host_stale = 0;
}

static int serves(const heat_params *p, const pt_device_info *dev) {
  return p->scheme == HEAT_EXPLICIT && dev->backend == PT_BACKEND_OPENCL;
}

const heat_backend heat_backend_opencl = {"opencl", serves, create, destroy, step, to_host, NULL};
