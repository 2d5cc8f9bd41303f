/* nbody_force: softened gravitational accelerations by direct summation over all
 * bodies, with three parallel strategies chosen at run time:
 *   allgather  MPI_Allgatherv of every block, then the local kernel over all of them;
 *   ring       a systolic pass of blocks around a periodic 1D Cartesian topology, the
 *              next block in flight (Isend/Irecv, double-buffered) while one is computed;
 *   rma        every rank exposes its block in an MPI window; the others fetch it with
 *              MPI_Rget (passive target, lock_all), the next block in flight while one
 *              is computed.
 * Every strategy feeds the same kernel (nbody_kernel). allgather and rma visit the
 * source blocks in global order 0..P-1, so each body's force is the same sequential sum
 * over bodies 0..N-1 and bitwise the same for any rank count (and for both strategies).
 * ring visits the blocks in the order they come round (own block first), which is fixed
 * for a given rank count: its forces are reproducible at that rank count and agree with
 * the others to round-off. */
#ifndef NBODY_FORCE_H
#define NBODY_FORCE_H

#include "nbody_params.h"
#include "pt_particles.h"
#include "pt_timer.h"

typedef struct nbody_force nbody_force;

/* Sets up the buffers, topology or window of `strategy` for the particles `p`
 * (borrowed; their distribution must not change) with precision `precision`. The
 * phases "forces" and "communication" are registered in `timers` (borrowed; may be
 * NULL). Errors (agreed): PT_ERR_MPI, PT_ERR_NOMEM. Collective over p->comm. */
int nbody_force_create(const pt_particles *p, int strategy, int precision, double G,
                       double eps, pt_timers *timers, nbody_force **f);

/* Frees everything (the RMA window and the ring communicator too) and sets *f to NULL.
 * Collective over p->comm. */
void nbody_force_destroy(nbody_force **f);

/* acc[c][i] = G sum_j m_j (x_j - x_i)_c / (|x_j - x_i|^2 + eps^2)^(3/2) for this rank's
 * bodies at their current positions and, if `pot` is not NULL, the softened potential
 * pot[i] = -G sum_{j != i} m_j / (|x_j - x_i|^2 + eps^2)^(1/2). Whether the potential
 * is computed changes no bit of the accelerations. Errors: PT_ERR_MPI. Collective. */
int nbody_force_compute(nbody_force *f, double *const acc[3], double *pot);

struct nbody_cuda;

/* CUDA builds only: as nbody_force_compute for the bodies on device `gpu` (nbody_cuda,
 * borrowed): positions are read there and the accelerations (and, with `with_pot`, the
 * potential) left there. The strategies exchange blocks as on the CPU; only the blocks
 * that travel between ranks pass through host memory. Forces agree with the CPU's to
 * round-off (1e-12 relative in FP64, docs/verification.md). A device failure aborts the
 * job (nbody_cuda_check). Errors: PT_ERR_MPI. Collective. */
int nbody_force_compute_device(nbody_force *f, struct nbody_cuda *gpu, int with_pot);

#endif
