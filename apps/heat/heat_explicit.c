#include "heat_explicit.h"

#include <stdlib.h>

#include "pt_error.h"

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

void heat_interior_box(const pt_field *f, int64_t lo[], int64_t hi[]) {
  for (int d = 0; d < f->ndim; ++d) {
    lo[d] = 1;
    hi[d] = f->n[d] - 1;
  }
}

int heat_boundary_slab(const pt_field *f, const int64_t blo[], const int64_t bhi[], int d, int side,
                       int64_t lo[], int64_t hi[]) {
  int64_t ilo[PT_MAXDIM], ihi[PT_MAXDIM];
  heat_interior_box(f, ilo, ihi);
  for (int e = 0; e < f->ndim; ++e) {
    if (ihi[e] < ilo[e]) ihi[e] = ilo[e];  /* an axis of one cell has no interior */
    if (e < d) { lo[e] = ilo[e]; hi[e] = ihi[e]; }
    else if (e > d) { lo[e] = blo[e]; hi[e] = bhi[e]; }
  }
  lo[d] = side ? ihi[d] : blo[d];
  hi[d] = side ? bhi[d] : ilo[d];
  return hi[d] > lo[d];
}

void heat_apply_bc(const heat_params *p, pt_field *f, int reach) {
  for (int d = 0; d < f->ndim; ++d)
    for (int side = 0; side < 2; ++side)
      if (p->bc[d][side] != HEAT_BC_PERIODIC)
        pt_field_wall_reach(f, d, side,
                            p->bc[d][side] == HEAT_BC_DIRICHLET ? PT_WALL_DIRICHLET : PT_WALL_NEUMANN,
                            p->bc_value[d][side], reach);
}

/* The cells a step computes `e` steps before the next exchange: the owned ones and e
 * layers beyond every face with a neighbour, whose ghosts the exchange filled deep
 * enough (ng >= e + 1) for e more steps. */
static void reach_box(const pt_field *f, int e, int64_t lo[], int64_t hi[]) {
  for (int d = 0; d < f->ndim; ++d) {
    lo[d] = f->decomp->nbr[d][0] != MPI_PROC_NULL ? -e : 0;
    hi[d] = f->n[d] + (f->decomp->nbr[d][1] != MPI_PROC_NULL ? e : 0);
  }
}

int heat_halos_create(heat_state *st, pt_halo *halo[2]) {
  int err = PT_OK;
  for (int k = 0; k < 2 && !err; ++k) {
    err = heat_params_blame(st->p, "run.halo", st->p->time_block > 1 ? pt_halo_create_box(st->u[k], st->p->halo, &halo[k])
                                                       : pt_halo_create(st->u[k], st->p->halo, &halo[k]));
  }
  return err;
}

/* The CPU back-end: the halos, and where the step stands in a block of
 * p->time_block steps between exchanges. */
typedef struct cpu {
  pt_halo *halo[2];
  int pos;
} cpu;

static int create(heat_state *st, void **impl) {
  cpu *c = calloc(1, sizeof *c);
  int err = pt_agree(st->decomp->cart, c ? PT_OK : PT_ERROR(PT_ERR_NOMEM, "out of memory"));
  if (!err) err = heat_halos_create(st, c->halo);
  *impl = c;
  return err;
}

static void destroy(void **impl) {
  cpu *c = *impl;
  if (!c) return;
  for (int k = 0; k < 2; ++k) pt_halo_destroy(&c->halo[k]);
  free(c);
  *impl = NULL;
}

/* One step. The first of a block exchanges ghosts ng = time_block deep; each step then
 * computes its reach box, one layer narrower than the last, so the owned cells are right
 * after every step (output, checkpoints and stops may fall anywhere in a block) and each
 * cell's update is the same expression as without blocking: the same bits. */
static int step(void *impl, heat_state *s) {
  cpu *c = impl;
  const heat_params *p = s->p;
  pt_field *in = s->u[s->cur], *out = s->u[1 - s->cur];
  const int e = p->time_block - 1 - c->pos, exchange = c->pos == 0 && !p->halo_off;
  int64_t lo[PT_MAXDIM], hi[PT_MAXDIM], blo[PT_MAXDIM], bhi[PT_MAXDIM];
  reach_box(in, e, blo, bhi);
  c->pos = (c->pos + 1) % p->time_block;
  pt_timers_start(s->timers, s->t_halo);
  if (exchange) PT_TRY(pt_halo_begin(c->halo[s->cur]));
  pt_timers_stop(s->timers, s->t_halo);
  const int split = exchange && p->overlap;
  if (split) {
    pt_timers_start(s->timers, s->t_compute);
    heat_interior_box(in, lo, hi);
    heat_explicit_box(in, out, s->c, s->q, lo, hi);
    pt_timers_stop(s->timers, s->t_compute);
  }
  pt_timers_start(s->timers, s->t_halo);
  if (exchange) PT_TRY(pt_halo_end(c->halo[s->cur]));
  pt_timers_stop(s->timers, s->t_halo);
  pt_timers_start(s->timers, s->t_compute);
  heat_apply_bc(p, in, e);
  if (split) {
    for (int d = 0; d < in->ndim; ++d)
      for (int side = 0; side < 2; ++side)
        if (heat_boundary_slab(in, blo, bhi, d, side, lo, hi)) heat_explicit_box(in, out, s->c, s->q, lo, hi);
  } else {
    heat_explicit_box(in, out, s->c, s->q, blo, bhi);
  }
  pt_timers_stop(s->timers, s->t_compute);
  return PT_OK;
}

static int serves(const heat_params *p, const pt_device_info *dev) {
  return p->scheme == HEAT_EXPLICIT && dev->backend == PT_BACKEND_CPU;
}

const heat_backend heat_backend_explicit = {"cpu", serves, create, destroy, step, NULL};
