#include "config.h"
#include "nbody_diag.h"

#include <math.h>
#include <string.h>

#include "nbody_backend.h"
#include "pt_error.h"

int nbody_diag_compute(const nbody_sim *s, nbody_diag *d) {
  int err = s->pot_valid ? PT_OK : PT_ERROR(PT_ERR_RUNTIME, "diagnostics without a current potential");
  double sum[NBODY_NQ];
  PT_TRY(s->be->sums(s, err, sum));
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
