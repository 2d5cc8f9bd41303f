/* pt_series: the openPMD writer (see pt_series.h). */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include "pt_series.h"

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
#include "pt_io.h"
#include "pt_xdmf.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "unknown"
#endif

#define OPENPMD_VERSION "1.1.0"

struct pt_series {
  MPI_Comm comm;
  int rank, size;
  int mpi_version[2];  /* the MPI standard, for softwareDependencies */
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

static char *xstrdup(const char *s) { return s ? strdup(s) : NULL; }

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


/* ---- series -------------------------------------------------------------------------- */

static void series_free(pt_series *s) {
  if (!s) return;
  /* Unchecked: a destroy has no error to return; a failed free only leaks the handle. */
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
  H5get_libversion(&maj, &min, &rel);
  snprintf(deps, sizeof deps, "hdf5@%u.%u.%u;mpi@%d.%d", maj, min, rel, s->mpi_version[0],
           s->mpi_version[1]);
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
  /* A path too long for its files is refused before any exists (the same on every rank). */
  char step_path[PT_PATH_MAX], xmf[PT_PATH_MAX], tmp[PT_PATH_MAX];
  PT_TRY(pt_io_step_path(path, 0, step_path, sizeof step_path));
  if (!info->no_xdmf) PT_TRY(pt_xdmf_paths(path, xmf, tmp));

  pt_series *s = calloc(1, sizeof *s);
  if (s) s->comm = MPI_COMM_NULL;
  /* MPI_Comm_dup is collective: a rank without memory says so first. */
  int err = pt_agree(comm, s ? PT_OK : PT_ERROR(PT_ERR_NOMEM, "out of memory"));
  if (err) {
    free(s);
    return err;
  }
  err = PT_MPI_CHECK(MPI_Comm_dup(comm, &s->comm));
  if (!err) err = PT_MPI_CHECK(MPI_Comm_rank(comm, &s->rank));
  if (!err) err = PT_MPI_CHECK(MPI_Comm_size(comm, &s->size));
  if (!err) err = PT_MPI_CHECK(MPI_Get_version(&s->mpi_version[0], &s->mpi_version[1]));
  if (err) {
    series_free(s);
    return pt_agree(comm, err);
  }
  s->path = strdup(path);
  s->file_based = t != NULL;
  s->checksum = info->checksum;
  s->no_xdmf = info->no_xdmf;
  s->time_unit_si = info->time_unit_si > 0 ? info->time_unit_si : 1.0;
  s->software = strdup(info->software);
  s->version = strdup(info->software_version ? info->software_version : PACKAGE_VERSION);
  s->unit_system = xstrdup(info->unit_system);
  if (s->rank == 0) {
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
    if (s->rank == 0) keep = info->append && access(path, F_OK) == 0;
    err = PT_MPI_CHECK(MPI_Bcast(&keep, 1, MPI_INT, 0, comm));
    hid_t file = -1;
    /* An appended file must be one of ours; opening it checks it is readable HDF5. */
    if (!err) err = pt_h5_open(s->comm, path, keep ? PT_H5_WRITE : PT_H5_CREATE, &file);
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
  if (*s && !(*s)->file_based && (*s)->fresh && (*s)->rank == 0) unlink((*s)->path);
  series_free(*s);
  *s = NULL;
  return PT_OK;
}

/* An open step: the HDF5 file and what to remove if the write fails. */
typedef struct step_file {
  hid_t id;
  int64_t step;
  char path[PT_PATH_MAX];
  int discard_on_error; /* the file holds nothing but this failed write */
} step_file;

/* Opens the file that will hold `bytes` of data of `step` (`what` names them for a
 * message), creating a file-based step's file on first use. */
static int series_file(pt_series *s, int64_t step, double bytes, const char *what, step_file *f) {
  *f = (step_file){.id = -1, .step = step};
  /* The same path on every rank: one too long fails on all of them. */
  PT_TRY(pt_io_step_path(s->path, step, f->path, sizeof f->path));
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
    if (s->rank == 0) unlink(f->path);
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

/* A contiguous dataset with no fill: every byte is written by the ranks, and any rank
 * count produces the same file layout. */
static hid_t create_dataset(hid_t loc, const char *name, hid_t type, int ndim,
                            const hsize_t *dims) {
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

static int check_mesh_info(const pt_field *f, const pt_mesh_info *m, const char *name) {
  if (!pt_h5_valid_name(name))
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
    if (f->discard_on_error && s->rank == 0) unlink(f->path);
    if (s->file_based && f->discard_on_error) {
      for (int i = 0; i < s->nmade; ++i)
        if (s->made[i] == f->step) s->made[i] = s->made[--s->nmade];
    }
    return err;
  }
  s->fresh = 0;
  if (!s->no_xdmf) err = pt_xdmf_write(s->comm, s->path);
  return err;
}

int pt_series_write_mesh(pt_series *s, int64_t step, double time, double dt,
                         const char *name, const pt_field *f, const pt_mesh_info *m) {
  pt_h5_quiet();
  int err = step < 0 ? PT_ERROR(PT_ERR_INPUT, "mesh record %s: negative step", name)
                     : check_mesh_info(f, m, name);
  uint64_t sum = 0;
  if (!err && s->checksum) err = pt_h5_field_checksum(f, &sum);
  PT_TRY(pt_agree(s->comm, err));

  char what[PT_IO_NAMELEN + 32];
  snprintf(what, sizeof what, "mesh record %s", name);
  step_file sf;
  const double bytes = (double)sizeof(double) * (double)pt_decomp_global_cells(f->decomp);
  PT_TRY(series_file(s, step, bytes, what, &sf));
  hid_t file = sf.id;
  hid_t meshes = -1, dset = -1, fspace = -1, mspace = -1, dxpl = -1;
  hsize_t gdims[PT_MAXDIM];
  for (int a = 0; a < f->ndim; ++a) gdims[a] = (hsize_t)f->decomp->gsize[a];
  meshes = step_subgroup(file, step, time, dt, s->time_unit_si, "meshes");
  if (meshes < 0 || unlink_if_present(meshes, name) < 0 ||
      (dset = create_dataset(meshes, name, H5T_IEEE_F64LE, f->ndim, gdims)) < 0 ||
      write_mesh_attrs(dset, f->ndim, m) < 0 ||
      (s->checksum && pt_h5_attr_u64(dset, PT_H5_CHECKSUM_ATTR, sum) < 0))
    err = PT_ERROR(PT_ERR_IO, "%s: cannot create mesh record %s at step %" PRId64, s->path, name,
                   step);
  if (!err) {
    mspace = pt_h5_field_memspace(f);
    fspace = pt_h5_field_filespace(dset, f);
    dxpl = pt_h5_collective_dxpl();
    if (mspace < 0 || fspace < 0 || dxpl < 0)
      err = PT_ERROR(PT_ERR_IO, "%s: cannot set up writing mesh record %s at step %" PRId64,
                     s->path, name, step);
  }
  /* H5Dwrite is collective: a rank that cannot take part says so first. */
  err = pt_agree(s->comm, err);
  if (!err && H5Dwrite(dset, H5T_NATIVE_DOUBLE, mspace, fspace, dxpl, f->base) < 0)
    err = PT_ERROR(PT_ERR_IO, "%s: writing mesh record %s at step %" PRId64 " failed", s->path,
                   name, step);
  if (dxpl >= 0) H5Pclose(dxpl);
  if (mspace >= 0) H5Sclose(mspace);
  if (fspace >= 0) H5Sclose(fspace);
  if (dset >= 0) H5Dclose(dset);
  if (meshes >= 0) H5Gclose(meshes);
  return finish_write(s, &sf, err);
}

/* ---- particles ----------------------------------------------------------------------- */

/* Particles travel as rows of doubles: [id bits, record components...]. */
_Static_assert(sizeof(uint64_t) == sizeof(double), "an id travels in a double's bits");

static int cmp_row_id(const void *a, const void *b) {
  uint64_t x, y;
  memcpy(&x, a, sizeof x);
  memcpy(&y, b, sizeof y);
  return (x > y) - (x < y);
}

static uint64_t row_id(const double *rows, int w, int64_t i) {
  uint64_t id;
  memcpy(&id, rows + (size_t)i * (size_t)w, sizeof id);
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
  qsort(*rows, (size_t)*n, (size_t)w * sizeof **rows, cmp_row_id);
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
  err =
      PT_MPI_CHECK(MPI_Allgatherv(mine, ns, MPI_UINT64_T, all, counts, displs, MPI_UINT64_T, comm));
  if (err || total == 0) goto done;
  qsort(all, (size_t)total, sizeof *all, cmp_row_id);
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
  recv = malloc((size_t)(m ? m : 1) * (size_t)w * sizeof *recv);
  if (!recv) err = PT_ERROR(PT_ERR_NOMEM, "out of memory for %" PRId64 " particles", m);
  if ((err = pt_agree(comm, err))) goto done;
  if ((err = PT_MPI_CHECK(MPI_Type_contiguous(w, MPI_DOUBLE, &row))) ||
      (err = PT_MPI_CHECK(MPI_Type_commit(&row))) ||
      (err = PT_MPI_CHECK(
           MPI_Alltoallv(*rows, counts, displs, row, recv, rcounts, rdispls, row, comm))))
    goto done;
  qsort(recv, (size_t)m, (size_t)w * sizeof *recv, cmp_row_id);
  free(*rows);
  *rows = recv;
  recv = NULL;
  *n = m;
done:
  /* Unchecked: the rows have moved (or the error is recorded); a failed free only leaks. */
  if (row != MPI_DATATYPE_NULL) MPI_Type_free(&row);
  free(recv);
  free(counts);
  free(all);
  free(sc);
  return err;
}

static int check_particles(const char *species, int64_t n, int nrec,
                           const pt_particle_record *recs, int *w) {
  if (!pt_h5_valid_name(species))
    return PT_ERROR(PT_ERR_INPUT, "particle species name '%s': use 1-%d characters [A-Za-z0-9_]",
                    species ? species : "(null)", PT_IO_NAMELEN - 1);
  if (n < 0) return PT_ERROR(PT_ERR_INPUT, "species %s: negative particle count", species);
  if (nrec < 1 || nrec > PT_IO_MAXREC)
    return PT_ERROR(PT_ERR_INPUT, "species %s: %d records (1 to %d allowed)", species, nrec,
                    PT_IO_MAXREC);
  int has_position = 0;
  *w = 1;
  for (int r = 0; r < nrec; ++r) {
    const pt_particle_record *rec = &recs[r];
    if (!pt_h5_valid_name(rec->name) || !strcmp(rec->name, "id") ||
        !strcmp(rec->name, "positionOffset"))
      return PT_ERROR(PT_ERR_INPUT, "species %s: bad record name '%s'", species,
                      rec->name ? rec->name : "(null)");
    if (rec->ncomp < 1 || rec->ncomp > 3)
      return PT_ERROR(PT_ERR_INPUT, "species %s: record %s has %d components", species, rec->name,
                      rec->ncomp);
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


/* Writes one column of the row-packed particles as the 1-D dataset `name` (inside
 * `loc`), at this rank's offset, with its checksum. Returns the open dataset. */
static hid_t write_column(hid_t loc, const char *name, hid_t ftype, hid_t mtype,
                          const double *rows, int w, int col, int64_t m, int64_t off,
                          int64_t total, int checksum, MPI_Comm comm, double *buf) {
  for (int64_t i = 0; i < m; ++i) memcpy(buf + i, rows + (size_t)i * (size_t)w + col, sizeof *buf);
  uint64_t local = pt_io_checksum(off, m, buf), sum = 0;
  if (checksum && PT_MPI_CHECK(MPI_Allreduce(&local, &sum, 1, MPI_UINT64_T, MPI_SUM, comm)))
    return -1;
  hsize_t dim = (hsize_t)total, start = (hsize_t)off, count = (hsize_t)m;
  hid_t d = create_dataset(loc, name, ftype, 1, &dim);
  if (d < 0) return -1;
  hid_t fs = H5Dget_space(d), ms = H5Screate_simple(1, &count, NULL);
  hid_t dxpl = pt_h5_collective_dxpl();
  herr_t r = fs >= 0 && ms >= 0 && dxpl >= 0 ? 0 : -1;
  if (r == 0 && m == 0)
    r = H5Sselect_none(fs) < 0 || H5Sselect_none(ms) < 0 ? -1 : 0;
  else if (r == 0)
    r = H5Sselect_hyperslab(fs, H5S_SELECT_SET, &start, NULL, &count, NULL);
  /* H5Dwrite and the attribute after it are collective: a rank that cannot take part in
   * either says so first. */
  int err = pt_agree(comm, r < 0 ? PT_ERROR(PT_ERR_IO, "%s: cannot select the rows", name) : PT_OK);
  if (!err && total > 0 && H5Dwrite(d, mtype, ms, fs, dxpl, buf) < 0)
    err = PT_ERROR(PT_ERR_IO, "%s: H5Dwrite failed", name);
  err = pt_agree(comm, err);
  r = err ? -1 : 0;
  if (r >= 0 && checksum) r = pt_h5_attr_u64(d, PT_H5_CHECKSUM_ATTR, sum);
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

/* A record of plain counts (ids, numParticles): dimensionless, in units of 1. */
static herr_t count_attrs(hid_t d) {
  return pt_h5_attr_double(d, "unitSI", 1.0) < 0 ? -1 : record_attrs(d, zero7);
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
    hid_t cg = H5Gcreate2(g, pt_h5_axis_names[c], H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    herr_t rc = cg < 0 ? -1 : pt_h5_attr_double(cg, "value", 0.0);
    if (rc >= 0) rc = pt_h5_attr_u64s(cg, "shape", 1, &shape);
    if (rc >= 0) rc = pt_h5_attr_double(cg, "unitSI", pos->unit_si > 0 ? pos->unit_si : 1.0);
    r = close_with(cg, rc);
  }
  return close_with(g, r);
}

/* One entry `value` (a double's size) per writing rank of the patch dataset `name` in
 * `loc`. */
static hid_t write_patch_entry(pt_series *s, hid_t loc, const char *name, hid_t ftype, hid_t mtype,
                               const void *value, int rank, int size) {
  double v, buf;
  memcpy(&v, value, sizeof v);
  return write_column(loc, name, ftype, mtype, &v, 1, 0, 1, rank, size, s->checksum, s->comm, &buf);
}

/* particlePatches: one patch per writing rank, the block of id-sorted particles it wrote
 * (numParticles, numParticlesOffset) and the bounding box of their positions (offset,
 * extent; offset + extent lies above the largest position, as the standard excludes the
 * upper bound). Parallel readers take a patch without scanning the species. */
static herr_t write_patches(pt_series *s, hid_t sp, const pt_particle_record *pos, int pos_col,
                            const double *rows, int w, int64_t m, int64_t off) {
  const int rank = s->rank, size = s->size;
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
    hid_t d = write_patch_entry(s, g, counts[k], H5T_STD_U64LE, H5T_NATIVE_UINT64,
                                k ? &first : &num, rank, size);
    r = close_with(d, d < 0 ? -1 : count_attrs(d));
  }
  static const char *const boxes[2] = {"offset", "extent"};
  for (int k = 0; r >= 0 && k < 2; ++k) {
    hid_t bg = H5Gcreate2(g, boxes[k], H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    herr_t rb = bg < 0 ? -1 : record_attrs(bg, pos->unit_dimension);
    for (int c = 0; rb >= 0 && c < pos->ncomp; ++c) {
      hid_t d = write_patch_entry(s, bg, pt_h5_axis_names[c], H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE,
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
  if (close_with(d, d < 0 ? -1 : count_attrs(d)) < 0) return -1;
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
      const char *cname = is_vector(rec) ? pt_h5_axis_names[c] : rec->name;
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
    rows = malloc((size_t)(n ? n : 1) * (size_t)w * sizeof *rows);
    if (!rows) err = PT_ERROR(PT_ERR_NOMEM, "out of memory for %" PRId64 " particles", n);
  }
  if ((err = pt_agree(s->comm, err))) {
    free(rows);
    return err;
  }
  for (int64_t i = 0; i < n; ++i) {
    double *row = rows + (size_t)i * (size_t)w;
    memcpy(row, &id[i], sizeof id[i]);
    int col = 1;
    for (int r = 0; r < nrec; ++r)
      /* w >= 1 (the id column): clang-tidy's "zero-size allocation" cannot see it. */
      for (int c = 0; c < recs[r].ncomp; ++c)
        row[col++] = recs[r].comp[c][i]; /* NOLINT(clang-analyzer-unix.Malloc) */
  }
  int64_t m = n, off = 0, total = 0;
  err = sample_sort(s->comm, w, &rows, &m);
  for (int64_t i = 1; !err && i < m; ++i)
    if (row_id(rows, w, i) == row_id(rows, w, i - 1))
      err = PT_ERROR(PT_ERR_RUNTIME, "species %s: duplicate particle id %" PRIu64, species,
                     row_id(rows, w, i));
  if (!err && !(buf = malloc((size_t)(m ? m : 1) * sizeof *buf)))
    err = PT_ERROR(PT_ERR_NOMEM, "out of memory");
  /* Agree before the next collectives: a duplicate is seen by one rank only. */
  if (!(err = pt_agree(s->comm, err))) {
    err = PT_MPI_CHECK(MPI_Exscan(&m, &off, 1, MPI_INT64_T, MPI_SUM, s->comm));
    if (s->rank == 0) off = 0;  /* MPI_Exscan leaves rank 0's result undefined */
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
  err = series_file(s, step, (double)sizeof(double) * (double)w * (double)total, what, &sf);
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
