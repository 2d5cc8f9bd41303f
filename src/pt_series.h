/** @file
 * pt_series: parallel HDF5 output in the openPMD 1.1.0 layout, with an XDMF sidecar
 * (pt_xdmf) so ParaView opens a series as a time series.
 *
 * A series is one HDF5 file holding every step (group-based encoding, path "run.h5") or
 * one file per step (file-based encoding, a path with "%T" such as "run_%T.h5"). Steps
 * live at `/data/<step>/`; grid records at `/data/<step>/meshes/<name>`, particle species
 * at `/data/<step>/particles/<species>/{position/x,y,z, positionOffset, id, ...}`. See
 * docs/io-format.md for the full layout.
 *
 * Data go through MPI-IO with collective transfers. Grid records are contiguous
 * datasets in global C order, and particle records are sorted by id, so a file holds
 * the same bytes for any rank count and process grid. Every write call leaves a closed,
 * complete file and an up-to-date sidecar behind: a run killed later loses nothing
 * already written.
 *
 * Errors: PT_ERR_INPUT for arguments that cannot be written, PT_ERR_IO for file-system
 * or HDF5 failures, PT_ERR_MPI, PT_ERR_NOMEM. Every function marked collective returns
 * the same code on all ranks (pt_agree). */
#ifndef PT_SERIES_H
#define PT_SERIES_H

#include <mpi.h>
#include <stdint.h>

#include "pt_field.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PT_IO_MAXREC 16    /**< particle records per species (besides id) */
#define PT_IO_NAMELEN 64   /**< record and species names: [A-Za-z0-9_], shorter than this */

/** Who wrote a series; stored as root attributes so a file documents its run. */
typedef struct pt_series_info {
  const char *software;          /**< program name such as "partita-heat" (required) */
  const char *software_version;  /**< NULL: libpartita's version */
  const char *author;            /**< NULL: $PARTITA_AUTHOR, else $USER, else "unknown" */
  const char *deck;              /**< resolved input deck text (attribute inputDeck), or NULL */
  double time_unit_si;           /**< seconds per unit of time and dt; 0 means 1 */
  const char *unit_system;       /**< attribute unitSystem ("SI", "code", see pt_units), or NULL */
  int append;                    /**< 1: keep the steps of an existing file (restart) */
  int checksum;                  /**< 1: store a checksum with every dataset (see below) */
  int no_xdmf;                   /**< 1: write no .xmf sidecar */
} pt_series_info;

/** How a grid record maps to space. Arrays are in file-axis order (axis 0 slowest), the
 * order of axisLabels. A zeroed struct (or NULL) means: dimensionless, unit spacing,
 * origin 0, values at cell corners, labels "x" for the fastest axis, then "y", "z". */
typedef struct pt_mesh_info {
  double unit_si;                      /**< factor to SI; 0 means 1 */
  double unit_dimension[7];            /**< powers of L, M, T, I, theta, N, J */
  double grid_spacing[PT_MAXDIM];      /**< 0 means 1 */
  double grid_global_offset[PT_MAXDIM]; /**< where the grid starts (gridGlobalOffset) */
  double grid_unit_si;                 /**< factor to metres for spacing/offset; 0 means 1 */
  double position[PT_MAXDIM];          /**< where in its cell a value sits, each in [0, 1) */
  const char *axis_labels[PT_MAXDIM];  /**< NULL entries take the defaults */
} pt_mesh_info;

/** One particle record for writing: a scalar (ncomp 1) or a vector with components x, y,
 * z (ncomp 2 or 3). "position" is always a vector record. comp[c] holds n values. */
typedef struct pt_particle_record {
  const char *name;                    /**< [A-Za-z0-9_], shorter than PT_IO_NAMELEN */
  int ncomp;                           /**< 1 (scalar), 2 or 3 (vector) */
  const double *comp[3];               /**< `ncomp` arrays of this rank's `n` values */
  double unit_si;                      /**< 0 means 1 */
  double unit_dimension[7];            /**< powers of L, M, T, I, theta, N, J */
} pt_particle_record;

/** A series open for writing (opaque). */
typedef struct pt_series pt_series;

/** Opens a series for writing. Group-based: creates (or truncates) `path`, or with
 * info->append keeps an existing file's steps. File-based ("%T" in path): each step's
 * file is created on its first write. The sidecar is `path` with ".h5" (and "_%T")
 * replaced by ".xmf". Errors: PT_ERR_INPUT (no software name, bad path), PT_ERR_IO.
 * Collective over `comm`. */
int pt_series_open(MPI_Comm comm, const char *path, const pt_series_info *info,
                   pt_series **s);

/** Writes `f`'s owned cells as grid record `/data/<step>/meshes/<name>` (double, contiguous,
 * global C order) and the step's time, dt and timeUnitSI, replacing a record of that name
 * already there. `m` may be NULL. Then rewrites the sidecar. Errors: PT_ERR_INPUT (bad
 * name or mesh info), PT_ERR_IO. Collective over the series' communicator; `f` must be
 * decomposed over that communicator (any process grid). */
int pt_series_write_mesh(pt_series *s, int64_t step, double time, double dt,
                         const char *name, const pt_field *f, const pt_mesh_info *m);

/** Writes a particle species at `/data/<step>/particles/<species>`: this rank's `n`
 * particles with unique ids `id` and `nrec` records (one must be "position"). The
 * particles are redistributed and sorted by id, then each rank writes a contiguous block
 * at its MPI_Exscan offset, so the file is independent of how particles were spread over
 * ranks. Adds positionOffset (constant 0) and id. Errors: PT_ERR_INPUT (no position,
 * bad name, too many records, mismatched ncomp across records), PT_ERR_RUNTIME (duplicate
 * ids), PT_ERR_IO. Collective. */
int pt_series_write_particles(pt_series *s, int64_t step, double time, double dt,
                              const char *species, int64_t n, const uint64_t *id,
                              int nrec, const pt_particle_record *recs);

/** Closes the series (the file is already complete; this frees the handle). A file this
 * handle created and never wrote a step into (the run failed or stopped first) is
 * removed: a series file always holds at least one complete step. Collective. */
int pt_series_close(pt_series **s);

#ifdef __cplusplus
}
#endif
#endif
