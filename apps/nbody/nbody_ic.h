/* nbody_ic: initial conditions. Random ones draw from a counter-based generator keyed
 * on (seed, body id, draw number), so every body gets the same values on any rank
 * count and in any order. */
#ifndef NBODY_IC_H
#define NBODY_IC_H

#include <mpi.h>
#include <stdint.h>

#include "nbody_params.h"
#include "pt_particles.h"

/* Uniform deviate in [0, 1) with 53 random bits: draw number `k` of body `id`. */
double nbody_random(uint64_t seed, uint64_t id, uint64_t k);

/* Creates the bodies of initial.type on `comm`: plummer (Aarseth, Henon & Wielen 1974,
 * N-body units G = M = 1, E = -1/4 up to sampling noise; velocities scaled by sqrt(G) for
 * other G, truncated at 99.9% of the mass), sphere (uniform, at rest, radius and
 * total mass from the deck), kepler (two bodies at pericentre, centre-of-mass frame),
 * figure8 (Chenciner & Montgomery 2000, Simo's initial values) or file (species of a
 * Partita/openPMD file). Random sets are shifted to the centre-of-mass frame with
 * reproducible sums. Errors (agreed): PT_ERR_INPUT (file problems, fewer bodies in the
 * file than ranks), PT_ERR_NOMEM, PT_ERR_MPI, PT_ERR_IO. Collective. */
int nbody_ic_create(MPI_Comm comm, const nbody_params *prm, pt_particles **p);

/* Kepler orbit period 2 pi sqrt(a^3 / (G M)) of the kepler initial condition. */
double nbody_kepler_period(const nbody_params *prm);

/* Period of the figure-eight orbit for G = m = 1 (Simo 2002, as quoted by Chenciner &
 * Montgomery). */
#define NBODY_FIGURE8_PERIOD 6.32591398

#endif
