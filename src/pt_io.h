/** @file
 * pt_io: reading Partita's openPMD files back (grid records and particle species, on
 * any rank count), the last step of a file, the checksum every dataset carries, and the
 * step file of a file-based series. The writer is pt_series.
 *
 * Errors: PT_ERR_INPUT for a file that is not what the caller asked for ("FILE: what is
 * wrong"), PT_ERR_IO for file-system or HDF5 failures, PT_ERR_MPI, PT_ERR_NOMEM. Every
 * function marked collective returns the same code on all ranks (pt_agree). */
#ifndef PT_IO_H
#define PT_IO_H

#include <mpi.h>
#include <stddef.h>
#include <stdint.h>

#include "pt_field.h"
#include "pt_series.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A particle set read back: this rank's block of the id-sorted records. */
typedef struct pt_io_particles {
  int64_t n;          /**< particles on this rank */
  int64_t offset;     /**< index of this rank's first particle in the file */
  int64_t ntotal;     /**< particles in the file */
  uint64_t *id;       /**< n ids, ascending */
  int nrec;           /**< records read (entries of rec) */
  struct {
    char name[PT_IO_NAMELEN];  /**< record name */
    int ncomp;                 /**< 1 (scalar), 2 or 3 (vector) */
    double *comp[3];           /**< n values each */
  } rec[PT_IO_MAXREC];         /**< the records, in the order asked for */
} pt_io_particles;

/** Reads grid record `name` at `step` (-1: the last step in the file) of the HDF5 file
 * `path` into `f`'s owned cells, with `f`'s decomposition (one hyperslab per rank), so
 * the file may have been written at any rank count. Checks the openPMD version, that the
 * record is a floating-point Cartesian C-order mesh of exactly f's global size, and the
 * checksum if the file carries one. *time (may be NULL) gets the step's time, *step_out
 * (may be NULL) the step read. Errors: PT_ERR_INPUT ("FILE: what is wrong": missing,
 * truncated, not HDF5, no such step/record, wrong shape or type, checksum mismatch),
 * PT_ERR_IO. Collective over f's communicator. */
int pt_io_read_mesh(const char *path, int64_t step, const char *name, pt_field *f,
                    double *time, int64_t *step_out);

/** Reads particle species `species` at `step` (-1: last) of `path`: rank r of `comm`
 * gets block r of the id-sorted particles (block sizes differ by at most one), with the
 * `nrec` records named in `names` (id is always read). Checks shapes, types and
 * checksums. Free with pt_io_particles_free. Errors: as pt_io_read_mesh. Collective. */
int pt_io_read_particles(MPI_Comm comm, const char *path, int64_t step,
                         const char *species, int nrec, const char *const *names,
                         pt_io_particles *p);

/** Frees the ids and records of `p` and zeroes it. Not collective. */
void pt_io_particles_free(pt_io_particles *p);

/** The largest step in `path` (a file holding `/data/<step>` groups). Errors: PT_ERR_INPUT
 * (missing or not an openPMD file, no steps). Collective over `comm`. */
int pt_io_last_step(MPI_Comm comm, const char *path, int64_t *step);

/** Order-independent 64-bit checksum of `n` values whose global (file) indices start at
 * `first`: the sum modulo 2^64 of a 64-bit mix of (index, bit pattern) per value. Any
 * split of a dataset over ranks sums to the same total, and a flipped bit or two swapped
 * values change it. pt_io stores it as the dataset attribute "partitaChecksum". */
uint64_t pt_io_checksum(int64_t first, int64_t n, const void *values64);

/** The longest path Partita composes, NUL included (Linux's PATH_MAX). */
#define PT_PATH_MAX 4096

/** Formats a file path into out[len] like snprintf, using at most PT_PATH_MAX bytes. A
 * path that does not fit leaves `out` empty and is an error, never a truncated name:
 * PT_ERR_INPUT "WHAT: path too long (N characters, at most M): HEAD...TAIL" (`what`,
 * which may be NULL, names the option or file). Not collective. */
int pt_io_path(char *out, size_t len, const char *what, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/** The series file for `step`: `path` itself, or "%T" replaced by the step. Errors: as
 * pt_io_path. */
int pt_io_step_path(const char *path, int64_t step, char *out, size_t len);

#ifdef __cplusplus
}
#endif
#endif
