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
 * (borrowed; their distribution must not change) with precision `precision` and the
 * interaction kernel `kernel` (enum nbody_kernel_choice). The
 * phases "forces" and "communication" are registered in `timers` (borrowed; may be
 * NULL). Errors (agreed): PT_ERR_MPI, PT_ERR_NOMEM. Collective over p->comm. */
int nbody_force_create(const pt_particles *p, int strategy, int precision, int kernel,
                       double G, double eps, pt_timers *timers, nbody_force **f);

/* Frees everything (the RMA window and the ring communicator too) and sets *f to NULL.
 * Collective over p->comm. */
void nbody_force_destroy(nbody_force **f);

/* acc[c][i] = G sum_j m_j (x_j - x_i)_c / (|x_j - x_i|^2 + eps^2)^(3/2) for this rank's
 * bodies at their current positions and, if `pot` is not NULL, the softened potential
 * pot[i] = -G sum_{j != i} m_j / (|x_j - x_i|^2 + eps^2)^(1/2). Whether the potential
 * is computed changes no bit of the accelerations. Errors: PT_ERR_MPI. Collective. */
int nbody_force_compute(nbody_force *f, double *const acc[3], double *pot);

/* A back-end that adds the pull of each block itself (on a device): nbody_force runs its
 * strategy's exchange and timing ("forces" for the calls below) and hands over the
 * blocks, a block being x[nb] y[nb] z[nb] m[nb] in the force precision.
 *   begin  makes the targets and this rank's block on the back-end, the sums zeroed;
 *          with `own` not NULL it also writes the block there (host memory, 4 n values)
 *          for the exchange;
 *   block  adds the pull of the nb sources of `blk` (host memory, reusable once it
 *          returns) on every target, or of this rank's own block when `blk` is NULL;
 *          eps is the softening, with `with_pot` the potential sums too;
 *   end    leaves there the accelerations (G times the sums) and, with `with_pot`, the
 *          potential, as nbody_force_compute makes them on the host.
 * None returns an error: the other ranks may be in the exchange, so a back-end that
 * fails aborts the job. */
typedef struct nbody_force_hooks {
  void (*begin)(void *ctx, void *own);
  void (*block)(void *ctx, const void *blk, int64_t nb, double eps, int with_pot);
  void (*end)(void *ctx, double G, double eps, int with_pot);
} nbody_force_hooks;

/* As nbody_force_compute, the blocks exchanged by the strategy as on the CPU but their
 * pulls added by `hooks` (borrowed for the call), each called with `ctx`; the results
 * stay with the back-end. Errors: PT_ERR_MPI. Collective. */
int nbody_force_compute_with(nbody_force *f, const nbody_force_hooks *hooks, void *ctx,
                             int with_pot);

#endif
