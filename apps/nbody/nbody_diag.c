#include "config.h"
#include "nbody_diag.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pt_error.h"
#include "pt_reduce.h"
#ifdef PT_HAVE_CUDA
#include "nbody_cuda.h"
#endif

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

/* The sums on the host; `err` is the caller's check, agreed here. */
static int host_sums(const nbody_sim *s, int err, double sum[NBODY_NQ]) {
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

#ifdef PT_HAVE_CUDA
/* pt_reduce_sum's two passes with the per-body work on the device: the same terms and
 * the same exact integer sums, so the same bits as host_sums for the same state. */
static int device_sums(const nbody_sim *s, int err, double sum[NBODY_NQ]) {
  MPI_Comm comm = s->p->comm;
  PT_TRY(pt_agree(comm, err));
  pt_sum ps[NBODY_NQ];
  double maxabs[NBODY_NQ];
  int scale[NBODY_NQ];
  __int128 acc[NBODY_NQ];
  nbody_cuda_check(nbody_cuda_diag_maxabs(s->gpu, maxabs));
  for (int q = 0; q < NBODY_NQ; ++q) {
    pt_sum_init(&ps[q]);
    ps[q].maxabs = maxabs[q];
    ps[q].count = s->p->n;
    PT_TRY(pt_sum_prepare(&ps[q], comm));
    scale[q] = ps[q].scale;
  }
  nbody_cuda_check(nbody_cuda_diag_sums(s->gpu, scale, acc));
  for (int q = 0; q < NBODY_NQ; ++q) {
    ps[q].acc = acc[q];
    PT_TRY(pt_sum_finish(&ps[q], comm, &sum[q]));
  }
  return PT_OK;
}
#endif

int nbody_diag_compute(const nbody_sim *s, nbody_diag *d) {
  int err = s->pot_valid ? PT_OK : PT_ERROR(PT_ERR_RUNTIME, "diagnostics without a current potential");
  double sum[NBODY_NQ];
#ifdef PT_HAVE_CUDA
  if (s->gpu)
    PT_TRY(device_sums(s, err, sum));
  else
#endif
    PT_TRY(host_sums(s, err, sum));
  memset(d, 0, sizeof *d);
  d->mass = sum[NBODY_Q_MASS];
  d->kinetic = sum[NBODY_Q_KIN];
  d->potential = sum[NBODY_Q_POT];
  d->total = d->kinetic + d->potential;
  for (int c = 0; c < 3; ++c) {
    d->momentum[c] = sum[NBODY_Q_P + c];
    d->angular[c] = sum[NBODY_Q_L + c];
    d->com[c] = sum[NBODY_Q_X + c] / d->mass;
    d->com_vel[c] = sum[NBODY_Q_P + c] / d->mass;
  }
  d->virial = d->potential != 0 ? 2 * d->kinetic / fabs(d->potential) : 0;
  return PT_OK;
}
