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

/* The per-body terms summed into a nbody_diag, in this order: mass, kinetic energy,
 * potential energy, momentum (3), angular momentum (3), mass-weighted position (3). Each
 * back-end computes the same terms (nbody_backend's sums). */
enum { NBODY_Q_MASS, NBODY_Q_KIN, NBODY_Q_POT, NBODY_Q_P, NBODY_Q_L = NBODY_Q_P + 3,
       NBODY_Q_X = NBODY_Q_L + 3, NBODY_NQ = NBODY_Q_X + 3 };

/* Computes the diagnostics of the current state. Needs the potential of the current
 * positions (s->pot_valid: after nbody_sim_start, or a step with want_pot). Errors:
 * PT_ERR_RUNTIME (no valid potential, or non-finite values), PT_ERR_NOMEM, PT_ERR_MPI.
 * Collective. */
int nbody_diag_compute(const nbody_sim *s, nbody_diag *d);

#endif
