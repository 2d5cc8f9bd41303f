#include "config.h"
#include "heat_solver.h"

#include "heat_explicit.h"

#include <math.h>
#include <stdlib.h>

#include "pt_error.h"
#include "pt_log.h"
#include "pt_reduce.h"

/* Every back-end this build has; the first that serves the scheme on the rank's
 * back-end runs (the CPU's explicit one serves what the others do not). */
static const heat_backend *const backends[] = {
#ifdef PT_HAVE_PETSC
    &heat_backend_implicit,
#endif
#ifdef PT_HAVE_CUDA
    &heat_backend_device,
#endif
#ifdef PT_HAVE_OPENCL
    &heat_backend_opencl,
#endif
    &heat_backend_explicit,
    NULL,
};

int heat_solver_create(MPI_Comm comm, const heat_params *p, pt_timers *timers,
                       heat_solver **out) {
  heat_solver *s = calloc(1, sizeof *s);
  *out = NULL;
  if (!s) return pt_agree(comm, PT_ERROR(PT_ERR_NOMEM, "out of memory"));
  heat_state *st = &s->st;
  st->p = p;
  st->timers = timers;
  st->t_compute = pt_timers_add(timers, "compute");
  st->t_halo = pt_timers_add(timers, "halo");
  int periodic[PT_MAXDIM] = {0, 0, 0};
  for (int d = 0; d < p->ndim; ++d) periodic[d] = p->bc[d][0] == HEAT_BC_PERIODIC;
  int err = pt_decomp_create(comm, p->ndim, p->n, periodic, p->dims, &s->decomp);
  st->decomp = s->decomp;
  st->time_block = p->time_block;
  if (!err && !st->time_block) {
    /* auto: blocks for the CPU's explicit step, the ranks' smallest choice. */
    int k = p->scheme == HEAT_EXPLICIT && p->backend == PT_BACKEND_CPU ? heat_time_block_auto(s->decomp) : 1;
    err = PT_MPI_CHECK(MPI_Allreduce(&k, &st->time_block, 1, MPI_INT, MPI_MIN, comm));
    if (!err) pt_log(PT_LOG_INFO, "run.time_block = auto: %d step(s) per exchange", st->time_block);
  }
  /* A step per ghost layer between exchanges. */
  for (int k = 0; k < 2 && !err; ++k) err = pt_field_create(s->decomp, st->time_block, &st->u[k]);
  err = pt_agree(comm, err);
  if (st->time_block > 1) err = heat_params_blame(p, "run.time_block", err);
  for (int d = 0; d < p->ndim; ++d) st->c[d] = p->alpha * p->dt / (p->h[d] * p->h[d]);
  st->q = p->dt * p->source;
  /* The implicit schemes run on the CPU (PETSc): no device for them. */
  if (!err)
    err = pt_device_select_with(comm, p->scheme == HEAT_EXPLICIT ? (pt_backend)p->backend : PT_BACKEND_CPU,
                                &p->opencl, &st->device);
  for (size_t b = 0; !err && !s->backend && backends[b]; ++b)
    if (backends[b]->serves(p, &st->device)) s->backend = backends[b];
  if (!err && !s->backend)
    err = PT_ERROR(PT_ERR_RUNTIME, "no back-end of this build runs this scheme on %s",
                   pt_backend_names[st->device.backend]);
  if (!err) err = s->backend->create(st, &s->impl);
  if (err) heat_solver_destroy(&s);
  *out = s;
  return err;
}

void heat_solver_destroy(heat_solver **s) {
  if (!*s) return;
  if ((*s)->backend) (*s)->backend->destroy(&(*s)->impl);
  for (int k = 0; k < 2; ++k) pt_field_destroy(&(*s)->st.u[k]);
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
  const heat_params *p = s->st.p;
  pt_field *f = s->st.u[s->st.cur];
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

pt_field *heat_solver_field(heat_solver *s) {
  if (s->backend->to_host) s->backend->to_host(s->impl, &s->st);
  return s->st.u[s->st.cur];
}

int heat_solver_advance(heat_solver *s, int64_t n) {
  heat_state *st = &s->st;
  if (s->backend->advance) {
    PT_TRY(s->backend->advance(s->impl, st, n));
    st->cur = (int)((st->cur + n) & 1);
    st->step += n;
  } else {
    for (int64_t k = 0; k < n; ++k) {
      PT_TRY(s->backend->step(s->impl, st));
      st->cur = 1 - st->cur;
      st->step++;
    }
  }
  s->time = (double)st->step * st->p->dt;
  return PT_OK;
}

int heat_solver_step(heat_solver *s) { return heat_solver_advance(s, 1); }

int heat_solver_diagnostics(heat_solver *s, heat_diag *d) {
  const pt_field *f = heat_solver_field(s);
  double vol = 1;
  for (int k = 0; k < f->ndim; ++k) vol *= s->st.p->h[k];
  pt_stats st;
  PT_TRY(pt_reduce_field(f, &st));
  d->total = st.sum * vol;
  d->l2 = sqrt(st.sumsq * vol);
  d->min = st.min;
  d->max = st.max;
  return PT_OK;
}
