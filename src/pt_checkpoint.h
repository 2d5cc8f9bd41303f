/** @file
 * pt_checkpoint: checkpoint and restart. A checkpoint is an openPMD file (written with
 * pt_io, so h5py and ParaView read it too) holding the state at one step, plus a
 * /checkpoint group: app name, step, time, dt, the resolved input deck, named scalars,
 * and a checksum on every dataset. Restart works at any rank count and process grid.
 *
 * Files: `DIR/<app>-checkpoint.h5` (newest) and `DIR/<app>-checkpoint.h5.1` (the one
 * before). A write goes to `DIR/<app>-checkpoint.h5.tmp`, which is flushed, closed and
 * fsync'ed; then the newest becomes .1 and the temp file the newest (two renames). A
 * crash at any point leaves at least one complete checkpoint, and "latest" finds it.
 *
 * Fault injection for tests: PT_CHECKPOINT_FAULT=before-rename (every rank _exits after
 * the data are safe in the temp file, before any rename), after-rotate (after the
 * newest became .1, before the temp file took its place), or pause (waits 2 s before
 * the renames, so a test can signal the writer mid-checkpoint). */
#ifndef PT_CHECKPOINT_H
#define PT_CHECKPOINT_H

#include <mpi.h>
#include <stddef.h>
#include <stdint.h>

#include "pt_field.h"
#include "pt_io.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The state of a run. The same struct describes what to write and what to read. */
typedef struct pt_checkpoint {
  const char *app;                  /**< such as "partita-heat"; a read must find the same */
  int64_t step;                     /**< write: in; read: out */
  double time;                      /**< write: in; read: out */
  double dt;                        /**< write: in; read: out */
  const char *deck;                 /**< write: the resolved input deck (may be NULL) */
  char *deck_read;                  /**< read: out, the stored deck (NULL if none) */
  int nfields;                      /**< grid records */
  const char *const *field_names;   /**< `nfields` record names */
  pt_field *const *fields;          /**< write: saved; read: filled (grid must match) */
  const char *species;              /**< particle species, or NULL for none */
  int64_t np;                       /**< write: this rank's particles */
  const uint64_t *id;               /**< write: their ids */
  int nrec;                         /**< particle records; on read only recs[].name is used */
  const pt_particle_record *recs;   /**< `nrec` particle records */
  pt_io_particles particles;        /**< read: out, this rank's block (by sorted id) */
  int nscalars;                     /**< named doubles: RNG state, counters, ... */
  const char *const *scalar_names;  /**< `nscalars` names */
  double *scalars;                  /**< write: in; read: out */
  char path[PT_PATH_MAX];           /**< out: the file written or read */
} pt_checkpoint;

/** `DIR/<app>-checkpoint.h5` for generation 0, `DIR/<app>-checkpoint.h5.1` for 1. Errors:
 * as pt_io_path. */
int pt_checkpoint_path(const char *dir, const char *app, int generation, char *out, size_t len);

/** Writes `ck` (see the file comment for the protocol) and sets ck->path. Errors:
 * PT_ERR_INPUT (no app name, bad names or paths), PT_ERR_IO (the previous checkpoints are then
 * untouched), PT_ERR_NOMEM. Collective over `comm`, which must be the fields'
 * communicator (or congruent with it). */
int pt_checkpoint_write(MPI_Comm comm, const char *dir, pt_checkpoint *ck);

/** Restores `ck` from `which`: a checkpoint file, or "latest" for the newest complete
 * checkpoint of ck->app in `dir` (the .1 generation if the newest is missing, truncated
 * or corrupt; rank 0 then warns on stderr). Fields must already exist with the run's
 * decomposition. Errors (PT_ERR_INPUT, message "FILE: what is wrong"): no checkpoint,
 * truncated or not HDF5, not a checkpoint, another app's, grid size mismatch, missing
 * record or scalar, checksum mismatch; PT_ERR_IO. Collective and agreed. */
int pt_checkpoint_read(MPI_Comm comm, const char *which, const char *dir, pt_checkpoint *ck);

/** Frees what a read allocated (deck_read, particles). Not collective. */
void pt_checkpoint_release(pt_checkpoint *ck);

#ifdef __cplusplus
}
#endif
#endif
