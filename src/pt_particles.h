/** @file
 * pt_particles: a distributed set of point particles in structure-of-arrays form.
 * The particles are ordered by a global index 0..ntotal-1 and block-distributed: rank r
 * owns the contiguous block r (blocks differ by at most one particle, the first
 * ntotal % size blocks holding the extra one, as pt_decomp_block and pt_io's particle
 * reads split them), so any particle count works on any rank count. Each particle has
 * a 64-bit id, a position, a velocity and a mass. Every array is 64-byte aligned and
 * its storage is padded with zeros to a multiple of PT_PARTICLES_PAD values, so vector
 * loops may run over whole registers past the last particle. */
#ifndef PT_PARTICLES_H
#define PT_PARTICLES_H

#include <mpi.h>
#include <stddef.h>
#include <stdint.h>

#include "pt_io.h"
#include "pt_units.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PT_PARTICLES_PAD 16    /**< values: one 512-bit register of floats */
#define PT_PARTICLES_ALIGN 64  /**< bytes */
#define PT_PARTICLES_NREC 3    /**< records: position, velocity, mass */

/** This rank's block of a particle set (pt_particles_create). */
typedef struct pt_particles {
  MPI_Comm comm;        /**< duplicate of the creating communicator (owned) */
  int rank;             /**< this rank in `comm` */
  int size;             /**< ranks in `comm` */
  int64_t ntotal;       /**< particles on all ranks */
  int64_t n;            /**< particles on this rank */
  int64_t offset;       /**< global index of this rank's first particle */
  int *counts;          /**< per rank: block size (MPI counts) */
  int *displs;          /**< per rank: first global index (MPI displacements) */
  uint64_t *id;         /**< n ids */
  double *x[3];         /**< positions */
  double *v[3];         /**< velocities */
  double *mass;         /**< masses */
} pt_particles;

/** Creates `ntotal` particles block-distributed over `comm`: ids are the global indices,
 * every other value is zero. Errors (agreed): PT_ERR_INPUT (ntotal < 0, or a block too
 * large for an MPI count), PT_ERR_NOMEM, PT_ERR_MPI. Collective over `comm`. */
int pt_particles_create(MPI_Comm comm, int64_t ntotal, pt_particles **p);

/** Frees the set and sets *p to NULL (no-op on NULL). Collective over p->comm. */
void pt_particles_destroy(pt_particles **p);

/** Values an array for `n` particles holds: n rounded up to PT_PARTICLES_PAD. */
int64_t pt_particles_padded(int64_t n);

/** A zeroed, aligned, padded per-particle array for this rank (pt_particles_padded(p->n)
 * elements of `elem_size` bytes), freed with free(). Errors: PT_ERR_NOMEM. Not
 * collective. */
int pt_particles_alloc(const pt_particles *p, size_t elem_size, void **out);

/** Gathers every rank's block of a per-particle array into `global` on every rank, in
 * global-index order: `local` holds p->n items of `type`, `global` room for p->ntotal.
 * Errors: PT_ERR_MPI. Collective. */
int pt_particles_allgather(const pt_particles *p, MPI_Datatype type, const void *local,
                           void *global);

/** The same, into `global` on rank `root` only (ignored elsewhere). Collective. */
int pt_particles_gather(const pt_particles *p, int root, MPI_Datatype type,
                        const void *local, void *global);

/** The records "position", "velocity" and "mass" of this rank's particles, with the
 * openPMD units of their dimensions (L, L T^-1, M) in the unit system `u` (NULL: code
 * units), for pt_series_write_particles and pt_checkpoint. Not collective. */
void pt_particles_records(const pt_particles *p, const pt_units *u,
                          pt_particle_record rec[PT_PARTICLES_NREC]);

/** Writes the particles as species `species` at `step` of series `s` (sorted by id in
 * the file whatever the rank count), units as pt_particles_records. Errors: as
 * pt_series_write_particles. Collective. */
int pt_particles_write(const pt_particles *p, const pt_units *u, pt_series *s, int64_t step,
                       double time, double dt, const char *species);

/** Copies what pt_io_read_particles (or pt_checkpoint_read) returned into `p`, whose
 * block distribution it must share: ids, then the records position, velocity, mass in
 * that order (see pt_particles_records). Errors: PT_ERR_INPUT ("SOURCE: ..." when the
 * counts or records differ). Not collective (agree on the result). */
int pt_particles_assign(pt_particles *p, const pt_io_particles *set, const char *source);

/** Reads species `species` at `step` (-1: the last) of the openPMD file `path` into a
 * new set with the file's particle count. Errors (agreed): as pt_io_read_particles,
 * PT_ERR_NOMEM. Collective over `comm`. */
int pt_particles_read(MPI_Comm comm, const char *path, int64_t step, const char *species,
                      pt_particles **p);

#ifdef __cplusplus
}
#endif
#endif
