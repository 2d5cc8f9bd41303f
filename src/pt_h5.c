#include "pt_h5.h"

#include <ctype.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "pt_error.h"
#include "pt_io.h"

void pt_h5_quiet(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }

/* Open MPI 4's ompio writes a rank's non-contiguous piece of a collective write by data
 * sieving: it reads the whole extent, merges the piece in and writes the extent back,
 * while other ranks write into its gaps, so their bytes can be lost. Seen with Open MPI
 * 4.1.4 and parallel HDF5: 6 ranks writing two mesh records per step (37 x 29 cells)
 * lost a block of one record in about one step in three; heat's one record per step did
 * not show it, 4 ranks did not (open-mpi/ompi#12718, fixed in later releases). Without
 * write sieving, and with ROMIO, every byte lands. */
#if defined(OPEN_MPI) && defined(OMPI_MAJOR_VERSION) && OMPI_MAJOR_VERSION < 5
static const char sieving_cvar[] = "fbtl_posix_write_datasieving";
#else
static const char sieving_cvar[] = "";
#endif

void pt_h5_mpi_io_defaults(void) {
  if (sieving_cvar[0]) setenv("OMPI_MCA_fbtl_posix_write_datasieving", "0", 0);
}

/* The value of Open MPI's control variable `name` as text ("" if there is none). */
static void cvar_text(const char *name, char *out, int len) {
  int idx, count, v = 0;
  MPI_T_cvar_handle h;
  char buf[256] = "";
  char cname[256], desc[16];
  int nl = sizeof cname, dl = sizeof desc, verbosity, bind, scope;
  MPI_Datatype type;
  MPI_T_enum en;
  out[0] = 0;
  if (MPI_T_cvar_get_index(name, &idx) != MPI_SUCCESS ||
      MPI_T_cvar_get_info(idx, cname, &nl, &verbosity, &type, &en, desc, &dl, &bind,
                          &scope) != MPI_SUCCESS ||
      MPI_T_cvar_handle_alloc(idx, NULL, &h, &count) != MPI_SUCCESS)
    return;
  /* Open MPI stores a bool in one byte of an MPI_INT: read into a zeroed int. */
  if (type == MPI_CHAR
          ? count <= (int)sizeof buf && MPI_T_cvar_read(h, buf) == MPI_SUCCESS
          : MPI_T_cvar_read(h, &v) == MPI_SUCCESS && snprintf(buf, sizeof buf, "%d", v != 0) > 0)
    snprintf(out, (size_t)len, "%s", buf);
  /* Unchecked: the value is read; a failed free only leaks the handle. */
  MPI_T_cvar_handle_free(&h);
}

/* Refuses to write through Open MPI 4's ompio with write data sieving on (see above):
 * a program that started MPI itself, or a --mca option that turned it back on. */
static int check_mpi_io(void) {
  static int verdict = -1; /* -1: not yet asked; 0: safe; 1: unsafe */
  if (!sieving_cvar[0]) return PT_OK;
  if (verdict < 0) {
    int provided;
    char sieve[16], io[256];
    if (MPI_T_init_thread(MPI_THREAD_SINGLE, &provided) != MPI_SUCCESS) return PT_OK;
    cvar_text(sieving_cvar, sieve, sizeof sieve);
    cvar_text("io", io, sizeof io);
    /* Unchecked: the answers are in; the tool interface's teardown cannot change them. */
    MPI_T_finalize();
    verdict = strcmp(sieve, "1") == 0 && strncmp(io, "romio", 5) != 0;
  }
  return verdict ? PT_ERROR(PT_ERR_INPUT,
                            "Open MPI's ompio with write data sieving on loses bytes of parallel "
                            "writes: set OMPI_MCA_fbtl_posix_write_datasieving=0 (or "
                            "OMPI_MCA_io=romio321) before MPI starts")
                 : PT_OK;
}

/* File format 1.8 (not "latest"): every HDF5 reader since 2008 opens our files, yet
 * large attributes (a long input deck) still go to dense storage. */
static hid_t mpio_fapl(MPI_Comm comm) {
  hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  if (fapl < 0) return -1;
  if (H5Pset_fapl_mpio(fapl, comm, MPI_INFO_NULL) < 0 ||
      H5Pset_libver_bounds(fapl, H5F_LIBVER_V18, H5F_LIBVER_V18) < 0 ||
      /* Metadata reads by rank 0 and broadcast, writes collective: no metadata storm. */
      H5Pset_all_coll_metadata_ops(fapl, 1) < 0 || H5Pset_coll_metadata_write(fapl, 1) < 0) {
    H5Pclose(fapl);
    return -1;
  }
  return fapl;
}

int pt_h5_check_space(MPI_Comm comm, const char *path, double bytes, const char *what) {
  int rank, err = PT_OK;
  PT_MPI(MPI_Comm_rank(comm, &rank));
  char buf[PT_PATH_MAX];
  if (rank == 0) err = pt_io_path(buf, sizeof buf, NULL, "%s", path);
  if (rank == 0 && !err) {
    const char *dir = dirname(buf);
    struct statvfs fs;
    /* Metadata of a step (groups, attributes, the deck) and the sidecar: well under
     * 256 KiB; B-tree and heap growth scale with the data. */
    const double need = bytes + bytes / 32 + 262144.0;
    if (statvfs(dir, &fs) == 0 && fs.f_blocks > 0) {
      const double avail = (double)fs.f_bavail * (double)fs.f_frsize;
      if (avail < need)
        err = PT_ERROR(PT_ERR_IO,
                       "%s: No space left on device (%s needs about %.2f MiB, %.2f MiB free)", path,
                       what, need / 1048576.0, avail / 1048576.0);
    }
  }
  return pt_agree(comm, err);
}

/* What rank 0 finds when it looks at a file to be read. */
enum { FILE_OK, FILE_MISSING, FILE_NOT_HDF5 };

int pt_h5_open(MPI_Comm comm, const char *path, int mode, hid_t *file) {
  pt_h5_quiet();
  *file = -1;
  int rank, state = FILE_OK;
  PT_MPI(MPI_Comm_rank(comm, &rank));
  if (mode != PT_H5_CREATE && rank == 0) {
    if (access(path, R_OK) != 0)
      state = FILE_MISSING;
    else if (H5Fis_hdf5(path) <= 0)
      state = FILE_NOT_HDF5;
  }
  PT_MPI(MPI_Bcast(&state, 1, MPI_INT, 0, comm));
  if (state == FILE_MISSING) return PT_ERROR(PT_ERR_INPUT, "%s: no such file", path);
  /* H5Fis_hdf5 only looks for the signature; a truncated file fails in H5Fopen. */
  if (state == FILE_NOT_HDF5) return PT_ERROR(PT_ERR_INPUT, "%s: not an HDF5 file", path);

  if (mode != PT_H5_READ) PT_TRY(pt_agree(comm, check_mpi_io()));
  int err = PT_OK;
  hid_t fapl = mpio_fapl(comm);
  if (fapl < 0) return pt_agree(comm, PT_ERROR(PT_ERR_IO, "%s: cannot set up MPI-IO access", path));
  if (mode == PT_H5_CREATE)
    *file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
  else
    *file = H5Fopen(path, mode == PT_H5_WRITE ? H5F_ACC_RDWR : H5F_ACC_RDONLY, fapl);
  H5Pclose(fapl);
  if (*file < 0) {
    if (mode == PT_H5_CREATE)
      err = PT_ERROR(PT_ERR_IO, "%s: cannot create file", path);
    else
      err = PT_ERROR(PT_ERR_INPUT, "%s: cannot open (truncated or corrupt HDF5 file)", path);
  }
  err = pt_agree(comm, err);
  if (err && *file >= 0) {
    H5Fclose(*file);
    *file = -1;
  }
  return err;
}

static herr_t attr_write(hid_t loc, const char *name, hid_t type, hid_t space, const void *v) {
  if (H5Aexists(loc, name) > 0 && H5Adelete(loc, name) < 0) return -1;
  hid_t a = H5Acreate2(loc, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
  if (a < 0) return -1;
  herr_t r = H5Awrite(a, type, v);
  return H5Aclose(a) < 0 ? -1 : r;
}

/* n < 0 means a scalar dataspace, else a 1-D array of n elements. */
static herr_t attr_numbers(hid_t loc, const char *name, hid_t type, int n, const void *v) {
  hsize_t dim = (hsize_t)(n < 0 ? 1 : n);
  hid_t space = n < 0 ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &dim, NULL);
  if (space < 0) return -1;
  herr_t r = attr_write(loc, name, type, space, v);
  H5Sclose(space);
  return r;
}

herr_t pt_h5_attr_strs(hid_t loc, const char *name, int n, const char *const *v) {
  int count = n < 0 ? 1 : n;  /* n < 0: one string in a scalar dataspace */
  size_t width = 1;
  for (int i = 0; i < count; ++i)
    if (strlen(v[i]) + 1 > width) width = strlen(v[i]) + 1;
  char *buf = calloc((size_t)count, width);
  if (!buf) return -1;
  for (int i = 0; i < count; ++i) memcpy(buf + (size_t)i * width, v[i], strlen(v[i]));
  hid_t type = H5Tcopy(H5T_C_S1);
  herr_t r = -1;
  if (type >= 0 && H5Tset_size(type, width) >= 0 && H5Tset_strpad(type, H5T_STR_NULLTERM) >= 0)
    r = attr_numbers(loc, name, type, n, buf);
  if (type >= 0) H5Tclose(type);
  free(buf);
  return r;
}

herr_t pt_h5_attr_str(hid_t loc, const char *name, const char *v) {
  return pt_h5_attr_strs(loc, name, -1, &v);
}
herr_t pt_h5_attr_doubles(hid_t loc, const char *name, int n, const double *v) {
  return attr_numbers(loc, name, H5T_NATIVE_DOUBLE, n, v);
}
herr_t pt_h5_attr_double(hid_t loc, const char *name, double v) {
  return attr_numbers(loc, name, H5T_NATIVE_DOUBLE, -1, &v);
}
herr_t pt_h5_attr_u64s(hid_t loc, const char *name, int n, const uint64_t *v) {
  return attr_numbers(loc, name, H5T_NATIVE_UINT64, n, v);
}
herr_t pt_h5_attr_u64(hid_t loc, const char *name, uint64_t v) {
  return attr_numbers(loc, name, H5T_NATIVE_UINT64, -1, &v);
}
herr_t pt_h5_attr_i64(hid_t loc, const char *name, int64_t v) {
  return attr_numbers(loc, name, H5T_NATIVE_INT64, -1, &v);
}
herr_t pt_h5_attr_u32(hid_t loc, const char *name, uint32_t v) {
  return attr_numbers(loc, name, H5T_NATIVE_UINT32, -1, &v);
}

/* Opens attribute `name` if it exists and its class is `cls`; checks its element count
 * when n >= 0. */
static hid_t attr_open(hid_t loc, const char *name, H5T_class_t cls, hssize_t n) {
  if (H5Aexists(loc, name) <= 0) return -1;
  hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
  if (a < 0) return -1;
  hid_t type = H5Aget_type(a), space = H5Aget_space(a);
  int ok = type >= 0 && space >= 0 && H5Tget_class(type) == cls &&
           (n < 0 || H5Sget_simple_extent_npoints(space) == n);
  if (type >= 0) H5Tclose(type);
  if (space >= 0) H5Sclose(space);
  if (!ok) {
    H5Aclose(a);
    return -1;
  }
  return a;
}

int pt_h5_read_str_alloc(hid_t loc, const char *name, char **out) {
  *out = NULL;
  hid_t a = attr_open(loc, name, H5T_STRING, 1);
  if (a < 0) return -1;
  hid_t ftype = H5Aget_type(a), mtype = H5Tcopy(H5T_C_S1);
  int rc = -1;
  if (ftype < 0 || mtype < 0) goto done;
  if (H5Tis_variable_str(ftype) > 0) {
    char *vs = NULL;
    if (H5Tset_size(mtype, H5T_VARIABLE) < 0 || H5Aread(a, mtype, &vs) < 0 || !vs) goto done;
    *out = strdup(vs);
    H5free_memory(vs);
  } else {
    size_t len = H5Tget_size(ftype);
    char *s = calloc(len + 1, 1);
    if (!s || H5Tset_size(mtype, len + 1) < 0 || H5Aread(a, mtype, s) < 0) {
      free(s);
      goto done;
    }
    *out = s;
  }
  rc = *out ? 0 : -1;
done:
  if (ftype >= 0) H5Tclose(ftype);
  if (mtype >= 0) H5Tclose(mtype);
  H5Aclose(a);
  return rc;
}

int pt_h5_read_str(hid_t loc, const char *name, char *buf, size_t len) {
  char *s;
  if (pt_h5_read_str_alloc(loc, name, &s) != 0) return -1;
  snprintf(buf, len, "%s", s);
  free(s);
  return 0;
}

static int read_numbers(hid_t loc, const char *name, H5T_class_t cls, hid_t mtype, int n,
                        void *out) {
  hid_t a = attr_open(loc, name, cls, n);
  if (a < 0) return -1;
  int rc = H5Aread(a, mtype, out) < 0 ? -1 : 0;
  H5Aclose(a);
  return rc;
}

int pt_h5_read_doubles(hid_t loc, const char *name, int n, double *out) {
  return read_numbers(loc, name, H5T_FLOAT, H5T_NATIVE_DOUBLE, n, out);
}
int pt_h5_read_u64(hid_t loc, const char *name, uint64_t *out) {
  return read_numbers(loc, name, H5T_INTEGER, H5T_NATIVE_UINT64, 1, out);
}
int pt_h5_read_i64(hid_t loc, const char *name, int64_t *out) {
  return read_numbers(loc, name, H5T_INTEGER, H5T_NATIVE_INT64, 1, out);
}

int pt_h5_exists(hid_t loc, const char *path) {
  /* H5Lexists fails on a missing intermediate group, so walk the path a link at a time. */
  char buf[1024];
  if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) return 0;
  for (char *p = buf + (buf[0] == '/'); ; ++p) {
    char c = *p;
    if (c == '/' || c == '\0') {
      *p = '\0';
      if (H5Lexists(loc, buf, H5P_DEFAULT) <= 0) return 0;
      if (c == '\0') return H5Oexists_by_name(loc, buf, H5P_DEFAULT) > 0;
      *p = '/';
    }
  }
}

/* ---- shared by the writer (pt_series), the readers (pt_io) and the sidecar -------- */

const char *const pt_h5_axis_names[3] = {"x", "y", "z"};

int pt_h5_valid_name(const char *s) {
  if (!s || !*s || strlen(s) >= PT_IO_NAMELEN) return 0;
  for (; *s; ++s)
    if (!isalnum((unsigned char)*s) && *s != '_') return 0;
  return 1;
}


hid_t pt_h5_collective_dxpl(void) {
  hid_t dxpl = H5Pcreate(H5P_DATASET_XFER);
  if (dxpl >= 0 && H5Pset_dxpl_mpio(dxpl, H5FD_MPIO_COLLECTIVE) < 0) {
    H5Pclose(dxpl);
    return -1;
  }
  return dxpl;
}


/* The owned cells of f as a hyperslab of its whole allocation, so HDF5 writes straight
 * from the ghosted array without a packing copy. */
hid_t pt_h5_field_memspace(const pt_field *f) {
  int nd = f->ndim;
  hsize_t mdims[PT_MAXDIM], start[PT_MAXDIM], count[PT_MAXDIM];
  if (f->stride[nd - 1] != 1) return -1;
  ptrdiff_t off = f->data - f->base;
  for (int a = 0; a < nd; ++a) {
    if (a > 0 && f->stride[a - 1] % f->stride[a] != 0) return -1;
    mdims[a] = (hsize_t)(a == 0 ? f->alloc[0] : f->stride[a - 1] / f->stride[a]);
    start[a] = (hsize_t)(off / f->stride[a]);
    off -= (ptrdiff_t)start[a] * f->stride[a];
    count[a] = (hsize_t)f->n[a];
    if (start[a] + count[a] > mdims[a]) return -1;
  }
  hid_t space = H5Screate_simple(nd, mdims, NULL);
  if (space >= 0 && H5Sselect_hyperslab(space, H5S_SELECT_SET, start, NULL, count, NULL) < 0) {
    H5Sclose(space);
    return -1;
  }
  return space;
}


/* The rank's owned box as a selection of the global dataset's file space. */
hid_t pt_h5_field_filespace(hid_t dset, const pt_field *f) {
  hsize_t start[PT_MAXDIM], count[PT_MAXDIM];
  for (int a = 0; a < f->ndim; ++a) {
    start[a] = (hsize_t)f->decomp->lo[a];
    count[a] = (hsize_t)f->n[a];
  }
  hid_t space = H5Dget_space(dset);
  if (space >= 0 && H5Sselect_hyperslab(space, H5S_SELECT_SET, start, NULL, count, NULL) < 0) {
    H5Sclose(space);
    return -1;
  }
  return space;
}


/* Calls fn(row, global index of its first cell, state) for every owned row (run of
 * cells along the fastest axis) of f. */
static void for_each_row(const pt_field *f, void (*fn)(double *, int64_t, int64_t, void *),
                         void *state) {
  const pt_decomp *d = f->decomp;
  int nd = f->ndim, last = nd - 1;
  int64_t idx[PT_MAXDIM] = {0, 0, 0};
  int64_t rows = 1;
  for (int a = 0; a < last; ++a) rows *= f->n[a];
  for (int64_t r = 0; r < rows; ++r) {
    int64_t rem = r, g = 0;
    for (int a = last - 1; a >= 0; --a) {
      idx[a] = rem % f->n[a];
      rem /= f->n[a];
    }
    idx[last] = 0;
    for (int a = 0; a < nd; ++a) g = g * d->gsize[a] + d->lo[a] + idx[a];
    fn(f->data + pt_field_offset(f, idx), g, f->n[last], state);
  }
}


static void checksum_row(double *row, int64_t g, int64_t n, void *sum) {
  *(uint64_t *)sum += pt_io_checksum(g, n, row);
}


/* Collective over the field's communicator. */
int pt_h5_field_checksum(const pt_field *f, uint64_t *sum) {
  uint64_t local = 0;
  for_each_row(f, checksum_row, &local);
  PT_MPI(MPI_Allreduce(&local, sum, 1, MPI_UINT64_T, MPI_SUM, f->decomp->cart));
  return PT_OK;
}

static herr_t collect_step(hid_t g, const char *name, const H5L_info_t *info, void *data) {
  (void)g;
  (void)info;
  pt_h5_steplist *l = data;
  char *end;
  long long v = strtoll(name, &end, 10);
  if (*end || end == name || v < 0) return 0;  /* not a step group: ignore */
  if (l->n == l->cap) {
    int cap = l->cap ? 2 * l->cap : 32;
    int64_t *p = realloc(l->v, (size_t)cap * sizeof *p);
    if (!p) return -1;
    l->v = p;
    l->cap = cap;
  }
  l->v[l->n++] = v;
  return 0;
}

int pt_h5_cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return (x > y) - (x < y);
}

/* The steps under /data, ascending (an empty list if there is no /data). */
int pt_h5_list_steps(hid_t file, pt_h5_steplist *l) {
  memset(l, 0, sizeof *l);
  if (!pt_h5_exists(file, "/data")) return 0;
  hsize_t idx = 0;
  if (H5Literate_by_name(file, "/data", H5_INDEX_NAME, H5_ITER_INC, &idx, collect_step, l,
                         H5P_DEFAULT) < 0)
    return -1;
  qsort(l->v, (size_t)l->n, sizeof *l->v, pt_h5_cmp_i64);
  return 0;
}
