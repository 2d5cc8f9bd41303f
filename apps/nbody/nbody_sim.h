/* nbody_sim: the state of a run (bodies, accelerations, step, time) and the symplectic
 * integrators that advance it: kick-drift-kick leapfrog (2nd order) and its 4th-order
 * composition (Yoshida 1990, Phys. Lett. A 150, 262; Forest & Ruth 1990, Physica D 43,
 * 105): three leapfrog steps of w1 dt, w0 dt, w1 dt with w1 = 1 / (2 - 2^(1/3)),
 * w0 = -2^(1/3) w1, the inner half-kicks merged. The forces, kicks, drifts and
 * diagnostics sums run on the back-end chosen at create (nbody_backend.h); on a device
 * the state lives there from nbody_sim_start on, and the host copy in p, acc and pot is
 * refreshed only by nbody_sim_host (for output and checkpoints). */
#ifndef NBODY_SIM_H
#define NBODY_SIM_H

#include "nbody_force.h"
#include "nbody_params.h"
#include "pt_device.h"
#include "pt_particles.h"
#include "pt_timer.h"

typedef struct nbody_sim {
  const nbody_params *prm;  /* borrowed */
  pt_particles *p;          /* owned */
  nbody_force *force;
  double *acc[3];           /* accelerations at the current positions */
  double *pot;              /* softened potential per body, valid if pot_valid */
  int pot_valid;
  int64_t step;
  double time;
  int64_t step0;            /* time = time0 + (step - step0) dt: (0, 0) unless a restart */
  double time0;             /* changed dt */
  pt_timers *timers;        /* borrowed; may be NULL */
  int t_update;
  pt_device_info device;    /* the device in use (the CPU unless prm->backend asks) */
  const struct nbody_backend *be;  /* what computes there, chosen at create */
  void *dev;                /* the back-end's own copy of the state, or NULL */
  int host_stale;           /* the back-end's copy has moved on from the host's */
} nbody_sim;

/* Takes ownership of the bodies `p` and sets up the force strategy of `prm` (borrowed
 * for the life of the sim), at step 0, time 0, and the back-end prm->backend (as
 * pt_device_select, then the back-end's state: device memory on CUDA). Accelerations are
 * not yet computed: call nbody_sim_start. Errors (agreed): as nbody_force_create and
 * pt_device_select, PT_ERR_RUNTIME (device memory, or no back-end of this build for the
 * device chosen). Collective over p->comm. On failure `p` is freed too. */
int nbody_sim_create(const nbody_params *prm, pt_particles *p, pt_timers *timers,
                     nbody_sim **s);
void nbody_sim_destroy(nbody_sim **s);

/* Computes the accelerations (and the potential) at the current positions: once after
 * the initial condition or a restart. A device back-end first copies the bodies in s->p
 * there. Errors: PT_ERR_MPI. Collective. */
int nbody_sim_start(nbody_sim *s);

/* Brings the host copy up to date on a device back-end: positions and velocities into
 * s->p, accelerations into s->acc and, if valid, the potential into s->pot (no-op on the
 * CPU or when nothing changed). A device failure aborts the job. Not collective. */
void nbody_sim_host(nbody_sim *s);

/* Advances one step of prm->dt with the configured integrator; time becomes
 * time0 + (step - step0) dt.
 * With `want_pot` the potential is left valid for nbody_diag. Errors: PT_ERR_MPI.
 * Collective. */
int nbody_sim_step(nbody_sim *s, int want_pot);

#endif
