/* The CPU back-end of partita-nbody: it computes on the sim's host arrays, forces with
 * nbody_force's kernel, kicks and drifts as OpenMP loops, the diagnostics terms summed
 * with pt_reduce. */
#include "config.h"

#include <stdlib.h>

#include "nbody_backend.h"
#include "nbody_diag.h"
#include "pt_error.h"
#include "pt_reduce.h"

static int forces(nbody_sim *s, int want_pot) {
  return nbody_force_compute(s->force, s->acc, want_pot ? s->pot : NULL);
}

/* y += h x for the three components: a kick (v += h a) or a drift (x += h v). */
static void advance(double *const y[3], double *const x[3], double h, int64_t n) {
  for (int c = 0; c < 3; ++c) {
    double *yc = y[c];
    const double *xc = x[c];
#pragma omp parallel for simd schedule(static)
    for (int64_t i = 0; i < n; ++i) yc[i] += h * xc[i];
  }
}

static void kick(nbody_sim *s, double h) { advance(s->p->v, s->acc, h, s->p->n); }

static void drift(nbody_sim *s, double h) { advance(s->p->x, s->p->v, h, s->p->n); }

/* Per-body terms of quantity q into w. */
static void terms(const nbody_sim *s, int q, double *w) {
  const pt_particles *p = s->p;
  for (int64_t i = 0; i < p->n; ++i) {
    const double m = p->mass[i], x[3] = {p->x[0][i], p->x[1][i], p->x[2][i]};
    const double v[3] = {p->v[0][i], p->v[1][i], p->v[2][i]};
    double t;
    if (q == NBODY_Q_MASS) t = m;
    else if (q == NBODY_Q_KIN) t = 0.5 * m * (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
    else if (q == NBODY_Q_POT) t = 0.5 * m * s->pot[i];  /* each pair appears twice */
    else if (q < NBODY_Q_L) t = m * v[q - NBODY_Q_P];
    else if (q < NBODY_Q_X) {
      int c = q - NBODY_Q_L, a = (c + 1) % 3, b = (c + 2) % 3;
      t = m * (x[a] * v[b] - x[b] * v[a]);
    } else t = m * x[q - NBODY_Q_X];
    w[i] = t;
  }
}

static int sums(const nbody_sim *s, int err, double sum[]) {
  const pt_particles *p = s->p;
  double *w = err ? NULL : malloc(sizeof(double) * (size_t)(p->n ? p->n : 1));
  if (!err && !w) err = PT_ERROR(PT_ERR_NOMEM, "out of memory");
  err = pt_agree(p->comm, err);
  for (int q = 0; !err && q < NBODY_NQ; ++q) {
    terms(s, q, w);
    err = pt_reduce_sum(p->comm, w, (size_t)p->n, &sum[q]);
  }
  free(w);
  return err;
}

const nbody_backend nbody_backend_cpu = {
    .kind = PT_BACKEND_CPU, .forces = forces, .kick = kick, .drift = drift, .sums = sums};
