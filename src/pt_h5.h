/* pt_h5: HDF5 helpers shared by pt_io.c and pt_checkpoint.c. Private to libpartita (not
 * installed, hidden from the shared library's symbol table). */
#ifndef PT_H5_H
#define PT_H5_H

#include <hdf5.h>
#include <mpi.h>
#include <stddef.h>
#include <stdint.h>

#include "pt_error.h"
#include "pt_field.h"

#if defined(__GNUC__)
#define PT_INTERNAL __attribute__((visibility("hidden")))
#else
#define PT_INTERNAL
#endif

enum { PT_H5_READ, PT_H5_WRITE, PT_H5_CREATE };

/* Turns off HDF5's own error printing: Partita reports one line per failure. */
PT_INTERNAL void pt_h5_quiet(void);

/* Sets Open MPI's I/O defaults that parallel HDF5 writes need (write data sieving off,
 * see pt_h5.c) unless the environment chose already. Call before MPI_Init. Not
 * collective. */
PT_INTERNAL void pt_h5_mpi_io_defaults(void);

/* Opens (or, with PT_H5_CREATE, truncates) `path` with the MPI-IO driver on `comm`.
 * Rank 0 first checks that a file to read exists and is HDF5, so users get
 * "FILE: no such file" / "FILE: not an HDF5 file" / "FILE: cannot open (truncated or
 * corrupt)" (PT_ERR_INPUT) rather than an HDF5 stack. Collective and agreed: returns
 * PT_OK with *file set on every rank, or the same error on every rank. */
PT_INTERNAL int pt_h5_open(MPI_Comm comm, const char *path, int mode, hid_t *file);

/* Refuses a write of about `bytes` of data into `path` when its file system has less
 * free space (plus a margin for HDF5 metadata and the XDMF sidecar): PT_ERR_IO with
 * "PATH: No space left on device (... needs about X MiB, Y MiB free)". HDF5 1.10 cannot
 * close a file whose final metadata flush failed, and then crashes at MPI_Finalize, so
 * a full disk must be found before HDF5 writes. Rank 0 asks statvfs; a file system that
 * cannot tell passes. Collective and agreed. */
PT_INTERNAL int pt_h5_check_space(MPI_Comm comm, const char *path, double bytes, const char *what);

/* Attribute writers: replace an attribute of that name if present. Strings are
 * fixed-length, NUL-terminated ASCII (the openPMD string type). Return < 0 on failure.
 * Collective when `loc` is in a file opened with the MPI-IO driver. */
PT_INTERNAL herr_t pt_h5_attr_str(hid_t loc, const char *name, const char *v);
PT_INTERNAL herr_t pt_h5_attr_strs(hid_t loc, const char *name, int n, const char *const *v);
PT_INTERNAL herr_t pt_h5_attr_doubles(hid_t loc, const char *name, int n, const double *v);
PT_INTERNAL herr_t pt_h5_attr_double(hid_t loc, const char *name, double v);
PT_INTERNAL herr_t pt_h5_attr_u64s(hid_t loc, const char *name, int n, const uint64_t *v);
PT_INTERNAL herr_t pt_h5_attr_u64(hid_t loc, const char *name, uint64_t v);
PT_INTERNAL herr_t pt_h5_attr_i64(hid_t loc, const char *name, int64_t v);
PT_INTERNAL herr_t pt_h5_attr_u32(hid_t loc, const char *name, uint32_t v);

/* Attribute readers: 0 on success, -1 if missing or of the wrong class or size.
 * pt_h5_read_str_alloc mallocs the string (fixed or variable length). */
PT_INTERNAL int pt_h5_read_str_alloc(hid_t loc, const char *name, char **out);
PT_INTERNAL int pt_h5_read_str(hid_t loc, const char *name, char *buf, size_t len);
PT_INTERNAL int pt_h5_read_doubles(hid_t loc, const char *name, int n, double *out);
PT_INTERNAL int pt_h5_read_u64(hid_t loc, const char *name, uint64_t *out);
PT_INTERNAL int pt_h5_read_i64(hid_t loc, const char *name, int64_t *out);

/* 1 if `path` (relative to loc) names an existing object, 0 if not (intermediate groups
 * may be missing too). */
PT_INTERNAL int pt_h5_exists(hid_t loc, const char *path);


/* ---- shared by the writer (pt_series), the readers (pt_io) and the sidecar (pt_xdmf) */

/* The dataset attribute holding pt_io_checksum of a dataset's values. */
#define PT_H5_CHECKSUM_ATTR "partitaChecksum"

/* The components of a vector record: "x", "y", "z". */
PT_INTERNAL extern const char *const pt_h5_axis_names[3];
/* A record or species name: 1 to PT_IO_NAMELEN - 1 characters of [A-Za-z0-9_]. */
PT_INTERNAL int pt_h5_valid_name(const char *s);
/* A dataset transfer property list for collective MPI-IO, or -1. */
PT_INTERNAL hid_t pt_h5_collective_dxpl(void);
/* The owned cells of f as a hyperslab of its whole allocation (HDF5 reads and writes
 * straight from the ghosted array), or -1. */
PT_INTERNAL hid_t pt_h5_field_memspace(const pt_field *f);
/* The rank's owned box as a selection of the global dataset's file space, or -1. */
PT_INTERNAL hid_t pt_h5_field_filespace(hid_t dset, const pt_field *f);
/* pt_io_checksum of f's owned cells by their global indices, summed over the ranks.
 * Collective over the field's communicator. */
PT_INTERNAL int pt_h5_field_checksum(const pt_field *f, uint64_t *sum);
/* The steps of an openPMD file: the /data/<step> groups, ascending. */
typedef struct pt_h5_steplist {
  int64_t *v;
  int n, cap;
} pt_h5_steplist;
/* Fills `l` (free l->v) with the steps under /data (none if there is no /data). Returns
 * 0, or -1 on an HDF5 or memory failure. Not collective. */
PT_INTERNAL int pt_h5_list_steps(hid_t file, pt_h5_steplist *l);
/* qsort order of int64_t values. */
PT_INTERNAL int pt_h5_cmp_i64(const void *a, const void *b);

#endif
