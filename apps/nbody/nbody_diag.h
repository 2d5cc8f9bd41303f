/* nbody_diag: conserved quantities and global properties of the bodies, summed with
 * pt_reduce so they are the same bits on any rank count. */
#ifndef NBODY_DIAG_H
#define NBODY_DIAG_H

#include "nbody_sim.h"

typedef struct nbody_diag {
  double mass;
  double kinetic;       /* sum m v^2 / 2 */
  double potential;     /* sum_{i<j} -G m_i m_j / sqrt(r_ij^2 + eps^2): the force's own */
  double total;         /* kinetic + potential */
  double momentum[3];   /* sum m v */
  double angular[3];    /* sum m x cross v */
  double com[3];        /* centre of mass */
  double com_vel[3];    /* its velocity */
  double virial;        /* 2 kinetic / |potential|: 1 in virial equilibrium */
} nbody_diag;

/* Computes the diagnostics of the current state. Needs the potential of the current
 * positions (s->pot_valid: after nbody_sim_start, or a step with want_pot). Errors:
 * PT_ERR_RUNTIME (no valid potential, or non-finite values), PT_ERR_NOMEM, PT_ERR_MPI.
 * Collective. */
int nbody_diag_compute(const nbody_sim *s, nbody_diag *d);

#endif
