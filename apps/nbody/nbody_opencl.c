/* The OpenCL back-end of partita-nbody: the bodies, their accelerations and potential in
 * one buffer on the rank's OpenCL device from nbody_sim_start on, forces by the kernels
 * of nbody_opencl.cl in the force precision. nbody_force exchanges the source blocks as
 * on the CPU and the hooks here add them on the device, so only the blocks that travel
 * between ranks pass through host memory, in the same order as the CPU's sums. The
 * diagnostics read back what their terms need (positions, velocities, potential) and sum
 * them on the host with the CPU back-end's exact scheme. A device call that fails in a
 * step aborts the job: the other ranks may already wait in MPI for this one. Built with
 * OpenCL only. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#define CL_TARGET_OPENCL_VERSION 120
#include <CL/cl.h>

#include "nbody_backend.h"
#include "pt_error.h"
#include "pt_opencl.h"

/* nbody_opencl_source: nbody_opencl.cl, embedded at build time (Makefile.am). */
#include "nbody_opencl.cl.inc"

/* Offsets into the state buffer, in units of n doubles. */
enum { S_X = 0, S_V = 3, S_M = 6, S_ACC = 7, S_POT = 10, S_WORDS = 11 };

typedef struct ocl {
  pt_opencl *cl;
  cl_command_queue q;
  cl_program program;
  cl_kernel begin, pull, end, axpy;
  cl_mem state, own, src, sums;
  cl_long n, maxblock;
  size_t es;       /* bytes per value in the force precision */
  size_t tile;     /* nbody_pull's work-group size */
  int fp64;
} ocl;

static void destroy(nbody_sim *s) {
  ocl *o = s->dev;
  if (!o) return;
  pt_opencl_free((void **)&o->state);
  pt_opencl_free((void **)&o->own);
  pt_opencl_free((void **)&o->src);
  pt_opencl_free((void **)&o->sums);
  /* Teardown: nothing to act on if a release fails. */
  cl_kernel k[] = {o->begin, o->pull, o->end, o->axpy};
  for (size_t j = 0; j < sizeof k / sizeof k[0]; ++j)
    if (k[j]) (void)clReleaseKernel(k[j]);
  if (o->program) (void)clReleaseProgram(o->program);
  pt_opencl_destroy(&o->cl);
  free(o);
  s->dev = NULL;
}

/* The largest power of two up to 256 that the device runs as one work-group. */
static int pick_tile(ocl *o) {
  size_t most;
  PT_CL(clGetDeviceInfo((cl_device_id)pt_opencl_device(o->cl), CL_DEVICE_MAX_WORK_GROUP_SIZE, sizeof most, &most, NULL));
  for (o->tile = 256; o->tile > 1 && o->tile > most; o->tile /= 2) continue;
  return PT_OK;
}

static int kernel(ocl *o, const char *name, cl_kernel *k) {
  cl_int e;
  *k = clCreateKernel(o->program, name, &e);
  PT_CL(e);
  return PT_OK;
}

static int setup(ocl *o, nbody_sim *s) {
  const pt_particles *p = s->p;
  o->n = p->n;
  for (int r = 0; r < p->size; ++r) o->maxblock = p->counts[r] > o->maxblock ? p->counts[r] : o->maxblock;
  o->fp64 = s->prm->precision == NBODY_FP64;
  o->es = o->fp64 ? sizeof(double) : sizeof(float);
  PT_TRY(pt_opencl_create(&s->prm->opencl, s->device.id, &o->cl));
  o->q = pt_opencl_queue(o->cl, 0);
  PT_TRY(pick_tile(o));
  char opts[160];
  snprintf(opts, sizeof opts, "-DREAL=%s -DTILE=%zu%s", o->fp64 ? "double" : "float", o->tile,
           o->fp64 ? "" : " -cl-fp32-correctly-rounded-divide-sqrt");
  void *prog;
  PT_TRY(pt_opencl_build(o->cl, "nbody_opencl.cl", nbody_opencl_source, opts, &prog));
  o->program = prog;
  PT_TRY(kernel(o, "nbody_begin", &o->begin));
  PT_TRY(kernel(o, "nbody_pull", &o->pull));
  PT_TRY(kernel(o, "nbody_end", &o->end));
  PT_TRY(kernel(o, "nbody_axpy", &o->axpy));
  const size_t n = (size_t)(o->n ? o->n : 1);
  PT_TRY(pt_opencl_alloc(o->cl, S_WORDS * n * sizeof(double), (void **)&o->state));
  PT_TRY(pt_opencl_alloc(o->cl, 4 * n * o->es, (void **)&o->own));
  PT_TRY(pt_opencl_alloc(o->cl, 4 * n * o->es, (void **)&o->sums));
  PT_TRY(pt_opencl_alloc(o->cl, 4 * (size_t)(o->maxblock ? o->maxblock : 1) * o->es, (void **)&o->src));
  return PT_OK;
}

static int create(nbody_sim *s) {
  ocl *o = calloc(1, sizeof *o);
  if (!o) return PT_ERROR(PT_ERR_NOMEM, "out of memory");
  s->dev = o;
  const int err = setup(o, s);
  if (err) destroy(s);
  return err;
}

/* Blocking copies of `count` doubles between host `h` and the state at word `off`. */
static int write_state(ocl *o, size_t off, const double *h, size_t count) {
  PT_CL(clEnqueueWriteBuffer(o->q, o->state, CL_TRUE, off * sizeof(double), count * sizeof(double), h, 0,
                             NULL, NULL));
  return PT_OK;
}

static int read_state(ocl *o, size_t off, double *h, size_t count) {
  PT_CL(clEnqueueReadBuffer(o->q, o->state, CL_TRUE, off * sizeof(double), count * sizeof(double), h, 0,
                            NULL, NULL));
  return PT_OK;
}

static int upload_bodies(ocl *o, const pt_particles *p) {
  const size_t n = (size_t)o->n;
  for (int c = 0; c < 3; ++c) {
    PT_TRY(write_state(o, (S_X + c) * n, p->x[c], n));
    PT_TRY(write_state(o, (S_V + c) * n, p->v[c], n));
  }
  return write_state(o, S_M * n, p->mass, n);
}

/* Positions and velocities into p; where not NULL, accelerations and potential. */
static int download(ocl *o, pt_particles *p, double *const acc[3], double *pot) {
  const size_t n = (size_t)o->n;
  for (int c = 0; c < 3; ++c) {
    PT_TRY(read_state(o, (S_X + c) * n, p->x[c], n));
    PT_TRY(read_state(o, (S_V + c) * n, p->v[c], n));
    if (acc) PT_TRY(read_state(o, (S_ACC + c) * n, acc[c], n));
  }
  if (pot) PT_TRY(read_state(o, S_POT * n, pot, n));
  return PT_OK;
}

/* For a device call inside a step: abort on failure (see the file comment). */
static void check(int err) {
  if (err) pt_abort_recorded();
}

static void upload(nbody_sim *s) {
  if (s->p->n) check(upload_bodies(s->dev, s->p));
}

static void to_host(nbody_sim *s) {
  if (s->p->n) check(download(s->dev, s->p, s->acc, s->pot_valid ? s->pot : NULL));
}

/* Enqueues kernel k over n work-items in groups of `local` (0: the runtime's choice). */
static int launch(ocl *o, cl_kernel k, size_t local) {
  if (o->n == 0) return PT_OK;
  const size_t g = local ? ((size_t)o->n + local - 1) / local * local : (size_t)o->n;
  PT_CL(clEnqueueNDRangeKernel(o->q, k, 1, NULL, &g, local ? &local : NULL, 0, NULL, NULL));
  return PT_OK;
}

static int force_begin(ocl *o, void *own) {
  PT_CL(clSetKernelArg(o->begin, 0, sizeof(cl_mem), &o->state));
  PT_CL(clSetKernelArg(o->begin, 1, sizeof(cl_long), &o->n));
  PT_CL(clSetKernelArg(o->begin, 2, sizeof(cl_mem), &o->own));
  PT_CL(clSetKernelArg(o->begin, 3, sizeof(cl_mem), &o->sums));
  PT_TRY(launch(o, o->begin, 0));
  if (own && o->n)
    PT_CL(clEnqueueReadBuffer(o->q, o->own, CL_TRUE, 0, 4 * (size_t)o->n * o->es, own, 0, NULL, NULL));
  return PT_OK;
}

/* eps^2 in the force precision, as nbody_force hands it to the CPU kernel. */
static int set_eps2(ocl *o, cl_kernel k, cl_uint arg, double eps) {
  const double e2 = eps * eps;
  const float f2 = (float)e2;
  PT_CL(o->fp64 ? clSetKernelArg(k, arg, sizeof e2, &e2) : clSetKernelArg(k, arg, sizeof f2, &f2));
  return PT_OK;
}

static int add_block(ocl *o, const void *blk, int64_t nb, double eps, int with_pot) {
  cl_mem src = o->own;
  if (blk) {
    if (nb > o->maxblock)
      return PT_ERROR(PT_ERR_RUNTIME, "source block of %lld bodies exceeds the device buffer (%lld)",
                      (long long)nb, (long long)o->maxblock);
    /* In order behind the previous pull, which may still read src; blocking, so that
     * MPI may fill blk again once this returns. */
    if (nb) PT_CL(clEnqueueWriteBuffer(o->q, o->src, CL_TRUE, 0, 4 * (size_t)nb * o->es, blk, 0, NULL, NULL));
    src = o->src;
  } else if (nb != o->n) {
    return PT_ERROR(PT_ERR_RUNTIME, "own block of %lld bodies, expected %lld", (long long)nb, (long long)o->n);
  }
  if (nb <= 0) return PT_OK;
  const cl_long cnb = nb;
  const cl_int pot = with_pot;
  cl_kernel k = o->pull;
  PT_CL(clSetKernelArg(k, 0, sizeof(cl_mem), &o->own));
  PT_CL(clSetKernelArg(k, 1, sizeof(cl_long), &o->n));
  PT_CL(clSetKernelArg(k, 2, sizeof(cl_mem), &src));
  PT_CL(clSetKernelArg(k, 3, sizeof(cl_long), &cnb));
  PT_TRY(set_eps2(o, k, 4, eps));
  PT_CL(clSetKernelArg(k, 5, sizeof pot, &pot));
  PT_CL(clSetKernelArg(k, 6, sizeof(cl_mem), &o->sums));
  PT_TRY(launch(o, k, o->tile));
  /* Starts the kernel while the caller waits for the next block. */
  PT_CL(clFlush(o->q));
  return PT_OK;
}

static int force_end(ocl *o, double G, double eps, int with_pot) {
  const cl_int pot = with_pot;
  cl_kernel k = o->end;
  PT_CL(clSetKernelArg(k, 0, sizeof(cl_mem), &o->state));
  PT_CL(clSetKernelArg(k, 1, sizeof(cl_long), &o->n));
  PT_CL(clSetKernelArg(k, 2, sizeof(cl_mem), &o->own));
  PT_CL(clSetKernelArg(k, 3, sizeof(cl_mem), &o->sums));
  PT_CL(clSetKernelArg(k, 4, sizeof G, &G));
  PT_TRY(set_eps2(o, k, 5, eps));
  PT_CL(clSetKernelArg(k, 6, sizeof pot, &pot));
  PT_TRY(launch(o, k, 0));
  PT_CL(clFinish(o->q));
  return PT_OK;
}

static void hook_begin(void *o, void *own) { check(force_begin(o, own)); }
static void hook_block(void *o, const void *blk, int64_t nb, double eps, int with_pot) {
  check(add_block(o, blk, nb, eps, with_pot));
}
static void hook_end(void *o, double G, double eps, int with_pot) { check(force_end(o, G, eps, with_pot)); }

static const nbody_force_hooks hooks = {hook_begin, hook_block, hook_end};

static int forces(nbody_sim *s, int want_pot) {
  s->host_stale = 1;
  return nbody_force_compute_with(s->force, &hooks, s->dev, want_pot);
}

/* y += h dy on the device; y and dy are state offsets in units of n doubles. */
static int axpy(ocl *o, cl_long y, cl_long dy, double h) {
  y *= o->n;
  dy *= o->n;
  cl_kernel k = o->axpy;
  PT_CL(clSetKernelArg(k, 0, sizeof(cl_mem), &o->state));
  PT_CL(clSetKernelArg(k, 1, sizeof(cl_long), &o->n));
  PT_CL(clSetKernelArg(k, 2, sizeof y, &y));
  PT_CL(clSetKernelArg(k, 3, sizeof dy, &dy));
  PT_CL(clSetKernelArg(k, 4, sizeof h, &h));
  PT_TRY(launch(o, k, 0));
  PT_CL(clFinish(o->q));
  return PT_OK;
}

static void kick(nbody_sim *s, double h) {
  check(axpy(s->dev, S_V, S_ACC, h));
  s->host_stale = 1;
}

static void drift(nbody_sim *s, double h) {
  check(axpy(s->dev, S_X, S_V, h));
  s->host_stale = 1;
}

/* The host copy of what the terms need, then the CPU back-end's sums: the same terms
 * and the same exact sums, so the same bits for the same state. The accelerations stay
 * on the device (host_stale is left as it is). */
static int sums(const nbody_sim *s, int err, double sum[]) {
  if (!err && s->p->n) err = download(s->dev, s->p, NULL, s->pot_valid ? s->pot : NULL);
  return nbody_backend_cpu.sums(s, err, sum);
}

const nbody_backend nbody_backend_opencl = {
    .kind = PT_BACKEND_OPENCL, .create = create, .destroy = destroy, .upload = upload,
    .to_host = to_host, .forces = forces, .kick = kick, .drift = drift, .sums = sums};
