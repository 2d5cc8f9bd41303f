#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include "pt_io.h"

#include <ctype.h>
#include <dirent.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pt_error.h"
#include "pt_h5.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "unknown"
#endif

#define OPENPMD_VERSION "1.1.0"
#define CHECKSUM_ATTR "partitaChecksum"

struct pt_series {
  MPI_Comm comm;
  char *path;
  int file_based, checksum, no_xdmf;
  double time_unit_si;
  /* Root attributes, decided once by rank 0 so every rank writes identical metadata. */
  char *software, *version, *author, *date, *machine, *deck, *unit_system;
  int64_t *made;   /* file-based: steps whose file this handle has created */
  int nmade, capmade;
  /* group-based: this handle created the file and has written no step into it yet, so
   * a failed first write leaves nothing worth keeping */
  int fresh;
};

static const double zero7[7] = {0, 0, 0, 0, 0, 0, 0};

static int valid_name(const char *s) {
  if (!s || !*s || strlen(s) >= PT_IO_NAMELEN) return 0;
  for (; *s; ++s)
    if (!isalnum((unsigned char)*s) && *s != '_') return 0;
  return 1;
}

static char *xstrdup(const char *s) { return s ? strdup(s) : NULL; }

static int rank_of(MPI_Comm comm) {
  int rank = 0;
  MPI_Comm_rank(comm, &rank);
  return rank;
}

/* Broadcasts rank 0's string (NULL allowed) to every rank as a malloc'd copy. */
static int bcast_string(MPI_Comm comm, char **s) {
  int rank;
  PT_MPI(MPI_Comm_rank(comm, &rank));
  long long len = rank == 0 ? (*s ? (long long)strlen(*s) : -1) : 0;
  PT_MPI(MPI_Bcast(&len, 1, MPI_LONG_LONG, 0, comm));
  if (rank != 0) {
    free(*s);
    *s = NULL;
    if (len >= 0) {
      *s = malloc((size_t)len + 1);
      if (!*s) PT_ABORT("out of memory for a %lld-byte string", len);
      (*s)[len] = '\0';
    }
  }
  /* In slices: MPI counts are int, and a deck may in principle exceed 2 GiB. */
  for (long long off = 0; off < len; off += 1 << 30) {
    int n = (int)(len - off < (1 << 30) ? len - off : (1 << 30));
    PT_MPI(MPI_Bcast(*s + off, n, MPI_CHAR, 0, comm));
  }
  return PT_OK;
}

void pt_io_step_path(const char *path, int64_t step, char *out, size_t len) {
  const char *t = strstr(path, "%T");
  if (!t)
    snprintf(out, len, "%s", path);
  else
    snprintf(out, len, "%.*s%" PRId64 "%s", (int)(t - path), path, step, t + 2);
}

/* ---- checksums ----------------------------------------------------------------------- */

/* splitmix64's finaliser: a bijection on 64-bit words with full avalanche, so any
 * change of index or value changes the term. */
static inline uint64_t mix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

uint64_t pt_io_checksum(int64_t first, int64_t n, const void *values64) {
  const unsigned char *p = values64;
  uint64_t sum = 0;
  for (int64_t i = 0; i < n; ++i) {
    uint64_t bits;
    memcpy(&bits, p + 8 * i, 8);
    sum += mix64(bits ^ mix64((uint64_t)(first + i)));
  }
  return sum;
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
static int field_checksum(const pt_field *f, uint64_t *sum) {
  uint64_t local = 0;
  for_each_row(f, checksum_row, &local);
  PT_MPI(MPI_Allreduce(&local, sum, 1, MPI_UINT64_T, MPI_SUM, f->decomp->cart));
  return PT_OK;
}

/* ---- series -------------------------------------------------------------------------- */

static void series_free(pt_series *s) {
  if (!s) return;
  if (s->comm != MPI_COMM_NULL) MPI_Comm_free(&s->comm);
  free(s->path);
  free(s->software);
  free(s->version);
  free(s->author);
  free(s->date);
  free(s->machine);
  free(s->unit_system);
  free(s->deck);
  free(s->made);
  free(s);
}

static herr_t write_root(const pt_series *s, hid_t file) {
  char deps[128];
  unsigned maj, min, rel;
  int mpiv, mpisub;
  H5get_libversion(&maj, &min, &rel);
  MPI_Get_version(&mpiv, &mpisub);
  snprintf(deps, sizeof deps, "hdf5@%u.%u.%u;mpi@%d.%d", maj, min, rel, mpiv, mpisub);
  const char *fmt = "/data/%T/";
  if (s->file_based) {
    const char *slash = strrchr(s->path, '/');
    fmt = slash ? slash + 1 : s->path;
  }
  if (pt_h5_attr_str(file, "openPMD", OPENPMD_VERSION) < 0 ||
      pt_h5_attr_u32(file, "openPMDextension", 0) < 0 ||
      pt_h5_attr_str(file, "basePath", "/data/%T/") < 0 ||
      pt_h5_attr_str(file, "iterationEncoding", s->file_based ? "fileBased" : "groupBased") < 0 ||
      pt_h5_attr_str(file, "iterationFormat", fmt) < 0 ||
      pt_h5_attr_str(file, "author", s->author) < 0 ||
      pt_h5_attr_str(file, "software", s->software) < 0 ||
      pt_h5_attr_str(file, "softwareVersion", s->version) < 0 ||
      pt_h5_attr_str(file, "softwareDependencies", deps) < 0 ||
      pt_h5_attr_str(file, "machine", s->machine) < 0 ||
      pt_h5_attr_str(file, "date", s->date) < 0)
    return -1;
  if (s->deck && pt_h5_attr_str(file, "inputDeck", s->deck) < 0) return -1;
  if (s->unit_system && pt_h5_attr_str(file, "unitSystem", s->unit_system) < 0) return -1;
  return 0;
}

/* Rank 0's view of the run: creation date, author and host. */
static void describe_run(pt_series *s, const pt_series_info *info) {
  char buf[64];
  time_t now = time(NULL);
  struct tm tm;
  localtime_r(&now, &tm);
  strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S %z", &tm);  /* openPMD's date format */
  s->date = strdup(buf);
  const char *a = info->author;
  if (!a) a = getenv("PARTITA_AUTHOR");
  if (!a) a = getenv("USER");
  s->author = strdup(a && *a ? a : "unknown");
  if (gethostname(buf, sizeof buf) != 0) snprintf(buf, sizeof buf, "unknown");
  buf[sizeof buf - 1] = '\0';
  s->machine = strdup(buf);
}

int pt_series_open(MPI_Comm comm, const char *path, const pt_series_info *info,
                   pt_series **out) {
  pt_h5_quiet();
  *out = NULL;
  if (!info || !info->software || !*info->software)
    return PT_ERROR(PT_ERR_INPUT, "pt_series_open: no software name given");
  if (!path || !*path) return PT_ERROR(PT_ERR_INPUT, "pt_series_open: empty path");
  const char *t = strstr(path, "%T");
  if (t && (strstr(t + 2, "%T") || strchr(t + 2, '/')))
    return PT_ERROR(PT_ERR_INPUT, "%s: \"%%T\" must appear once, in the file name", path);

  pt_series *s = calloc(1, sizeof *s);
  if (!s) return PT_ERROR(PT_ERR_NOMEM, "out of memory");
  s->comm = MPI_COMM_NULL;
  int err = PT_MPI_CHECK(MPI_Comm_dup(comm, &s->comm));
  if (err) {
    series_free(s);
    return pt_agree(comm, err);
  }
  int rank;
  MPI_Comm_rank(comm, &rank);
  s->path = strdup(path);
  s->file_based = t != NULL;
  s->checksum = info->checksum;
  s->no_xdmf = info->no_xdmf;
  s->time_unit_si = info->time_unit_si > 0 ? info->time_unit_si : 1.0;
  s->software = strdup(info->software);
  s->version = strdup(info->software_version ? info->software_version : PACKAGE_VERSION);
  s->unit_system = xstrdup(info->unit_system);
  if (rank == 0) {
    describe_run(s, info);
    s->deck = xstrdup(info->deck);
  }
  if ((err = bcast_string(comm, &s->date)) || (err = bcast_string(comm, &s->author)) ||
      (err = bcast_string(comm, &s->machine)) || (err = bcast_string(comm, &s->deck))) {
    series_free(s);
    return pt_agree(comm, err);
  }

  if (!s->file_based) {
    int keep = 0;
    if (rank == 0) keep = info->append && access(path, F_OK) == 0;
    MPI_Bcast(&keep, 1, MPI_INT, 0, comm);
    hid_t file;
    /* An appended file must be one of ours; opening it checks it is readable HDF5. */
    err = pt_h5_open(s->comm, path, keep ? PT_H5_WRITE : PT_H5_CREATE, &file);
    s->fresh = !keep;
    if (!err) {
      if (!keep && write_root(s, file) < 0)
        err = PT_ERROR(PT_ERR_IO, "%s: cannot write the root attributes", path);
      if (H5Fclose(file) < 0 && !err) err = PT_ERROR(PT_ERR_IO, "%s: cannot close", path);
      err = pt_agree(comm, err);
    }
    if (err) {
      series_free(s);
      return err;
    }
  }
  *out = s;
  return PT_OK;
}

int pt_series_close(pt_series **s) {
  if (*s && !(*s)->file_based && (*s)->fresh && rank_of((*s)->comm) == 0) unlink((*s)->path);
  series_free(*s);
  *s = NULL;
  return PT_OK;
}

/* An open step: the HDF5 file and what to remove if the write fails. */
typedef struct step_file {
  hid_t id;
  int64_t step;
  char path[4096];
  int discard_on_error; /* the file holds nothing but this failed write */
} step_file;

/* Opens the file that will hold `bytes` of data of `step` (`what` names them for a
 * message), creating a file-based step's file on first use. */
static int series_file(pt_series *s, int64_t step, double bytes, const char *what, step_file *f) {
  *f = (step_file){.id = -1, .step = step};
  if (s->file_based) pt_io_step_path(s->path, step, f->path, sizeof f->path);
  else snprintf(f->path, sizeof f->path, "%s", s->path);
  char desc[160];
  snprintf(desc, sizeof desc, "%s at step %" PRId64, what, step);
  PT_TRY(pt_h5_check_space(s->comm, f->path, bytes, desc));
  if (!s->file_based) {
    f->discard_on_error = s->fresh;
    return pt_h5_open(s->comm, f->path, PT_H5_WRITE, &f->id);
  }
  int known = 0;
  for (int i = 0; i < s->nmade; ++i) known |= s->made[i] == step;
  PT_TRY(pt_h5_open(s->comm, f->path, known ? PT_H5_WRITE : PT_H5_CREATE, &f->id));
  if (known) return PT_OK;
  f->discard_on_error = 1;
  int err = write_root(s, f->id) < 0
                ? PT_ERROR(PT_ERR_IO, "%s: cannot write the root attributes", f->path) : PT_OK;
  if (!err && s->nmade == s->capmade) {
    int cap = s->capmade ? 2 * s->capmade : 16;
    int64_t *m = realloc(s->made, (size_t)cap * sizeof *m);
    if (m) {
      s->made = m;
      s->capmade = cap;
    } else {
      err = PT_ERROR(PT_ERR_NOMEM, "out of memory");
    }
  }
  if (!err) s->made[s->nmade++] = step;
  err = pt_agree(s->comm, err);
  if (err) {
    H5Fclose(f->id);
    f->id = -1;
    if (rank_of(s->comm) == 0) unlink(f->path);
  }
  return err;
}

/* Opens /data/<step>/<sub> (creating groups as needed) and sets the step's time, dt and
 * timeUnitSI. */
/* meshesPath / particlesPath ("meshes/", "particles/") are declared by the first write of
 * that kind, not up front: openPMD 1.1.0 requires the group behind a declared path to
 * exist, and a file without meshes (n-body) or particles (heat) must not declare them. */
static herr_t declare_path(hid_t file, const char *sub) {
  char attr[32], value[32];
  snprintf(attr, sizeof attr, "%sPath", sub);
  snprintf(value, sizeof value, "%s/", sub);
  htri_t e = H5Aexists(file, attr);
  if (e < 0) return -1;
  return e ? 0 : pt_h5_attr_str(file, attr, value);
}

static hid_t step_subgroup(hid_t file, int64_t step, double time, double dt, double tunit,
                           const char *sub) {
  char name[96];
  snprintf(name, sizeof name, "/data/%" PRId64, step);
  hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
  H5Pset_create_intermediate_group(lcpl, 1);
  hid_t g = pt_h5_exists(file, name) ? H5Gopen2(file, name, H5P_DEFAULT)
                                     : H5Gcreate2(file, name, lcpl, H5P_DEFAULT, H5P_DEFAULT);
  hid_t sg = -1;
  if (g >= 0 && pt_h5_attr_double(g, "time", time) >= 0 && pt_h5_attr_double(g, "dt", dt) >= 0 &&
      pt_h5_attr_double(g, "timeUnitSI", tunit) >= 0 && declare_path(file, sub) >= 0)
    sg = pt_h5_exists(g, sub) ? H5Gopen2(g, sub, H5P_DEFAULT)
                              : H5Gcreate2(g, sub, lcpl, H5P_DEFAULT, H5P_DEFAULT);
  if (g >= 0) H5Gclose(g);
  H5Pclose(lcpl);
  return sg;
}

/* Removes `name` from `loc` if present, so a step written again (after a restart) is
 * replaced rather than refused. */
static herr_t unlink_if_present(hid_t loc, const char *name) {
  htri_t e = H5Lexists(loc, name, H5P_DEFAULT);
  if (e < 0) return -1;
  return e ? H5Ldelete(loc, name, H5P_DEFAULT) : 0;
}

static hid_t collective_dxpl(void) {
  hid_t dxpl = H5Pcreate(H5P_DATASET_XFER);
  if (dxpl >= 0 && H5Pset_dxpl_mpio(dxpl, H5FD_MPIO_COLLECTIVE) < 0) {
    H5Pclose(dxpl);
    return -1;
  }
  return dxpl;
}

/* A contiguous dataset with no fill: every byte is written by the ranks, and any rank
 * count produces the same file layout. */
static hid_t create_dataset(hid_t loc, const char *name, hid_t type, int ndim, const hsize_t *dims) {
  hid_t space = H5Screate_simple(ndim, dims, NULL);
  hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
  hid_t d = -1;
  if (space >= 0 && dcpl >= 0 && H5Pset_layout(dcpl, H5D_CONTIGUOUS) >= 0 &&
      H5Pset_fill_time(dcpl, H5D_FILL_TIME_NEVER) >= 0 &&
      H5Pset_alloc_time(dcpl, H5D_ALLOC_TIME_EARLY) >= 0)
    d = H5Dcreate2(loc, name, type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
  if (space >= 0) H5Sclose(space);
  if (dcpl >= 0) H5Pclose(dcpl);
  return d;
}

/* The owned cells of f as a hyperslab of its whole allocation, so HDF5 writes straight
 * from the ghosted array without a packing copy. */
static hid_t field_memspace(const pt_field *f) {
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
static hid_t field_filespace(hid_t dset, const pt_field *f) {
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

static int check_mesh_info(const pt_field *f, const pt_mesh_info *m, const char *name) {
  if (!valid_name(name))
    return PT_ERROR(PT_ERR_INPUT, "mesh record name '%s': use 1-%d characters [A-Za-z0-9_]",
                    name ? name : "(null)", PT_IO_NAMELEN - 1);
  if (f->ndim < 1 || f->ndim > PT_MAXDIM)
    return PT_ERROR(PT_ERR_INPUT, "mesh record %s: %d dimensions", name, f->ndim);
  for (int a = 0; m && a < f->ndim; ++a) {
    if (m->grid_spacing[a] < 0)
      return PT_ERROR(PT_ERR_INPUT, "mesh record %s: negative grid spacing", name);
    if (m->position[a] < 0 || m->position[a] >= 1)
      return PT_ERROR(PT_ERR_INPUT, "mesh record %s: position must lie in [0, 1)", name);
  }
  return PT_OK;
}

static herr_t write_mesh_attrs(hid_t dset, int nd, const pt_mesh_info *m) {
  static const pt_mesh_info none;
  if (!m) m = &none;
  const char *labels[PT_MAXDIM];
  double spacing[PT_MAXDIM];
  for (int a = 0; a < nd; ++a) {
    static const char *const xyz[] = {"x", "y", "z"};
    labels[a] = m->axis_labels[a] ? m->axis_labels[a] : xyz[nd - 1 - a];
    spacing[a] = m->grid_spacing[a] > 0 ? m->grid_spacing[a] : 1.0;
  }
  if (pt_h5_attr_str(dset, "geometry", "cartesian") < 0 ||
      pt_h5_attr_str(dset, "dataOrder", "C") < 0 ||
      pt_h5_attr_strs(dset, "axisLabels", nd, labels) < 0 ||
      pt_h5_attr_doubles(dset, "gridSpacing", nd, spacing) < 0 ||
      pt_h5_attr_doubles(dset, "gridGlobalOffset", nd, m->grid_global_offset) < 0 ||
      pt_h5_attr_double(dset, "gridUnitSI", m->grid_unit_si > 0 ? m->grid_unit_si : 1.0) < 0 ||
      pt_h5_attr_doubles(dset, "unitDimension", 7, m->unit_dimension) < 0 ||
      pt_h5_attr_double(dset, "timeOffset", 0.0) < 0 ||
      pt_h5_attr_double(dset, "unitSI", m->unit_si > 0 ? m->unit_si : 1.0) < 0 ||
      pt_h5_attr_doubles(dset, "position", nd, m->position) < 0)
    return -1;
  return 0;
}

/* Closes the step's file and, if all went well, refreshes the sidecar. After a failure
 * a file that held nothing else is removed, so no half-written file is left; earlier
 * steps of an existing file stay, and the sidecar keeps listing only complete steps. */
static int finish_write(pt_series *s, step_file *f, int err) {
  if (H5Fclose(f->id) < 0 && !err) err = PT_ERROR(PT_ERR_IO, "%s: cannot close", f->path);
  err = pt_agree(s->comm, err);
  if (err) {
    if (f->discard_on_error && rank_of(s->comm) == 0) unlink(f->path);
    if (s->file_based && f->discard_on_error) {
      for (int i = 0; i < s->nmade; ++i)
        if (s->made[i] == f->step) s->made[i] = s->made[--s->nmade];
    }
    return err;
  }
  s->fresh = 0;
  if (!s->no_xdmf) err = pt_io_write_xdmf(s->comm, s->path);
  return err;
}

int pt_series_write_mesh(pt_series *s, int64_t step, double time, double dt,
                         const char *name, const pt_field *f, const pt_mesh_info *m) {
  pt_h5_quiet();
  int err = step < 0 ? PT_ERROR(PT_ERR_INPUT, "mesh record %s: negative step", name)
                     : check_mesh_info(f, m, name);
  uint64_t sum = 0;
  if (!err && s->checksum) err = field_checksum(f, &sum);
  PT_TRY(pt_agree(s->comm, err));

  char what[PT_IO_NAMELEN + 32];
  snprintf(what, sizeof what, "mesh record %s", name);
  step_file sf;
  PT_TRY(series_file(s, step, 8.0 * (double)pt_decomp_global_cells(f->decomp), what, &sf));
  hid_t file = sf.id;
  hid_t meshes = -1, dset = -1, fspace = -1, mspace = -1, dxpl = -1;
  hsize_t gdims[PT_MAXDIM];
  for (int a = 0; a < f->ndim; ++a) gdims[a] = (hsize_t)f->decomp->gsize[a];
  meshes = step_subgroup(file, step, time, dt, s->time_unit_si, "meshes");
  if (meshes < 0 || unlink_if_present(meshes, name) < 0 ||
      (dset = create_dataset(meshes, name, H5T_IEEE_F64LE, f->ndim, gdims)) < 0 ||
      write_mesh_attrs(dset, f->ndim, m) < 0 ||
      (s->checksum && pt_h5_attr_u64(dset, CHECKSUM_ATTR, sum) < 0)) {
    err = PT_ERROR(PT_ERR_IO, "%s: cannot create mesh record %s at step %" PRId64, s->path, name, step);
    goto done;
  }
  mspace = field_memspace(f);
  fspace = field_filespace(dset, f);
  dxpl = collective_dxpl();
  if (mspace < 0 || fspace < 0 || dxpl < 0 ||
      H5Dwrite(dset, H5T_NATIVE_DOUBLE, mspace, fspace, dxpl, f->base) < 0)
    err = PT_ERROR(PT_ERR_IO, "%s: writing mesh record %s at step %" PRId64 " failed", s->path,
                   name, step);
done:
  if (dxpl >= 0) H5Pclose(dxpl);
  if (mspace >= 0) H5Sclose(mspace);
  if (fspace >= 0) H5Sclose(fspace);
  if (dset >= 0) H5Dclose(dset);
  if (meshes >= 0) H5Gclose(meshes);
  return finish_write(s, &sf, err);
}

/* ---- particles ----------------------------------------------------------------------- */

/* Particles travel as rows of doubles: [id bits, record components...]. */
static int cmp_row_id(const void *a, const void *b) {
  uint64_t x, y;
  memcpy(&x, a, 8);
  memcpy(&y, b, 8);
  return (x > y) - (x < y);
}

static uint64_t row_id(const double *rows, int w, int64_t i) {
  uint64_t id;
  memcpy(&id, rows + (size_t)i * (size_t)w, 8);
  return id;
}

/* Sample sort: afterwards rank r holds a sorted run of rows and every id on rank r is
 * below every id on rank r+1. Which rank holds which run does not matter: the rows land
 * in the file at MPI_Exscan offsets, so the file is sorted whatever the rank count.
 * Takes ownership of *rows; *n is updated. Collective. */
static int sample_sort(MPI_Comm comm, int w, double **rows, int64_t *n) {
  int rank, size, err = PT_OK;
  PT_MPI(MPI_Comm_rank(comm, &rank));
  PT_MPI(MPI_Comm_size(comm, &size));
  qsort(*rows, (size_t)*n, (size_t)w * 8, cmp_row_id);
  if (size == 1) return PT_OK;

  enum { SAMPLES = 64 };
  int ns = *n < SAMPLES ? (int)*n : SAMPLES;
  uint64_t mine[SAMPLES];
  for (int k = 0; k < ns; ++k) mine[k] = row_id(*rows, w, (2 * k + 1) * *n / (2 * ns));
  int *counts = malloc(sizeof(int) * 4 * (size_t)size);
  uint64_t *all = malloc(sizeof(uint64_t) * SAMPLES * (size_t)size);
  int64_t *sc = malloc(sizeof(int64_t) * (size_t)size);
  double *recv = NULL;
  MPI_Datatype row = MPI_DATATYPE_NULL;
  /* A rank that cannot go on says so before the next collective, or the others would
   * wait in it for ever. */
  if (!counts || !all || !sc) err = PT_ERROR(PT_ERR_NOMEM, "out of memory");
  if ((err = pt_agree(comm, err))) goto done;
  int *displs = counts + size, *rcounts = counts + 2 * size, *rdispls = counts + 3 * size;
  err = PT_MPI_CHECK(MPI_Allgather(&ns, 1, MPI_INT, counts, 1, MPI_INT, comm));
  if (err) goto done;
  int total = 0;
  for (int p = 0; p < size; ++p) {
    displs[p] = total;
    total += counts[p];
  }
  err = PT_MPI_CHECK(MPI_Allgatherv(mine, ns, MPI_UINT64_T, all, counts, displs, MPI_UINT64_T, comm));
  if (err || total == 0) goto done;
  qsort(all, (size_t)total, 8, cmp_row_id);
  /* Bucket p takes ids in [splitter p, splitter p+1); equal ids share a bucket. */
  int64_t i = 0;
  for (int p = 0; p < size; ++p) {
    int64_t begin = i;
    if (p == size - 1) {
      i = *n;
    } else {
      uint64_t hi = all[(size_t)(p + 1) * (size_t)total / (size_t)size];
      while (i < *n && row_id(*rows, w, i) < hi) ++i;
    }
    sc[p] = i - begin;
    counts[p] = (int)sc[p];
  }
  err = PT_MPI_CHECK(MPI_Alltoall(counts, 1, MPI_INT, rcounts, 1, MPI_INT, comm));
  if (err) goto done;
  int64_t m = 0;
  for (int p = 0; p < size; ++p) {
    displs[p] = p ? displs[p - 1] + counts[p - 1] : 0;
    rdispls[p] = (int)m;
    m += rcounts[p];
  }
  recv = malloc((size_t)(m ? m : 1) * (size_t)w * 8);
  if (!recv) err = PT_ERROR(PT_ERR_NOMEM, "out of memory for %" PRId64 " particles", m);
  if ((err = pt_agree(comm, err))) goto done;
  if ((err = PT_MPI_CHECK(MPI_Type_contiguous(w, MPI_DOUBLE, &row))) ||
      (err = PT_MPI_CHECK(MPI_Type_commit(&row))) ||
      (err = PT_MPI_CHECK(MPI_Alltoallv(*rows, counts, displs, row, recv, rcounts, rdispls, row, comm))))
    goto done;
  qsort(recv, (size_t)m, (size_t)w * 8, cmp_row_id);
  free(*rows);
  *rows = recv;
  recv = NULL;
  *n = m;
done:
  if (row != MPI_DATATYPE_NULL) MPI_Type_free(&row);
  free(recv);
  free(counts);
  free(all);
  free(sc);
  return err;
}

static int check_particles(const char *species, int64_t n, int nrec,
                           const pt_particle_record *recs, int *w) {
  if (!valid_name(species))
    return PT_ERROR(PT_ERR_INPUT, "particle species name '%s': use 1-%d characters [A-Za-z0-9_]",
                    species ? species : "(null)", PT_IO_NAMELEN - 1);
  if (n < 0) return PT_ERROR(PT_ERR_INPUT, "species %s: negative particle count", species);
  if (nrec < 1 || nrec > PT_IO_MAXREC)
    return PT_ERROR(PT_ERR_INPUT, "species %s: %d records (1 to %d allowed)", species, nrec, PT_IO_MAXREC);
  int has_position = 0;
  *w = 1;
  for (int r = 0; r < nrec; ++r) {
    const pt_particle_record *rec = &recs[r];
    if (!valid_name(rec->name) || !strcmp(rec->name, "id") || !strcmp(rec->name, "positionOffset"))
      return PT_ERROR(PT_ERR_INPUT, "species %s: bad record name '%s'", species,
                      rec->name ? rec->name : "(null)");
    if (rec->ncomp < 1 || rec->ncomp > 3)
      return PT_ERROR(PT_ERR_INPUT, "species %s: record %s has %d components", species, rec->name, rec->ncomp);
    for (int q = 0; q < r; ++q)
      if (!strcmp(recs[q].name, rec->name))
        return PT_ERROR(PT_ERR_INPUT, "species %s: record %s given twice", species, rec->name);
    has_position |= !strcmp(rec->name, "position");
    *w += rec->ncomp;
  }
  if (!has_position) return PT_ERROR(PT_ERR_INPUT, "species %s: no position record", species);
  return PT_OK;
}

static int is_vector(const pt_particle_record *r) {
  return r->ncomp > 1 || !strcmp(r->name, "position");
}

static const char *const comp_names[3] = {"x", "y", "z"};

/* Writes one column of the row-packed particles as the 1-D dataset `name` (inside
 * `loc`), at this rank's offset, with its checksum. Returns the open dataset. */
static hid_t write_column(hid_t loc, const char *name, hid_t ftype, hid_t mtype,
                          const double *rows, int w, int col, int64_t m, int64_t off,
                          int64_t total, int checksum, MPI_Comm comm, double *buf) {
  for (int64_t i = 0; i < m; ++i) memcpy(buf + i, rows + (size_t)i * (size_t)w + col, 8);
  uint64_t local = pt_io_checksum(off, m, buf), sum = 0;
  if (checksum && MPI_Allreduce(&local, &sum, 1, MPI_UINT64_T, MPI_SUM, comm) != MPI_SUCCESS)
    return -1;
  hsize_t dim = (hsize_t)total, start = (hsize_t)off, count = (hsize_t)m;
  hid_t d = create_dataset(loc, name, ftype, 1, &dim);
  if (d < 0) return -1;
  hid_t fs = H5Dget_space(d), ms = H5Screate_simple(1, &count, NULL), dxpl = collective_dxpl();
  herr_t r = fs >= 0 && ms >= 0 && dxpl >= 0 ? 0 : -1;
  if (r == 0 && m == 0)
    r = H5Sselect_none(fs) < 0 || H5Sselect_none(ms) < 0 ? -1 : 0;
  else if (r == 0)
    r = H5Sselect_hyperslab(fs, H5S_SELECT_SET, &start, NULL, &count, NULL);
  if (r >= 0 && total > 0) r = H5Dwrite(d, mtype, ms, fs, dxpl, buf);
  if (r >= 0 && checksum) r = pt_h5_attr_u64(d, CHECKSUM_ATTR, sum);
  if (fs >= 0) H5Sclose(fs);
  if (ms >= 0) H5Sclose(ms);
  if (dxpl >= 0) H5Pclose(dxpl);
  if (r < 0) {
    H5Dclose(d);
    return -1;
  }
  return d;
}

static herr_t record_attrs(hid_t loc, const double *dim7) {
  if (pt_h5_attr_doubles(loc, "unitDimension", 7, dim7) < 0) return -1;
  return pt_h5_attr_double(loc, "timeOffset", 0.0);
}

static herr_t close_with(hid_t obj, herr_t r) {
  if (obj < 0) return -1;
  return (H5Oclose(obj) < 0 || r < 0) ? -1 : 0;
}

/* positionOffset as constant record components (value 0, shape [total]): positions are
 * stored absolute. */
static herr_t write_position_offset(hid_t sp, const pt_particle_record *pos, int64_t total) {
  hid_t g = H5Gcreate2(sp, "positionOffset", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  herr_t r = g < 0 ? -1 : record_attrs(g, pos->unit_dimension);
  uint64_t shape = (uint64_t)total;
  for (int c = 0; r >= 0 && c < pos->ncomp; ++c) {
    hid_t cg = H5Gcreate2(g, comp_names[c], H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    herr_t rc = cg < 0 ? -1 : pt_h5_attr_double(cg, "value", 0.0);
    if (rc >= 0) rc = pt_h5_attr_u64s(cg, "shape", 1, &shape);
    if (rc >= 0) rc = pt_h5_attr_double(cg, "unitSI", pos->unit_si > 0 ? pos->unit_si : 1.0);
    r = close_with(cg, rc);
  }
  return close_with(g, r);
}

/* One entry `value` (8 bytes) per writing rank of the patch dataset `name` in `loc`. */
static hid_t write_patch_entry(pt_series *s, hid_t loc, const char *name, hid_t ftype, hid_t mtype,
                               const void *value, int rank, int size) {
  double v, buf;
  memcpy(&v, value, 8);
  return write_column(loc, name, ftype, mtype, &v, 1, 0, 1, rank, size, s->checksum, s->comm, &buf);
}

/* particlePatches: one patch per writing rank, the block of id-sorted particles it wrote
 * (numParticles, numParticlesOffset) and the bounding box of their positions (offset,
 * extent; offset + extent lies above the largest position, as the standard excludes the
 * upper bound). Parallel readers take a patch without scanning the species. */
static herr_t write_patches(pt_series *s, hid_t sp, const pt_particle_record *pos, int pos_col,
                            const double *rows, int w, int64_t m, int64_t off) {
  int rank, size;
  MPI_Comm_rank(s->comm, &rank);
  MPI_Comm_size(s->comm, &size);
  const uint64_t num = (uint64_t)m, first = (uint64_t)off;
  double lo[3] = {0, 0, 0}, ext[3] = {0, 0, 0};
  for (int c = 0; c < pos->ncomp && m > 0; ++c) {
    double mn = rows[pos_col + c], mx = mn;
    for (int64_t i = 1; i < m; ++i) {
      double x = rows[(size_t)i * (size_t)w + (size_t)(pos_col + c)];
      mn = x < mn ? x : mn;
      mx = x > mx ? x : mx;
    }
    /* The smallest extent above the largest position: start one ulp above it, and grow
     * (doubling the step) only if rounding in mn + extent still lands on it. */
    lo[c] = mn;
    ext[c] = nextafter(mx, INFINITY) - mn;
    double step = nextafter(ext[c], INFINITY) - ext[c];
    while (!(mn + ext[c] > mx)) {
      ext[c] += step;
      step *= 2;
    }
  }
  const double usi = pos->unit_si > 0 ? pos->unit_si : 1.0;
  hid_t g = H5Gcreate2(sp, "particlePatches", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  herr_t r = g < 0 ? -1 : 0;
  static const char *const counts[2] = {"numParticles", "numParticlesOffset"};
  for (int k = 0; r >= 0 && k < 2; ++k) {
    hid_t d = write_patch_entry(s, g, counts[k], H5T_STD_U64LE, H5T_NATIVE_UINT64, k ? &first : &num,
                                rank, size);
    r = close_with(d, d < 0 ? -1 : (pt_h5_attr_double(d, "unitSI", 1.0) < 0 ? -1 : record_attrs(d, zero7)));
  }
  static const char *const boxes[2] = {"offset", "extent"};
  for (int k = 0; r >= 0 && k < 2; ++k) {
    hid_t bg = H5Gcreate2(g, boxes[k], H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    herr_t rb = bg < 0 ? -1 : record_attrs(bg, pos->unit_dimension);
    for (int c = 0; rb >= 0 && c < pos->ncomp; ++c) {
      hid_t d = write_patch_entry(s, bg, comp_names[c], H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE,
                                  k ? &ext[c] : &lo[c], rank, size);
      rb = close_with(d, d < 0 ? -1 : pt_h5_attr_double(d, "unitSI", usi));
    }
    r = close_with(bg, rb);
  }
  return close_with(g, r);
}

static herr_t write_records(pt_series *s, hid_t sp, int nrec, const pt_particle_record *recs,
                            const double *rows, int w, int64_t m, int64_t off, int64_t total,
                            double *buf) {
  hid_t d = write_column(sp, "id", H5T_STD_U64LE, H5T_NATIVE_UINT64, rows, w, 0, m, off, total,
                         s->checksum, s->comm, buf);
  if (close_with(d, d < 0 ? -1 : (pt_h5_attr_double(d, "unitSI", 1.0) < 0 ? -1 : record_attrs(d, zero7))) < 0)
    return -1;
  int col = 1;
  for (int r = 0; r < nrec; ++r) {
    const pt_particle_record *rec = &recs[r];
    double usi = rec->unit_si > 0 ? rec->unit_si : 1.0;
    hid_t g = sp;
    if (is_vector(rec)) {
      g = H5Gcreate2(sp, rec->name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
      if (g < 0 || record_attrs(g, rec->unit_dimension) < 0) return close_with(g, -1);
    }
    for (int c = 0; c < rec->ncomp; ++c, ++col) {
      const char *cname = is_vector(rec) ? comp_names[c] : rec->name;
      hid_t cd = write_column(g, cname, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, rows, w, col, m, off,
                              total, s->checksum, s->comm, buf);
      herr_t rc = cd < 0 ? -1 : pt_h5_attr_double(cd, "unitSI", usi);
      if (rc >= 0 && !is_vector(rec)) rc = record_attrs(cd, rec->unit_dimension);
      if (close_with(cd, rc) < 0) {
        if (g != sp) H5Gclose(g);
        return -1;
      }
    }
    if (g != sp && H5Gclose(g) < 0) return -1;
    if (!strcmp(rec->name, "position") &&
        (write_position_offset(sp, rec, total) < 0 ||
         write_patches(s, sp, rec, col - rec->ncomp, rows, w, m, off) < 0))
      return -1;
  }
  return 0;
}

int pt_series_write_particles(pt_series *s, int64_t step, double time, double dt,
                              const char *species, int64_t n, const uint64_t *id,
                              int nrec, const pt_particle_record *recs) {
  pt_h5_quiet();
  int w = 0;
  int err = step < 0 ? PT_ERROR(PT_ERR_INPUT, "species %s: negative step", species)
                     : check_particles(species, n, nrec, recs, &w);
  double *rows = NULL, *buf = NULL;
  if (!err) {
    rows = malloc((size_t)(n ? n : 1) * (size_t)w * 8);
    if (!rows) err = PT_ERROR(PT_ERR_NOMEM, "out of memory for %" PRId64 " particles", n);
  }
  if ((err = pt_agree(s->comm, err))) {
    free(rows);
    return err;
  }
  for (int64_t i = 0; i < n; ++i) {
    double *row = rows + (size_t)i * (size_t)w;
    memcpy(row, &id[i], 8);
    int col = 1;
    for (int r = 0; r < nrec; ++r)
      /* w >= 1 (the id column): clang-tidy's "zero-size allocation" cannot see it. */
      for (int c = 0; c < recs[r].ncomp; ++c) row[col++] = recs[r].comp[c][i]; /* NOLINT(clang-analyzer-unix.Malloc) */
  }
  int64_t m = n, off = 0, total = 0;
  err = sample_sort(s->comm, w, &rows, &m);
  for (int64_t i = 1; !err && i < m; ++i)
    if (row_id(rows, w, i) == row_id(rows, w, i - 1))
      err = PT_ERROR(PT_ERR_RUNTIME, "species %s: duplicate particle id %" PRIu64, species,
                     row_id(rows, w, i));
  if (!err && !(buf = malloc((size_t)(m ? m : 1) * 8)))
    err = PT_ERROR(PT_ERR_NOMEM, "out of memory");
  /* Agree before the next collectives: a duplicate is seen by one rank only. */
  if (!(err = pt_agree(s->comm, err))) {
    err = PT_MPI_CHECK(MPI_Exscan(&m, &off, 1, MPI_INT64_T, MPI_SUM, s->comm));
    int rank;
    MPI_Comm_rank(s->comm, &rank);
    if (rank == 0) off = 0;  /* MPI_Exscan leaves rank 0's result undefined */
    if (!err) err = PT_MPI_CHECK(MPI_Allreduce(&m, &total, 1, MPI_INT64_T, MPI_SUM, s->comm));
    err = pt_agree(s->comm, err);
  }
  if (err) {
    free(rows);
    free(buf);
    return err;
  }

  char what[PT_IO_NAMELEN + 32];
  snprintf(what, sizeof what, "species %s", species);
  step_file sf;
  err = series_file(s, step, 8.0 * (double)w * (double)total, what, &sf);
  hid_t file = sf.id;
  if (err) {
    free(rows);
    free(buf);
    return err;
  }
  hid_t parts = step_subgroup(file, step, time, dt, s->time_unit_si, "particles"), sp = -1;
  if (parts < 0 || unlink_if_present(parts, species) < 0 ||
      (sp = H5Gcreate2(parts, species, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)) < 0 ||
      write_records(s, sp, nrec, recs, rows, w, m, off, total, buf) < 0)
    err = PT_ERROR(PT_ERR_IO, "%s: writing species %s at step %" PRId64 " failed", s->path,
                   species, step);
  if (sp >= 0) H5Gclose(sp);
  if (parts >= 0) H5Gclose(parts);
  free(rows);
  free(buf);
  return finish_write(s, &sf, err);
}

/* ---- reading ------------------------------------------------------------------------- */

typedef struct steplist {
  int64_t *v;
  int n, cap;
} steplist;

static herr_t collect_step(hid_t g, const char *name, const H5L_info_t *info, void *data) {
  (void)g;
  (void)info;
  steplist *l = data;
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

static int cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return (x > y) - (x < y);
}

/* The steps under /data, ascending (an empty list if there is no /data). */
static int list_steps(hid_t file, steplist *l) {
  memset(l, 0, sizeof *l);
  if (!pt_h5_exists(file, "/data")) return 0;
  hsize_t idx = 0;
  if (H5Literate_by_name(file, "/data", H5_INDEX_NAME, H5_ITER_INC, &idx, collect_step, l,
                         H5P_DEFAULT) < 0)
    return -1;
  qsort(l->v, (size_t)l->n, sizeof *l->v, cmp_i64);
  return 0;
}

/* Opens `path` for reading, checks it is openPMD 1.x and opens /data/<step> (step -1:
 * the last). Collective and agreed. */
static int open_step(MPI_Comm comm, const char *path, int64_t step, hid_t *file, hid_t *grp,
                     int64_t *step_out) {
  *grp = -1;
  PT_TRY(pt_h5_open(comm, path, PT_H5_READ, file));
  char version[32];
  steplist l = {0};
  int err = PT_OK;
  if (pt_h5_read_str(*file, "openPMD", version, sizeof version) != 0)
    err = PT_ERROR(PT_ERR_INPUT, "%s: not an openPMD file (no openPMD attribute)", path);
  else if (strncmp(version, "1.", 2) != 0)
    err = PT_ERROR(PT_ERR_INPUT, "%s: openPMD version %s is not supported (1.x is)", path, version);
  else if (list_steps(*file, &l) != 0)
    err = PT_ERROR(PT_ERR_INPUT, "%s: cannot list the steps in /data", path);
  else if (l.n == 0)
    err = PT_ERROR(PT_ERR_INPUT, "%s: no steps in the file", path);
  if (!err) {
    int found = step < 0;
    for (int i = 0; i < l.n && !found; ++i) found = l.v[i] == step;
    if (step < 0) step = l.v[l.n - 1];
    if (!found)
      err = PT_ERROR(PT_ERR_INPUT, "%s: no step %" PRId64 " (the file has %d steps, %" PRId64
                     " to %" PRId64 ")", path, step, l.n, l.v[0], l.v[l.n - 1]);
  }
  free(l.v);
  if (!err) {
    char name[64];
    snprintf(name, sizeof name, "/data/%" PRId64, step);
    *grp = H5Gopen2(*file, name, H5P_DEFAULT);
    if (*grp < 0) err = PT_ERROR(PT_ERR_INPUT, "%s: cannot open %s", path, name);
    if (step_out) *step_out = step;
  }
  err = pt_agree(comm, err);
  if (err) {
    if (*grp >= 0) H5Gclose(*grp);
    H5Fclose(*file);
  }
  return err;
}

/* Opens a record component dataset and checks it holds numbers of `cls` with `nd` axes;
 * dims gets its shape. */
static int open_component(const char *path, hid_t loc, const char *name, const char *what,
                          H5T_class_t cls, int nd, hsize_t *dims, hid_t *dset) {
  *dset = -1;
  H5O_info_t info;
  if (!pt_h5_exists(loc, name) || H5Oget_info_by_name(loc, name, &info, H5P_DEFAULT) < 0)
    return PT_ERROR(PT_ERR_INPUT, "%s: no %s", path, what);
  if (info.type != H5O_TYPE_DATASET)
    return PT_ERROR(PT_ERR_INPUT, "%s: %s is not a dataset", path, what);
  *dset = H5Dopen2(loc, name, H5P_DEFAULT);
  hid_t type = *dset >= 0 ? H5Dget_type(*dset) : -1, space = *dset >= 0 ? H5Dget_space(*dset) : -1;
  int err = PT_OK;
  if (type < 0 || space < 0)
    err = PT_ERROR(PT_ERR_INPUT, "%s: cannot open %s", path, what);
  else if (H5Tget_class(type) != cls)
    err = PT_ERROR(PT_ERR_INPUT, "%s: %s holds %s, expected %s", path, what,
                   H5Tget_class(type) == H5T_FLOAT ? "floating-point numbers" : "another type",
                   cls == H5T_FLOAT ? "floating-point numbers" : "integers");
  else if (H5Sget_simple_extent_ndims(space) != nd)
    err = PT_ERROR(PT_ERR_INPUT, "%s: %s has %d dimensions, expected %d", path, what,
                   H5Sget_simple_extent_ndims(space), nd);
  else
    H5Sget_simple_extent_dims(space, dims, NULL);
  if (type >= 0) H5Tclose(type);
  if (space >= 0) H5Sclose(space);
  if (err && *dset >= 0) {
    H5Dclose(*dset);
    *dset = -1;
  }
  return err;
}

/* Compares a dataset's stored checksum (if any) with the one of what was read. */
static int verify_checksum(const char *path, const char *what, hid_t dset, uint64_t computed) {
  uint64_t stored;
  if (H5Aexists(dset, CHECKSUM_ATTR) <= 0) return PT_OK;
  if (pt_h5_read_u64(dset, CHECKSUM_ATTR, &stored) != 0)
    return PT_ERROR(PT_ERR_INPUT, "%s: %s: unreadable checksum attribute", path, what);
  if (stored != computed)
    return PT_ERROR(PT_ERR_INPUT, "%s: %s: checksum mismatch (stored %016" PRIx64 ", data give %016"
                    PRIx64 "): the file is corrupt", path, what, stored, computed);
  return PT_OK;
}

int pt_io_read_mesh(const char *path, int64_t step, const char *name, pt_field *f,
                    double *time, int64_t *step_out) {
  pt_h5_quiet();
  MPI_Comm comm = f->decomp->cart;
  hid_t file, grp;
  int64_t st;
  PT_TRY(open_step(comm, path, step, &file, &grp, &st));
  char what[160];
  snprintf(what, sizeof what, "mesh record /data/%" PRId64 "/meshes/%s", st, name ? name : "");
  hid_t dset = -1, ms = -1, fs = -1, dxpl = -1;
  hsize_t dims[PT_MAXDIM];
  char buf[64];
  int err = valid_name(name) ? PT_OK : PT_ERROR(PT_ERR_INPUT, "%s: bad mesh record name", path);
  if (!err && !pt_h5_exists(grp, "meshes"))
    err = PT_ERROR(PT_ERR_INPUT, "%s: no meshes at step %" PRId64, path, st);
  if (!err) {
    snprintf(buf, sizeof buf, "meshes/%s", name);
    err = open_component(path, grp, buf, what, H5T_FLOAT, f->ndim, dims, &dset);
  }
  if (!err) {
    int64_t file_dims[PT_MAXDIM], same = 1;
    for (int a = 0; a < f->ndim; ++a) {
      file_dims[a] = (int64_t)dims[a];
      same &= file_dims[a] == f->decomp->gsize[a];
    }
    if (!same) {
      char have[64], want[64];
      pt_decomp_shape(have, sizeof have, f->ndim, file_dims);
      pt_decomp_shape(want, sizeof want, f->ndim, f->decomp->gsize);
      err = PT_ERROR(PT_ERR_INPUT, "%s: %s is %s, but the grid is %s", path, what, have, want);
    }
  }
  if (!err && (pt_h5_read_str(dset, "geometry", buf, sizeof buf) != 0 || strcmp(buf, "cartesian")))
    err = PT_ERROR(PT_ERR_INPUT, "%s: %s: geometry is not cartesian", path, what);
  if (!err && (pt_h5_read_str(dset, "dataOrder", buf, sizeof buf) != 0 || strcmp(buf, "C")))
    err = PT_ERROR(PT_ERR_INPUT, "%s: %s: dataOrder is not C", path, what);
  if (!err) {
    ms = field_memspace(f);
    fs = field_filespace(dset, f);
    dxpl = collective_dxpl();
    if (ms < 0 || fs < 0 || dxpl < 0 || H5Dread(dset, H5T_NATIVE_DOUBLE, ms, fs, dxpl, f->base) < 0)
      err = PT_ERROR(PT_ERR_IO, "%s: reading %s failed", path, what);
  }
  uint64_t sum;
  if (!err && !(err = field_checksum(f, &sum))) err = verify_checksum(path, what, dset, sum);
  if (!err && time && pt_h5_read_doubles(grp, "time", 1, time) != 0)
    err = PT_ERROR(PT_ERR_INPUT, "%s: step %" PRId64 " has no time attribute", path, st);
  if (step_out) *step_out = st;
  if (dxpl >= 0) H5Pclose(dxpl);
  if (ms >= 0) H5Sclose(ms);
  if (fs >= 0) H5Sclose(fs);
  if (dset >= 0) H5Dclose(dset);
  H5Gclose(grp);
  H5Fclose(file);
  return pt_agree(comm, err);
}

void pt_particle_set_free(pt_particle_set *p) {
  free(p->id);
  for (int r = 0; r < p->nrec; ++r)
    for (int c = 0; c < p->rec[r].ncomp; ++c) free(p->rec[r].comp[c]);
  memset(p, 0, sizeof *p);
}

/* Reads elements [off, off + n) of the 1-D dataset `name` in `loc` (which must have
 * `total` elements of class `cls`) into a new buffer, verifying its checksum. */
static int read_column(MPI_Comm comm, const char *path, hid_t loc, const char *name,
                       const char *what, H5T_class_t cls, hid_t mtype, int64_t *total,
                       int64_t off, int64_t n, void **out) {
  hsize_t dim;
  hid_t d;
  *out = NULL;
  int err = open_component(path, loc, name, what, cls, 1, &dim, &d);
  if (!err && *total >= 0 && (int64_t)dim != *total)
    err = PT_ERROR(PT_ERR_INPUT, "%s: %s has %llu entries, the species has %" PRId64, path, what,
                   (unsigned long long)dim, *total);
  if (err) return err;
  if (*total < 0) {
    /* Caller learns the size from the first column; the block is decided afterwards. */
    *total = (int64_t)dim;
    H5Dclose(d);
    return PT_OK;
  }
  hsize_t start = (hsize_t)off, count = (hsize_t)n;
  void *buf = malloc((size_t)(n ? n : 1) * 8);
  hid_t fs = H5Dget_space(d), ms = H5Screate_simple(1, &count, NULL), dxpl = collective_dxpl();
  herr_t r = buf && fs >= 0 && ms >= 0 && dxpl >= 0 ? 0 : -1;
  if (r >= 0) r = n == 0 ? (H5Sselect_none(fs) < 0 || H5Sselect_none(ms) < 0 ? -1 : 0)
                         : H5Sselect_hyperslab(fs, H5S_SELECT_SET, &start, NULL, &count, NULL);
  /* The read is collective: a rank that cannot take part says so first. */
  if (pt_agree(comm, r < 0 ? PT_ERROR(PT_ERR_IO, "%s: cannot set up reading %s", path, what) : PT_OK)) r = -1;
  else if (dim > 0) r = H5Dread(d, mtype, ms, fs, dxpl, buf);
  if (r < 0) err = PT_ERROR(PT_ERR_IO, "%s: reading %s failed", path, what);
  uint64_t local = buf ? pt_io_checksum(off, n, buf) : 0, sum = 0;
  /* Every rank joins the reduction even after a local failure, so none is left waiting. */
  int merr = PT_MPI_CHECK(MPI_Allreduce(&local, &sum, 1, MPI_UINT64_T, MPI_SUM, comm));
  if (!err) err = merr;
  if (!err) err = verify_checksum(path, what, d, sum);
  if (fs >= 0) H5Sclose(fs);
  if (ms >= 0) H5Sclose(ms);
  if (dxpl >= 0) H5Pclose(dxpl);
  H5Dclose(d);
  if (err)
    free(buf);
  else
    *out = buf;
  return err;
}

/* A species' particlePatches, where present, must describe it whole: contiguous patches
 * (each numParticlesOffset the sum of the counts before it) adding up to its length. A
 * truncated or spliced species is refused instead of being read short. Each rank checks
 * a block of the patch table; the verdict is agreed. */
static int check_patches(MPI_Comm comm, const char *path, hid_t sp, const char *what, int64_t total) {
  if (!pt_h5_exists(sp, "particlePatches")) return PT_OK;
  hid_t g = H5Gopen2(sp, "particlePatches", H5P_DEFAULT);
  if (g < 0) return pt_agree(comm, PT_ERROR(PT_ERR_INPUT, "%s: cannot open %s/particlePatches", path, what));
  int rank, size;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  char nwhat[320], fwhat[320];
  snprintf(nwhat, sizeof nwhat, "%s/particlePatches/numParticles", what);
  snprintf(fwhat, sizeof fwhat, "%s/particlePatches/numParticlesOffset", what);
  int64_t npatch = -1, k0 = 0, cnt = 0;
  uint64_t *num = NULL, *first = NULL, local = 0, before = 0, sum = 0;
  void *none;
  int err = read_column(comm, path, g, "numParticles", nwhat, H5T_INTEGER, H5T_NATIVE_UINT64, &npatch, 0, 0, &none);
  if (!err) {
    int64_t b = npatch / size, r = npatch % size;
    cnt = b + (rank < r);
    k0 = rank * b + (rank < r ? rank : r);
    err = read_column(comm, path, g, "numParticles", nwhat, H5T_INTEGER, H5T_NATIVE_UINT64, &npatch, k0, cnt,
                      (void **)&num);
  }
  if (!err)
    err = read_column(comm, path, g, "numParticlesOffset", fwhat, H5T_INTEGER, H5T_NATIVE_UINT64, &npatch, k0,
                      cnt, (void **)&first);
  for (int64_t k = 0; !err && k < cnt; ++k) local += num[k];
  if (!err) err = PT_MPI_CHECK(MPI_Exscan(&local, &before, 1, MPI_UINT64_T, MPI_SUM, comm));
  if (!err) err = PT_MPI_CHECK(MPI_Allreduce(&local, &sum, 1, MPI_UINT64_T, MPI_SUM, comm));
  if (rank == 0) before = 0;  /* MPI_Exscan leaves rank 0's result undefined */
  for (int64_t k = 0; !err && k < cnt; ++k) {
    if (first[k] != before)
      err = PT_ERROR(PT_ERR_INPUT, "%s: %s/particlePatches: patch %" PRId64 " starts at %" PRIu64
                     ", expected %" PRIu64 " (patches must be contiguous)", path, what, k0 + k, first[k], before);
    before += num[k];
  }
  if (!err && sum != (uint64_t)total)
    err = PT_ERROR(PT_ERR_INPUT, "%s: %s/particlePatches hold %" PRIu64 " particles, the species %" PRId64,
                   path, what, sum, total);
  free(num);
  free(first);
  H5Gclose(g);
  return pt_agree(comm, err);
}

int pt_io_read_particles(MPI_Comm comm, const char *path, int64_t step,
                         const char *species, int nrec, const char *const *names,
                         pt_particle_set *p) {
  pt_h5_quiet();
  memset(p, 0, sizeof *p);
  if (nrec < 0 || nrec > PT_IO_MAXREC)
    return PT_ERROR(PT_ERR_INPUT, "pt_io_read_particles: %d records asked for", nrec);
  hid_t file, grp, sp = -1;
  int64_t st;
  PT_TRY(open_step(comm, path, step, &file, &grp, &st));
  int rank, size;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  char what[256], buf[PT_IO_NAMELEN + 16];
  int err = valid_name(species) ? PT_OK : PT_ERROR(PT_ERR_INPUT, "%s: bad species name", path);
  if (!err) {
    snprintf(buf, sizeof buf, "particles/%s", species);
    if (!pt_h5_exists(grp, buf))
      err = PT_ERROR(PT_ERR_INPUT, "%s: no particle species %s at step %" PRId64, path, species, st);
    else if ((sp = H5Gopen2(grp, buf, H5P_DEFAULT)) < 0)
      err = PT_ERROR(PT_ERR_INPUT, "%s: cannot open species %s", path, species);
  }
  int64_t total = -1, first = 0, count = 0;
  snprintf(what, sizeof what, "/data/%" PRId64 "/particles/%s/id", st, species ? species : "");
  void *none;
  if (!err) err = read_column(comm, path, sp, "id", what, H5T_INTEGER, H5T_NATIVE_UINT64, &total, 0, 0, &none);
  if (!err) {
    char spwhat[256];
    snprintf(spwhat, sizeof spwhat, "/data/%" PRId64 "/particles/%s", st, species);
    err = check_patches(comm, path, sp, spwhat, total);
  }
  if (!err) {
    int64_t b = total / size, r = total % size;
    count = b + (rank < r);
    first = rank * b + (rank < r ? rank : r);
    p->n = count;
    p->offset = first;
    p->ntotal = total;
    err = read_column(comm, path, sp, "id", what, H5T_INTEGER, H5T_NATIVE_UINT64, &total, first,
                      count, (void **)&p->id);
  }
  for (int r = 0; !err && r < nrec; ++r) {
    H5O_info_t info;
    snprintf(what, sizeof what, "/data/%" PRId64 "/particles/%s/%s", st, species, names[r]);
    if (!valid_name(names[r]) || !pt_h5_exists(sp, names[r]) ||
        H5Oget_info_by_name(sp, names[r], &info, H5P_DEFAULT) < 0) {
      err = PT_ERROR(PT_ERR_INPUT, "%s: no particle record %s", path, what);
      break;
    }
    snprintf(p->rec[r].name, PT_IO_NAMELEN, "%s", names[r]);
    p->nrec = r + 1;
    int vector = info.type == H5O_TYPE_GROUP;
    hid_t g = vector ? H5Gopen2(sp, names[r], H5P_DEFAULT) : sp;
    for (int c = 0; !err && c < 3; ++c) {
      const char *cname = vector ? comp_names[c] : names[r];
      if (vector && !pt_h5_exists(g, cname)) break;
      char cwhat[300];
      snprintf(cwhat, sizeof cwhat, vector ? "%s/%s" : "%s", what, cname);
      err = read_column(comm, path, g, cname, cwhat, H5T_FLOAT, H5T_NATIVE_DOUBLE, &total, first,
                        count, (void **)&p->rec[r].comp[c]);
      if (!err) p->rec[r].ncomp = c + 1;
      if (!vector) break;
    }
    if (!err && p->rec[r].ncomp == 0)
      err = PT_ERROR(PT_ERR_INPUT, "%s: %s has no components x, y, z", path, what);
    if (vector && g >= 0) H5Gclose(g);
  }
  if (sp >= 0) H5Gclose(sp);
  H5Gclose(grp);
  H5Fclose(file);
  err = pt_agree(comm, err);
  if (err) pt_particle_set_free(p);
  return err;
}

int pt_io_last_step(MPI_Comm comm, const char *path, int64_t *step) {
  pt_h5_quiet();
  hid_t file, grp;
  PT_TRY(open_step(comm, path, -1, &file, &grp, step));
  H5Gclose(grp);
  H5Fclose(file);
  return PT_OK;
}

/* ---- XDMF sidecar -------------------------------------------------------------------- */

typedef struct sbuf {
  char *s;
  size_t len, cap;
  int failed;
} sbuf;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void sb_printf(sbuf *b, const char *fmt, ...) {
  if (b->failed) return;
  for (;;) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
      b->failed = 1;
      return;
    }
    if (b->s && b->len + (size_t)n < b->cap) {
      b->len += (size_t)n;
      return;
    }
    size_t cap = (b->cap ? 2 * b->cap : 4096) + (size_t)n;
    char *p = realloc(b->s, cap);
    if (!p) {
      b->failed = 1;
      return;
    }
    b->s = p;
    b->cap = cap;
  }
}

/* File names are the only free text that reaches the XML. */
static void sb_escaped(sbuf *b, const char *s) {
  for (; *s; ++s) {
    switch (*s) {
      case '&': sb_printf(b, "&amp;"); break;
      case '<': sb_printf(b, "&lt;"); break;
      case '>': sb_printf(b, "&gt;"); break;
      case '"': sb_printf(b, "&quot;"); break;
      default: sb_printf(b, "%c", *s);
    }
  }
}

typedef struct xmesh {
  char name[PT_IO_NAMELEN];
  int nd;
  hsize_t dims[PT_MAXDIM];
  double spacing[PT_MAXDIM], origin[PT_MAXDIM];
  int done;
} xmesh;

typedef struct xscan {
  hid_t loc;
  xmesh *m;
  int n, cap;
  char (*names)[PT_IO_NAMELEN];  /* species */
  int nnames, capnames;
} xscan;

static herr_t scan_mesh(hid_t g, const char *name, const H5L_info_t *info, void *data) {
  (void)info;
  xscan *x = data;
  if (!valid_name(name)) return 0;
  hid_t d = H5Dopen2(g, name, H5P_DEFAULT);
  if (d < 0) return 0;  /* a vector mesh group: not shown */
  hid_t space = H5Dget_space(d);
  int nd = space >= 0 ? H5Sget_simple_extent_ndims(space) : -1;
  if (nd >= 1 && nd <= PT_MAXDIM) {
    if (x->n == x->cap) {
      int cap = x->cap ? 2 * x->cap : 8;
      xmesh *p = realloc(x->m, (size_t)cap * sizeof *p);
      if (!p) {
        H5Sclose(space);
        H5Dclose(d);
        return -1;
      }
      x->m = p;
      x->cap = cap;
    }
    xmesh *m = &x->m[x->n++];
    memset(m, 0, sizeof *m);
    snprintf(m->name, sizeof m->name, "%s", name);
    m->nd = nd;
    H5Sget_simple_extent_dims(space, m->dims, NULL);
    double off[PT_MAXDIM] = {0, 0, 0}, pos[PT_MAXDIM] = {0, 0, 0};
    for (int a = 0; a < nd; ++a) m->spacing[a] = 1.0;
    pt_h5_read_doubles(d, "gridSpacing", nd, m->spacing);
    pt_h5_read_doubles(d, "gridGlobalOffset", nd, off);
    pt_h5_read_doubles(d, "position", nd, pos);
    for (int a = 0; a < nd; ++a) m->origin[a] = off[a] + pos[a] * m->spacing[a];
  }
  if (space >= 0) H5Sclose(space);
  H5Dclose(d);
  return 0;
}

static herr_t scan_name(hid_t g, const char *name, const H5L_info_t *info, void *data) {
  (void)g;
  (void)info;
  xscan *x = data;
  if (!valid_name(name)) return 0;
  if (x->nnames == x->capnames) {
    int cap = x->capnames ? 2 * x->capnames : 8;
    char(*p)[PT_IO_NAMELEN] = realloc(x->names, (size_t)cap * sizeof *p);
    if (!p) return -1;
    x->names = p;
    x->capnames = cap;
  }
  snprintf(x->names[x->nnames++], PT_IO_NAMELEN, "%s", name);
  return 0;
}

static void sb_hdf_item(sbuf *b, const char *href, const char *dset, const char *numtype,
                        int nd, const hsize_t *dims) {
  sb_printf(b, "<DataItem Format=\"HDF\" NumberType=\"%s\" Precision=\"8\" Dimensions=\"", numtype);
  for (int a = 0; a < nd; ++a) sb_printf(b, a ? " %llu" : "%llu", (unsigned long long)dims[a]);
  sb_printf(b, "\">");
  sb_escaped(b, href);
  sb_printf(b, ":%s</DataItem>\n", dset);
}

static int same_geometry(const xmesh *a, const xmesh *b) {
  if (a->nd != b->nd) return 0;
  for (int i = 0; i < a->nd; ++i)
    if (a->dims[i] != b->dims[i] || a->spacing[i] != b->spacing[i] || a->origin[i] != b->origin[i])
      return 0;
  return 1;
}

/* One Uniform grid per distinct mesh geometry, holding every record that shares it. 2D
 * meshes become 3DCoRectMesh with a singleton slowest axis: ParaView puts a
 * 2DCoRectMesh in the YZ plane, and we want the fastest axis along X. */
static int xdmf_meshes(sbuf *b, xscan *x, const char *href, const char *base) {
  int grids = 0;
  for (int i = 0; i < x->n; ++i) {
    xmesh *m = &x->m[i];
    if (m->done) continue;
    hsize_t d3[3] = {1, 1, 1};
    double o3[3] = {0, 0, 0}, s3[3] = {1, 1, 1};
    for (int a = 0; a < m->nd; ++a) {
      d3[3 - m->nd + a] = m->dims[a];
      o3[3 - m->nd + a] = m->origin[a];
      s3[3 - m->nd + a] = m->spacing[a];
    }
    sb_printf(b, "<Grid Name=\"%s\" GridType=\"Uniform\">\n", m->name);
    sb_printf(b, "<Topology TopologyType=\"3DCoRectMesh\" Dimensions=\"%llu %llu %llu\"/>\n",
              (unsigned long long)d3[0], (unsigned long long)d3[1], (unsigned long long)d3[2]);
    /* Origin and spacing in the order of the dimensions, slowest axis first (Z Y X). */
    sb_printf(b, "<Geometry GeometryType=\"ORIGIN_DXDYDZ\">\n"
                 "<DataItem Format=\"XML\" NumberType=\"Float\" Precision=\"8\" Dimensions=\"3\">%.17g %.17g %.17g</DataItem>\n"
                 "<DataItem Format=\"XML\" NumberType=\"Float\" Precision=\"8\" Dimensions=\"3\">%.17g %.17g %.17g</DataItem>\n"
                 "</Geometry>\n", o3[0], o3[1], o3[2], s3[0], s3[1], s3[2]);
    for (int j = i; j < x->n; ++j) {
      if (x->m[j].done || !same_geometry(m, &x->m[j])) continue;
      x->m[j].done = 1;
      char dset[256];
      snprintf(dset, sizeof dset, "%s/meshes/%s", base, x->m[j].name);
      sb_printf(b, "<Attribute Name=\"%s\" AttributeType=\"Scalar\" Center=\"Node\">\n", x->m[j].name);
      sb_hdf_item(b, href, dset, "Float", 3, d3);
      sb_printf(b, "</Attribute>\n");
    }
    sb_printf(b, "</Grid>\n");
    ++grids;
  }
  return grids;
}

/* Vector components of record `rec` of a species, as a JOIN of its x, y, z datasets. */
static int xdmf_components(sbuf *b, hid_t sp, const char *rec, const char *href,
                           const char *spbase, hsize_t n) {
  int nc = 0;
  char name[2 * PT_IO_NAMELEN];
  for (; nc < 3; ++nc) {
    snprintf(name, sizeof name, "%s/%s", rec, comp_names[nc]);
    if (!pt_h5_exists(sp, name) || H5Oexists_by_name(sp, name, H5P_DEFAULT) <= 0) break;
    H5O_info_t info;
    if (H5Oget_info_by_name(sp, name, &info, H5P_DEFAULT) < 0 || info.type != H5O_TYPE_DATASET) break;
  }
  if (nc < 2) return nc;
  sb_printf(b, "<DataItem ItemType=\"Function\" Function=\"%s\" Dimensions=\"%llu %d\">\n",
            nc == 3 ? "JOIN($0, $1, $2)" : "JOIN($0, $1)", (unsigned long long)n, nc);
  for (int c = 0; c < nc; ++c) {
    char dset[256];
    snprintf(dset, sizeof dset, "%s/%s/%s", spbase, rec, comp_names[c]);
    sb_hdf_item(b, href, dset, "Float", 1, &n);
  }
  sb_printf(b, "</DataItem>\n");
  return nc;
}

/* One Polyvertex grid for a species whose positions have 2 or 3 components. */
static int xdmf_species(sbuf *b, hid_t parts, const char *species, const char *href,
                        const char *base) {
  hid_t sp = H5Gopen2(parts, species, H5P_DEFAULT);
  if (sp < 0) return 0;
  hsize_t n = 0;
  hid_t d = pt_h5_exists(sp, "id") ? H5Dopen2(sp, "id", H5P_DEFAULT) : -1;
  if (d >= 0) {
    hid_t s = H5Dget_space(d);
    if (s >= 0 && H5Sget_simple_extent_ndims(s) == 1) H5Sget_simple_extent_dims(s, &n, NULL);
    if (s >= 0) H5Sclose(s);
    H5Dclose(d);
  }
  char spbase[256];
  snprintf(spbase, sizeof spbase, "%s/particles/%s", base, species);
  sbuf geo = {0};
  int nc = n > 0 ? xdmf_components(&geo, sp, "position", href, spbase, n) : 0;
  if (nc < 2 || geo.failed) {
    free(geo.s);
    H5Gclose(sp);
    return 0;
  }
  sb_printf(b, "<Grid Name=\"%s\" GridType=\"Uniform\">\n", species);
  sb_printf(b, "<Topology TopologyType=\"Polyvertex\" NumberOfElements=\"%llu\" NodesPerElement=\"1\"/>\n",
            (unsigned long long)n);
  sb_printf(b, "<Geometry GeometryType=\"%s\">\n%s</Geometry>\n", nc == 3 ? "XYZ" : "XY", geo.s);
  free(geo.s);
  xscan recs = {0};
  hsize_t idx = 0;
  H5Literate(sp, H5_INDEX_NAME, H5_ITER_INC, &idx, scan_name, &recs);
  for (int r = 0; r < recs.nnames; ++r) {
    const char *rec = recs.names[r];
    H5O_info_t info;
    if (!strcmp(rec, "position") || !strcmp(rec, "positionOffset") || !strcmp(rec, "particlePatches") ||
        H5Oget_info_by_name(sp, rec, &info, H5P_DEFAULT) < 0)
      continue;
    char dset[384];
    snprintf(dset, sizeof dset, "%s/%s", spbase, rec);
    if (info.type == H5O_TYPE_DATASET) {
      /* ids are below 2^63 in practice; VTK's XDMF reader has no unsigned 64-bit type. */
      sb_printf(b, "<Attribute Name=\"%s\" AttributeType=\"Scalar\" Center=\"Node\">\n", rec);
      sb_hdf_item(b, href, dset, strcmp(rec, "id") ? "Float" : "Int", 1, &n);
      sb_printf(b, "</Attribute>\n");
    } else if (info.type == H5O_TYPE_GROUP) {
      sbuf v = {0};
      int vc = xdmf_components(&v, sp, rec, href, spbase, n);
      if (vc == 3 && !v.failed)
        sb_printf(b, "<Attribute Name=\"%s\" AttributeType=\"Vector\" Center=\"Node\">\n%s</Attribute>\n",
                  rec, v.s);
      free(v.s);
    }
  }
  free(recs.names);
  sb_printf(b, "</Grid>\n");
  H5Gclose(sp);
  return 1;
}

/* Appends the grids of one step to `b`: a Uniform grid, or a Spatial collection when
 * the step holds several geometries or species. */
static void xdmf_step(sbuf *b, hid_t file, int64_t step, const char *href) {
  char base[64];
  snprintf(base, sizeof base, "/data/%" PRId64, step);
  hid_t g = H5Gopen2(file, base, H5P_DEFAULT);
  if (g < 0) return;
  double time = (double)step;
  pt_h5_read_doubles(g, "time", 1, &time);
  sbuf body = {0};
  int grids = 0;
  xscan x = {0};
  hsize_t idx = 0;
  if (pt_h5_exists(g, "meshes")) {
    H5Literate_by_name(g, "meshes", H5_INDEX_NAME, H5_ITER_INC, &idx, scan_mesh, &x, H5P_DEFAULT);
    grids += xdmf_meshes(&body, &x, href, base);
  }
  if (pt_h5_exists(g, "particles")) {
    hid_t parts = H5Gopen2(g, "particles", H5P_DEFAULT);
    idx = 0;
    if (parts >= 0) H5Literate(parts, H5_INDEX_NAME, H5_ITER_INC, &idx, scan_name, &x);
    for (int i = 0; parts >= 0 && i < x.nnames; ++i)
      grids += xdmf_species(&body, parts, x.names[i], href, base);
    if (parts >= 0) H5Gclose(parts);
  }
  if (grids == 1) {
    /* A lone grid carries the time itself: insert <Time> after its opening tag. */
    char *nl = body.s ? strchr(body.s, '\n') : NULL;
    if (nl) {
      sb_printf(b, "%.*s\n<Time Value=\"%.17g\"/>\n%s", (int)(nl - body.s), body.s, time, nl + 1);
    }
  } else if (grids > 1) {
    sb_printf(b, "<Grid Name=\"step %" PRId64 "\" GridType=\"Collection\" CollectionType=\"Spatial\">\n"
                 "<Time Value=\"%.17g\"/>\n%s</Grid>\n", step, time, body.s);
  }
  if (body.failed) b->failed = 1;
  free(body.s);
  free(x.m);
  free(x.names);
  H5Gclose(g);
}

typedef struct stepfile {
  int64_t step;
  char file[256];
} stepfile;

static int cmp_stepfile(const void *a, const void *b) {
  return cmp_i64(&((const stepfile *)a)->step, &((const stepfile *)b)->step);
}

/* The (step, file) pairs of a series: every /data/<step> of every file. */
static int series_steps(const char *path, stepfile **out, int *nout) {
  *out = NULL;
  *nout = 0;
  const char *slash = strrchr(path, '/');
  const char *fname = slash ? slash + 1 : path;
  char dir[4096];
  snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
  if (slash == path) snprintf(dir, sizeof dir, "/");
  char **files = NULL;
  int nfiles = 0;
  const char *t = strstr(fname, "%T");
  if (!t) {
    files = malloc(sizeof *files);
    if (!files) return -1;
    files[nfiles++] = strdup(fname);
  } else {
    size_t pre = (size_t)(t - fname), post = strlen(t + 2);
    DIR *dd = opendir(dir);
    if (!dd) return -1;
    struct dirent *e;
    while ((e = readdir(dd))) {
      size_t len = strlen(e->d_name);
      if (len <= pre + post || strncmp(e->d_name, fname, pre) || strcmp(e->d_name + len - post, t + 2))
        continue;
      size_t k = pre;
      while (k < len - post && isdigit((unsigned char)e->d_name[k])) ++k;
      if (k != len - post) continue;
      char **p = realloc(files, (size_t)(nfiles + 1) * sizeof *p);
      if (!p) break;
      files = p;
      files[nfiles++] = strdup(e->d_name);
    }
    closedir(dd);
  }
  int cap = 0;
  for (int i = 0; i < nfiles; ++i) {
    char full[4400];
    snprintf(full, sizeof full, "%s/%s", dir, files[i]);
    hid_t f = H5Fopen(full, H5F_ACC_RDONLY, H5P_DEFAULT);
    steplist l = {0};
    if (f >= 0 && list_steps(f, &l) == 0) {
      for (int k = 0; k < l.n; ++k) {
        if (*nout == cap) {
          cap = cap ? 2 * cap : 64;
          stepfile *p = realloc(*out, (size_t)cap * sizeof *p);
          if (!p) break;
          *out = p;
        }
        (*out)[*nout].step = l.v[k];
        snprintf((*out)[*nout].file, sizeof(*out)[*nout].file, "%s", files[i]);
        ++*nout;
      }
    }
    free(l.v);
    if (f >= 0) H5Fclose(f);
    free(files[i]);
  }
  free(files);
  qsort(*out, (size_t)*nout, sizeof **out, cmp_stepfile);
  return 0;
}

/* Sidecar path: the series path with "_%T" (or "%T") and the extension replaced. */
static void xdmf_path(const char *path, char *out, size_t len) {
  snprintf(out, len, "%s", path);
  char *t = strstr(out, "%T");
  if (t) {
    char *cut = t;
    while (cut > out && (cut[-1] == '_' || cut[-1] == '-' || cut[-1] == '.')) --cut;
    memmove(cut, t + 2, strlen(t + 2) + 1);
  }
  char *slash = strrchr(out, '/'), *dot = strrchr(out, '.');
  if (dot && (!slash || dot > slash)) *dot = '\0';
  strncat(out, ".xmf", len - strlen(out) - 1);
}

int pt_io_write_xdmf(MPI_Comm comm, const char *path) {
  pt_h5_quiet();
  int rank, err = PT_OK;
  PT_MPI(MPI_Comm_rank(comm, &rank));
  /* Every rank has closed the file: rank 0 may now open it with the serial driver. */
  PT_MPI(MPI_Barrier(comm));
  if (rank == 0) {
    stepfile *steps;
    int n;
    sbuf b = {0};
    const char *slash = strrchr(path, '/');
    const char *sname = slash ? slash + 1 : path;
    char xmf[4096], tmp[4200];
    xdmf_path(path, xmf, sizeof xmf);
    snprintf(tmp, sizeof tmp, "%s.tmp", xmf);
    if (series_steps(path, &steps, &n) != 0) {
      err = PT_ERROR(PT_ERR_IO, "%s: cannot list the series' files", path);
    } else {
      sb_printf(&b, "<?xml version=\"1.0\" ?>\n<!DOCTYPE Xdmf SYSTEM \"Xdmf.dtd\" []>\n"
                    "<Xdmf Version=\"2.0\">\n<Domain>\n"
                    "<Grid Name=\"");
      sb_escaped(&b, sname);
      sb_printf(&b, "\" GridType=\"Collection\" CollectionType=\"Temporal\">\n");
      for (int i = 0; i < n; ++i) {
        char full[4400];
        snprintf(full, sizeof full, "%.*s%s", slash ? (int)(slash - path + 1) : 0, path, steps[i].file);
        hid_t f = H5Fopen(full, H5F_ACC_RDONLY, H5P_DEFAULT);
        /* HDF5 paths are relative to the sidecar: the pair can be moved together. */
        if (f >= 0) xdmf_step(&b, f, steps[i].step, steps[i].file);
        if (f >= 0) H5Fclose(f);
      }
      sb_printf(&b, "</Grid>\n</Domain>\n</Xdmf>\n");
      free(steps);
      FILE *out = b.failed ? NULL : fopen(tmp, "w");
      int bad = !out;
      if (out) {
        bad = fwrite(b.s, 1, b.len, out) != b.len;
        bad |= fclose(out) != 0;
      }
      if (bad || rename(tmp, xmf) != 0)
        err = PT_ERROR(PT_ERR_IO, "%s: cannot write the XDMF sidecar", xmf);
      free(b.s);
    }
  }
  return pt_agree(comm, err);
}
