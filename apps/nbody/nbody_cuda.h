/* nbody_cuda: partita-nbody on this rank's CUDA device (CUDA builds only). The bodies
 * (positions, velocities and masses in FP64), their accelerations and potential live in
 * device memory for the whole run; the host sees them only through nbody_cuda_upload and
 * nbody_cuda_download (start, output, checkpoints). Forces: a tiled all-pairs kernel, one
 * thread per target and the sources passing through shared memory a tile at a time, in
 * FP32 or FP64 with the formula and source order of nbody_kernel; the exchange of source
 * blocks between ranks stays with nbody_force, which hands received blocks to
 * nbody_cuda_add_block through nbody_device.c's hooks. Every function returns PT_OK or
 * PT_ERR_RUNTIME with "[rank R] file:line: cudaXxx failed: ..." (PT_ERR_NOMEM on the
 * host), returns with the device idle unless it says otherwise, and is not collective. */
#ifndef NBODY_CUDA_H
#define NBODY_CUDA_H

#include <stdint.h>

#include "pt_particles.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct nbody_cuda nbody_cuda;

/* Device memory for `n` local bodies and received source blocks of up to `maxblock`
 * bodies, forces evaluated in `precision` (enum nbody_precision). */
int nbody_cuda_create(int64_t n, int64_t maxblock, int precision, nbody_cuda **g);
/* Frees everything and sets *g to NULL (no-op on NULL). */
void nbody_cuda_destroy(nbody_cuda **g);

/* Copies the positions, velocities and masses of `p` (its n bodies) to the device. */
int nbody_cuda_upload(nbody_cuda *g, const pt_particles *p);
/* Copies the positions and velocities into `p` and, where not NULL, the accelerations
 * into acc[0..2] and the potential into pot (n values each). */
int nbody_cuda_download(nbody_cuda *g, pt_particles *p, double *const acc[3], double *pot);

/* One force evaluation, in three phases driven by nbody_force's strategies:
 * begin      the targets (positions in the force precision) and this rank's source
 *            block x[n] y[n] z[n] m[n] in the force precision are made on the device,
 *            the sums zeroed; with `own` not NULL the block is also copied there (host
 *            memory, 4 n values) for the exchange;
 * add_block  adds the pull of nb sources on every target: `blk` is a block in host
 *            memory in the same layout (copied over first; it may be reused once this
 *            returns, while the kernel still runs), or NULL for this rank's own block
 *            (nb = n) already on the device. eps as nbody_kernel's eps2 = eps^2 in the
 *            force precision; with `with_pot` the potential sums too;
 * end        acceleration = G x sums and, with `with_pot`, potential = G (sum + the
 *            body's own term, taken back exactly as nbody_force_compute does). */
int nbody_cuda_force_begin(nbody_cuda *g, void *own);
int nbody_cuda_add_block(nbody_cuda *g, const void *blk, int64_t nb, double eps, int with_pot);
int nbody_cuda_force_end(nbody_cuda *g, double G, double eps, int with_pot);

/* v += h a, and x += h v, over the local bodies: each operation rounded separately (no
 * FMA), as the CPU back-end's loops (nbody_cpu.c) compute them. */
int nbody_cuda_kick(nbody_cuda *g, double h);
int nbody_cuda_drift(nbody_cuda *g, double h);

/* The two passes of pt_sum over the per-body terms of each nbody_diag quantity q
 * (NBODY_NQ of them, the same operations in the same order as nbody_cpu.c's terms,
 * each rounded separately): maxabs[q] the largest |term| (NaN counted as infinite), then
 * acc[q] the exact sum of the terms scaled by 2^scale[q] and rounded to integers, as
 * pt_sum_add would make it. The potential must be current (a force with with_pot). */
int nbody_cuda_diag_maxabs(nbody_cuda *g, double maxabs[]);
int nbody_cuda_diag_sums(nbody_cuda *g, const int scale[], __int128 acc[]);

/* For a device call in the middle of a step: if `err` is not PT_OK, prints the recorded
 * message and aborts the job with exit code PT_EXIT_RUNTIME (the other ranks may already
 * wait in MPI for this one, so the error cannot be returned and agreed). */
void nbody_cuda_check(int err);

#ifdef __cplusplus
}
#endif
#endif
