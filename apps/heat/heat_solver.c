#include "config.h"
#include "heat_solver.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heat_implicit.h"
#include "pt_error.h"
#include "pt_reduce.h"
#ifdef PT_HAVE_CUDA
#include "heat_cuda.h"
#endif

/* The update of one cell is the same expression, in the same order, wherever the cell
 * lies (interior or boundary box, vector body or remainder): that, and no FMA
 * contraction (-ffp-contract=off), makes the field identical on any decomposition.
 * The boxes are also built for AVX2 and picked at load time: with 2-wide SSE2 vectors
 * the adds alone keep a core as busy as memory does (bench/heat-bench). Wider vectors of
 * the same adds and multiplies give the same bits. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define HEAT_BOX_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define HEAT_BOX_CLONES
#endif
HEAT_BOX_CLONES
static void box2d(const pt_field *in, pt_field *out, const double c[], double q,
                  const int64_t lo[], const int64_t hi[]) {
  const int64_t s0 = in->stride[0];
  const double c0 = c[0], c1 = c[1];
#pragma omp parallel for schedule(static) if (hi[0] - lo[0] > 4)
  for (int64_t i = lo[0]; i < hi[0]; ++i) {
    const double *restrict u = in->data + i * s0;
    double *restrict v = out->data + i * s0;
#pragma omp simd
    for (int64_t j = lo[1]; j < hi[1]; ++j)
      v[j] = u[j] + (c0 * ((u[j - s0] + u[j + s0]) - 2.0 * u[j]) +
                     c1 * ((u[j - 1] + u[j + 1]) - 2.0 * u[j])) + q;
  }
}

HEAT_BOX_CLONES
static void box3d(const pt_field *in, pt_field *out, const double c[], double q,
                  const int64_t lo[], const int64_t hi[]) {
  const int64_t s0 = in->stride[0], s1 = in->stride[1];
  const double c0 = c[0], c1 = c[1], c2 = c[2];
#pragma omp parallel for collapse(2) schedule(static) if (hi[0] - lo[0] > 4)
  for (int64_t i = lo[0]; i < hi[0]; ++i)
    for (int64_t j = lo[1]; j < hi[1]; ++j) {
      const double *restrict u = in->data + i * s0 + j * s1;
      double *restrict v = out->data + i * s0 + j * s1;
#pragma omp simd
      for (int64_t k = lo[2]; k < hi[2]; ++k)
        v[k] = u[k] + (c0 * ((u[k - s0] + u[k + s0]) - 2.0 * u[k]) +
                       c1 * ((u[k - s1] + u[k + s1]) - 2.0 * u[k]) +
                       c2 * ((u[k - 1] + u[k + 1]) - 2.0 * u[k])) + q;
    }
}

void heat_explicit_box(const pt_field *in, pt_field *out, const double c[], double q,
                       const int64_t lo[], const int64_t hi[]) {
  for (int d = 0; d < in->ndim; ++d)
    if (hi[d] <= lo[d]) return;
  if (in->ndim == 2) box2d(in, out, c, q, lo, hi);
  else box3d(in, out, c, q, lo, hi);
}

/* Cells that read no ghost: computed while the halo travels. */
static void interior_box(const pt_field *f, int64_t lo[], int64_t hi[]) {
  for (int d = 0; d < f->ndim; ++d) {
    lo[d] = 1;
    hi[d] = f->n[d] - 1;
  }
}

/* The owned cells outside the interior box, as 2 ndim disjoint slabs: slab (d, side)
 * is layer 0 or n-1 of axis d, restricted to the interior along the axes before d.
 * Returns 0 for the slab that does not exist (side 1 of an axis of one cell). */
static int boundary_slab(const pt_field *f, int d, int side, int64_t lo[], int64_t hi[]) {
  if (side == 1 && f->n[d] == 1) return 0;
  for (int e = 0; e < f->ndim; ++e) {
    if (e < d) { lo[e] = 1; hi[e] = f->n[e] - 1; }
    else if (e > d) { lo[e] = 0; hi[e] = f->n[e]; }
  }
  lo[d] = side ? f->n[d] - 1 : 0;
  hi[d] = lo[d] + 1;
  return 1;
}

static void boundary_boxes(const pt_field *f, const double c[], double q, const pt_field *in,
                           pt_field *out) {
  for (int d = 0; d < f->ndim; ++d)
    for (int side = 0; side < 2; ++side) {
      int64_t lo[PT_MAXDIM], hi[PT_MAXDIM];
      if (boundary_slab(f, d, side, lo, hi)) heat_explicit_box(in, out, c, q, lo, hi);
    }
}

void heat_apply_bc(const heat_params *p, pt_field *f) {
  for (int d = 0; d < f->ndim; ++d)
    for (int side = 0; side < 2; ++side)
      if (p->bc[d][side] != HEAT_BC_PERIODIC)
        pt_field_wall(f, d, side, p->bc[d][side] == HEAT_BC_DIRICHLET ? PT_WALL_DIRICHLET : PT_WALL_NEUMANN,
                      p->bc_value[d][side]);
}

#ifdef PT_HAVE_CUDA
/* A CUDA failure in the middle of a run is an internal fault: the other ranks may
 * already wait in a collective this rank will not join. The recorded message carries
 * the rank, file and line. */
static void device_fault(void) {
  fprintf(stderr, "%s\n", pt_error_message());
  fflush(stderr);
  MPI_Abort(MPI_COMM_WORLD, PT_EXIT_RUNTIME);
}

/* The device state and persistent requests for the packed faces: a message crossing
 * face k is tagged k and lands in the peer's face k^1 ghosts (as in pt_halo, so the two
 * messages between the same pair of ranks on a periodic axis cannot be confused). */
static int device_create(heat_solver *s) {
  const pt_decomp *dc = s->decomp;
  int err = heat_cuda_create(s->p, s->u[0], s->c, s->p->dt * s->p->source,
                             s->device.mpi_cuda_aware, &s->gpu);
  PT_TRY(pt_agree(dc->cart, err));
  PT_MPI(MPI_Comm_dup(dc->cart, &s->gpu_comm));
  const heat_cuda_faces *fc = heat_cuda_faces_of(s->gpu);
  for (int k = 0; k < 2 * dc->ndim; ++k) {
    const int count = (int)(fc->off[k + 1] - fc->off[k]), peer = dc->nbr[k / 2][k % 2];
    if (!count) continue;
    PT_MPI(MPI_Recv_init(fc->recv + fc->off[k], count, MPI_DOUBLE, peer, k ^ 1, s->gpu_comm,
                         &s->gpu_req[s->gpu_nreq++]));
    PT_MPI(MPI_Send_init(fc->send + fc->off[k], count, MPI_DOUBLE, peer, k, s->gpu_comm,
                         &s->gpu_req[s->gpu_nreq++]));
  }
  s->device_stale = 1;
  return PT_OK;
}
#endif

/* A back-end this MPI cannot serve, or refuses, is the deck's run.halo at fault: name it.
 * The message is copied first, as recording the new error overwrites it. */
static int halo_input_error(const heat_params *p) {
  char why[1024];
  snprintf(why, sizeof why, "%s", pt_error_message());
  return pt_config_error(p->cfg, "run.halo", "%s", why);
}

int heat_solver_create(MPI_Comm comm, const heat_params *p, pt_timers *timers,
                       heat_solver **out) {
  heat_solver *s = calloc(1, sizeof *s);
  if (!s) return pt_agree(comm, PT_ERROR(PT_ERR_NOMEM, "out of memory"));
  s->gpu_comm = MPI_COMM_NULL;
  s->p = p;
  s->timers = timers;
  s->t_compute = pt_timers_add(timers, "compute");
  s->t_halo = pt_timers_add(timers, "halo");
  int periodic[PT_MAXDIM] = {0, 0, 0};
  for (int d = 0; d < p->ndim; ++d) periodic[d] = p->bc[d][0] == HEAT_BC_PERIODIC;
  int err = pt_decomp_create(comm, p->ndim, p->n, periodic, p->dims, &s->decomp);
  for (int k = 0; k < 2 && !err; ++k) err = pt_field_create(s->decomp, 1, &s->u[k]);
  err = pt_agree(comm, err);
  for (int d = 0; d < p->ndim; ++d) s->c[d] = p->alpha * p->dt / (p->h[d] * p->h[d]);
  /* The implicit schemes run on the CPU (PETSc): no device for them. */
  if (!err)
    err = pt_device_select(comm, p->scheme == HEAT_EXPLICIT ? (pt_backend)p->backend : PT_BACKEND_CPU,
                           &s->device);
#ifdef PT_HAVE_CUDA
  /* run.backend = auto may have chosen the device: the same rule as a deck's cuda. */
  if (!err && s->device.backend == PT_BACKEND_CUDA && p->cfg) err = pt_agree(comm, heat_params_device_halo(p, p->cfg));
  if (!err && s->device.backend == PT_BACKEND_CUDA) err = pt_agree(comm, device_create(s));
  else
#endif
    for (int k = 0; k < 2 && !err; ++k) {
      err = pt_halo_create(s->u[k], p->halo, &s->halo[k]);
      if (err == PT_ERR_INPUT && p->cfg) err = halo_input_error(p);
    }
#ifdef PT_HAVE_PETSC
  if (!err && p->scheme != HEAT_EXPLICIT) err = heat_implicit_create(s, &s->implicit);
#endif
  if (err) heat_solver_destroy(&s);
  *out = s;
  return err;
}

void heat_solver_destroy(heat_solver **s) {
  if (!*s) return;
#ifdef PT_HAVE_PETSC
  heat_implicit_destroy(&(*s)->implicit);
#endif
#ifdef PT_HAVE_CUDA
  heat_cuda_destroy(&(*s)->gpu);
#endif
  for (int k = 0; k < (*s)->gpu_nreq; ++k) MPI_Request_free(&(*s)->gpu_req[k]);
  if ((*s)->gpu_comm != MPI_COMM_NULL) MPI_Comm_free(&(*s)->gpu_comm);
  for (int k = 0; k < 2; ++k) {
    pt_halo_destroy(&(*s)->halo[k]);
    pt_field_destroy(&(*s)->u[k]);
  }
  pt_decomp_destroy(&(*s)->decomp);
  free(*s);
  *s = NULL;
}

static double initial_value(const heat_params *p, const double x[]) {
  double v = 0, r2 = 0;
  switch (p->init) {
    case HEAT_INIT_EIGENMODE:
      v = p->amplitude;
      for (int d = 0; d < p->ndim; ++d) v *= sin(p->mode[d] * M_PI * x[d] / p->len[d]);
      return v;
    case HEAT_INIT_GAUSSIAN:
      for (int d = 0; d < p->ndim; ++d) r2 += (x[d] - p->center[d]) * (x[d] - p->center[d]);
      return p->background + p->amplitude * exp(-r2 / (2 * p->width * p->width));
    case HEAT_INIT_DISK:
      for (int d = 0; d < p->ndim; ++d) r2 += (x[d] - p->center[d]) * (x[d] - p->center[d]);
      return p->background + (r2 <= p->radius * p->radius ? p->amplitude : 0.0);
    default:
      return p->background;
  }
}

void heat_solver_init(heat_solver *s) {
  const heat_params *p = s->p;
  pt_field *f = s->u[s->cur];
  int64_t total = pt_decomp_local_cells(s->decomp);
#pragma omp parallel for schedule(static)
  for (int64_t c = 0; c < total; ++c) {
    int64_t idx[PT_MAXDIM] = {0}, r = c;
    double x[PT_MAXDIM];
    for (int d = f->ndim - 1; d >= 0; --d) { idx[d] = r % f->n[d]; r /= f->n[d]; }
    for (int d = 0; d < f->ndim; ++d) x[d] = ((double)(s->decomp->lo[d] + idx[d]) + 0.5) * p->h[d];
    f->data[pt_field_offset(f, idx)] = initial_value(p, x);
  }
}

static int explicit_step(heat_solver *s) {
  const heat_params *p = s->p;
  pt_field *in = s->u[s->cur], *out = s->u[1 - s->cur];
  const double q = p->dt * p->source;
  int64_t lo[PT_MAXDIM], hi[PT_MAXDIM];
  pt_timers_start(s->timers, s->t_halo);
  if (!p->halo_off) PT_TRY(pt_halo_begin(s->halo[s->cur]));
  pt_timers_stop(s->timers, s->t_halo);
  if (p->overlap) {
    pt_timers_start(s->timers, s->t_compute);
    interior_box(in, lo, hi);
    heat_explicit_box(in, out, s->c, q, lo, hi);
    pt_timers_stop(s->timers, s->t_compute);
  }
  pt_timers_start(s->timers, s->t_halo);
  if (!p->halo_off) PT_TRY(pt_halo_end(s->halo[s->cur]));
  pt_timers_stop(s->timers, s->t_halo);
  pt_timers_start(s->timers, s->t_compute);
  heat_apply_bc(p, in);
  if (p->overlap) {
    boundary_boxes(in, s->c, q, in, out);
  } else {
    for (int d = 0; d < in->ndim; ++d) { lo[d] = 0; hi[d] = in->n[d]; }
    heat_explicit_box(in, out, s->c, q, lo, hi);
  }
  pt_timers_stop(s->timers, s->t_compute);
  return PT_OK;
}

#ifdef PT_HAVE_CUDA
/* The explicit step on the device. With overlap, the boundary stream packs the faces
 * while the interior stream updates the interior box; the faces travel (staged through
 * pinned host buffers unless MPI takes device memory); one kernel fills every ghost face
 * and the boundary slabs follow on the boundary stream. The cells and the expression
 * are explicit_step's, so the field is the CPU's bit for bit. */
static int device_step(heat_solver *s) {
  const heat_params *p = s->p;
  heat_cuda *g = s->gpu;
  const int k = s->cur, exchange = !p->halo_off && s->gpu_nreq > 0;
  const pt_field *f = s->u[k];
  int64_t lo[PT_MAXDIM], hi[PT_MAXDIM];
  if (s->device_stale) {
    for (int j = 0; j < 2; ++j) PT_TRY(heat_cuda_upload(g, j, s->u[j]));
    s->device_stale = 0;
  }
  pt_timers_start(s->timers, s->t_halo);
  if (exchange) PT_TRY(heat_cuda_pack(g, k));
  pt_timers_stop(s->timers, s->t_halo);
  if (p->overlap) {
    pt_timers_start(s->timers, s->t_compute);
    interior_box(f, lo, hi);
    PT_TRY(heat_cuda_box(g, k, lo, hi, HEAT_CUDA_INTERIOR));
    pt_timers_stop(s->timers, s->t_compute);
  }
  pt_timers_start(s->timers, s->t_halo);
  if (exchange) {
    PT_TRY(heat_cuda_pack_wait(g));
    PT_MPI(MPI_Startall(s->gpu_nreq, s->gpu_req));
    PT_MPI(MPI_Waitall(s->gpu_nreq, s->gpu_req, MPI_STATUSES_IGNORE));
  }
  pt_timers_stop(s->timers, s->t_halo);
  pt_timers_start(s->timers, s->t_compute);
  PT_TRY(heat_cuda_fill_ghosts(g, k, exchange));
  if (p->overlap) {
    for (int d = 0; d < f->ndim; ++d)
      for (int side = 0; side < 2; ++side)
        if (boundary_slab(f, d, side, lo, hi)) PT_TRY(heat_cuda_box(g, k, lo, hi, HEAT_CUDA_BOUNDARY));
  } else {
    for (int d = 0; d < f->ndim; ++d) { lo[d] = 0; hi[d] = f->n[d]; }
    PT_TRY(heat_cuda_box(g, k, lo, hi, HEAT_CUDA_BOUNDARY));
  }
  /* The next step packs what both streams wrote, and the timers see the kernels. */
  PT_TRY(heat_cuda_sync(g));
  pt_timers_stop(s->timers, s->t_compute);
  s->host_stale = 1;
  return PT_OK;
}
#endif

pt_field *heat_solver_field(heat_solver *s) {
#ifdef PT_HAVE_CUDA
  if (s->host_stale) {
    if (heat_cuda_download(s->gpu, s->cur, s->u[s->cur])) device_fault();
    s->host_stale = 0;
  }
#endif
  return s->u[s->cur];
}

int heat_solver_step(heat_solver *s) {
#ifdef PT_HAVE_PETSC
  if (s->implicit) PT_TRY(heat_implicit_step(s->implicit, s));
  else
#endif
#ifdef PT_HAVE_CUDA
  if (s->gpu) {
    int err = device_step(s);
    if (err == PT_ERR_RUNTIME) device_fault();
    PT_TRY(err);
  } else
#endif
    PT_TRY(explicit_step(s));
  s->cur = 1 - s->cur;
  s->step++;
  s->time = (double)s->step * s->p->dt;
  return PT_OK;
}

int heat_solver_diagnostics(heat_solver *s, heat_diag *d) {
  const pt_field *f = heat_solver_field(s);
  double vol = 1;
  for (int k = 0; k < f->ndim; ++k) vol *= s->p->h[k];
  pt_stats st;
  PT_TRY(pt_reduce_field(f, &st));
  d->total = st.sum * vol;
  d->l2 = sqrt(st.sumsq * vol);
  d->min = st.min;
  d->max = st.max;
  return PT_OK;
}
