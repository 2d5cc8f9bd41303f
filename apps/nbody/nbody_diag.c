#include "nbody_diag.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pt_error.h"
#include "pt_reduce.h"

enum { Q_MASS, Q_KIN, Q_POT, Q_P, Q_L = Q_P + 3, Q_X = Q_L + 3, NQ = Q_X + 3 };

/* Per-body terms of quantity q into w. */
static void terms(const nbody_sim *s, int q, double *w) {
  const pt_particles *p = s->p;
  for (int64_t i = 0; i < p->n; ++i) {
    const double m = p->mass[i], x[3] = {p->x[0][i], p->x[1][i], p->x[2][i]};
    const double v[3] = {p->v[0][i], p->v[1][i], p->v[2][i]};
    double t;
    if (q == Q_MASS) t = m;
    else if (q == Q_KIN) t = 0.5 * m * (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
    else if (q == Q_POT) t = 0.5 * m * s->pot[i];  /* each pair appears twice */
    else if (q < Q_L) t = m * v[q - Q_P];
    else if (q < Q_X) {
      int c = q - Q_L, a = (c + 1) % 3, b = (c + 2) % 3;
      t = m * (x[a] * v[b] - x[b] * v[a]);
    } else t = m * x[q - Q_X];
    w[i] = t;
  }
}

int nbody_diag_compute(const nbody_sim *s, nbody_diag *d) {
  const pt_particles *p = s->p;
  int err = s->pot_valid ? PT_OK : PT_ERROR(PT_ERR_RUNTIME, "diagnostics without a current potential");
  double *w = err ? NULL : malloc(sizeof(double) * (size_t)(p->n ? p->n : 1));
  if (!err && !w) err = PT_ERROR(PT_ERR_NOMEM, "out of memory");
  PT_TRY(pt_agree(p->comm, err));
  double sum[NQ];
  for (int q = 0; !err && q < NQ; ++q) {
    terms(s, q, w);
    err = pt_reduce_sum(p->comm, w, (size_t)p->n, &sum[q]);
  }
  free(w);
  PT_TRY(err);
  memset(d, 0, sizeof *d);
  d->mass = sum[Q_MASS];
  d->kinetic = sum[Q_KIN];
  d->potential = sum[Q_POT];
  d->total = d->kinetic + d->potential;
  for (int c = 0; c < 3; ++c) {
    d->momentum[c] = sum[Q_P + c];
    d->angular[c] = sum[Q_L + c];
    d->com[c] = sum[Q_X + c] / d->mass;
    d->com_vel[c] = sum[Q_P + c] / d->mass;
  }
  d->virial = d->potential != 0 ? 2 * d->kinetic / fabs(d->potential) : 0;
  return PT_OK;
}
