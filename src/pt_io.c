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

int pt_io_path(char *out, size_t len, const char *what, const char *fmt, ...) {
  const size_t room = len < PT_PATH_MAX ? len : PT_PATH_MAX;
  va_list ap, again;
  va_start(ap, fmt);
  va_copy(again, ap);
  const int n = room ? vsnprintf(out, room, fmt, ap) : -1;
  va_end(ap);
  if (n >= 0 && (size_t)n < room) {
    va_end(again);
    return PT_OK;
  }
  if (room) out[0] = '\0';
  char *full = n >= 0 ? malloc((size_t)n + 1) : NULL;
  if (full) vsnprintf(full, (size_t)n + 1, fmt, again);
  va_end(again);
  const char *w = what ? what : "", *sep = what ? ": " : "";
  const size_t most = room ? room - 1 : 0;
  /* A long path is named by its two ends: the head says where, the tail what. */
  enum { END = 24 };
  int err;
  if (!full)
    err = PT_ERROR(PT_ERR_INPUT, "%s%scannot compose a path of at most %zu characters", w, sep,
                   most);
  else if (n <= 2 * END)
    err = PT_ERROR(PT_ERR_INPUT, "%s%spath too long (%d characters, at most %zu): %s", w, sep, n,
                   most, full);
  else
    err = PT_ERROR(PT_ERR_INPUT, "%s%spath too long (%d characters, at most %zu): %.*s...%s", w,
                   sep, n, most, END, full, full + n - END);
  free(full);
  return err;
}

int pt_io_step_path(const char *path, int64_t step, char *out, size_t len) {
  const char *t = strstr(path, "%T");
  if (!t) return pt_io_path(out, len, NULL, "%s", path);
  return pt_io_path(out, len, NULL, "%.*s%" PRId64 "%s", (int)(t - path), path, step, t + 2);
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
    memcpy(&bits, p + sizeof bits * (size_t)i, sizeof bits);
    sum += mix64(bits ^ mix64((uint64_t)(first + i)));
  }
  return sum;
}

/* ---- reading ------------------------------------------------------------------------- */

/* Opens `path` for reading, checks it is openPMD 1.x and opens /data/<step> (step -1:
 * the last). Collective and agreed. */
static int open_step(MPI_Comm comm, const char *path, int64_t step, hid_t *file, hid_t *grp,
                     int64_t *step_out) {
  *grp = -1;
  PT_TRY(pt_h5_open(comm, path, PT_H5_READ, file));
  char version[32];
  pt_h5_steplist l = {0};
  int err = PT_OK;
  if (pt_h5_read_str(*file, "openPMD", version, sizeof version) != 0)
    err = PT_ERROR(PT_ERR_INPUT, "%s: not an openPMD file (no openPMD attribute)", path);
  else if (strncmp(version, "1.", 2) != 0)
    err = PT_ERROR(PT_ERR_INPUT, "%s: openPMD version %s is not supported (1.x is)", path, version);
  else if (pt_h5_list_steps(*file, &l) != 0)
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
  if (H5Aexists(dset, PT_H5_CHECKSUM_ATTR) <= 0) return PT_OK;
  if (pt_h5_read_u64(dset, PT_H5_CHECKSUM_ATTR, &stored) != 0)
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
  int err =
      pt_h5_valid_name(name) ? PT_OK : PT_ERROR(PT_ERR_INPUT, "%s: bad mesh record name", path);
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
    ms = pt_h5_field_memspace(f);
    fs = pt_h5_field_filespace(dset, f);
    dxpl = pt_h5_collective_dxpl();
    if (ms < 0 || fs < 0 || dxpl < 0)
      err = PT_ERROR(PT_ERR_IO, "%s: cannot set up reading %s", path, what);
  }
  /* The read and the checksum's sum are collective: a rank that cannot take part in
   * either says so first. */
  err = pt_agree(comm, err);
  if (!err && H5Dread(dset, H5T_NATIVE_DOUBLE, ms, fs, dxpl, f->base) < 0)
    err = PT_ERROR(PT_ERR_IO, "%s: reading %s failed", path, what);
  err = pt_agree(comm, err);
  uint64_t sum;
  if (!err) err = pt_h5_field_checksum(f, &sum);
  if (!err) err = verify_checksum(path, what, dset, sum);
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

void pt_io_particles_free(pt_io_particles *p) {
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
  PT_TRY(err);
  if (*total < 0) {
    /* Caller learns the size from the first column; the block is decided afterwards. */
    *total = (int64_t)dim;
    H5Dclose(d);
    return PT_OK;
  }
  hsize_t start = (hsize_t)off, count = (hsize_t)n;
  void *buf = malloc((size_t)(n ? n : 1) * sizeof(uint64_t));  /* ids or doubles */
  hid_t fs = H5Dget_space(d), ms = H5Screate_simple(1, &count, NULL);
  hid_t dxpl = pt_h5_collective_dxpl();
  herr_t r = buf && fs >= 0 && ms >= 0 && dxpl >= 0 ? 0 : -1;
  if (r >= 0) r = n == 0 ? (H5Sselect_none(fs) < 0 || H5Sselect_none(ms) < 0 ? -1 : 0)
                         : H5Sselect_hyperslab(fs, H5S_SELECT_SET, &start, NULL, &count, NULL);
  /* The read is collective: a rank that cannot take part says so first. */
  if (pt_agree(comm,
               r < 0 ? PT_ERROR(PT_ERR_IO, "%s: cannot set up reading %s", path, what) : PT_OK))
    r = -1;
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
  /* A rank whose part failed must not leave the others alone in the next collective. */
  err = pt_agree(comm, err);
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
static int check_patches(MPI_Comm comm, const char *path, hid_t sp, const char *what,
                         int64_t total) {
  int rank, size;
  PT_MPI(MPI_Comm_rank(comm, &rank));
  PT_MPI(MPI_Comm_size(comm, &size));
  if (!pt_h5_exists(sp, "particlePatches")) return PT_OK;
  hid_t g = H5Gopen2(sp, "particlePatches", H5P_DEFAULT);
  if (g < 0)
    return pt_agree(comm, PT_ERROR(PT_ERR_INPUT, "%s: cannot open %s/particlePatches", path, what));
  char nwhat[320], fwhat[320];
  snprintf(nwhat, sizeof nwhat, "%s/particlePatches/numParticles", what);
  snprintf(fwhat, sizeof fwhat, "%s/particlePatches/numParticlesOffset", what);
  int64_t npatch = -1, k0 = 0, cnt = 0;
  uint64_t *num = NULL, *first = NULL, local = 0, before = 0, sum = 0;
  void *none;
  int err = read_column(comm, path, g, "numParticles", nwhat, H5T_INTEGER, H5T_NATIVE_UINT64,
                        &npatch, 0, 0, &none);
  if (!err) {
    int64_t b = npatch / size, r = npatch % size;
    cnt = b + (rank < r);
    k0 = rank * b + (rank < r ? rank : r);
    err = read_column(comm, path, g, "numParticles", nwhat, H5T_INTEGER, H5T_NATIVE_UINT64, &npatch,
                      k0, cnt, (void **)&num);
  }
  if (!err)
    err = read_column(comm, path, g, "numParticlesOffset", fwhat, H5T_INTEGER, H5T_NATIVE_UINT64,
                      &npatch, k0, cnt, (void **)&first);
  for (int64_t k = 0; !err && k < cnt; ++k) local += num[k];
  if (!err) err = PT_MPI_CHECK(MPI_Exscan(&local, &before, 1, MPI_UINT64_T, MPI_SUM, comm));
  if (!err) err = PT_MPI_CHECK(MPI_Allreduce(&local, &sum, 1, MPI_UINT64_T, MPI_SUM, comm));
  if (rank == 0) before = 0;  /* MPI_Exscan leaves rank 0's result undefined */
  for (int64_t k = 0; !err && k < cnt; ++k) {
    if (first[k] != before)
      err = PT_ERROR(PT_ERR_INPUT,
                     "%s: %s/particlePatches: patch %" PRId64 " starts at %" PRIu64
                     ", expected %" PRIu64 " (patches must be contiguous)",
                     path, what, k0 + k, first[k], before);
    before += num[k];
  }
  if (!err && sum != (uint64_t)total)
    err = PT_ERROR(PT_ERR_INPUT,
                   "%s: %s/particlePatches hold %" PRIu64 " particles, the species %" PRId64, path,
                   what, sum, total);
  free(num);
  free(first);
  H5Gclose(g);
  return pt_agree(comm, err);
}

int pt_io_read_particles(MPI_Comm comm, const char *path, int64_t step,
                         const char *species, int nrec, const char *const *names,
                         pt_io_particles *p) {
  pt_h5_quiet();
  memset(p, 0, sizeof *p);
  if (nrec < 0 || nrec > PT_IO_MAXREC)
    return PT_ERROR(PT_ERR_INPUT, "pt_io_read_particles: %d records asked for", nrec);
  int rank, size;
  PT_MPI(MPI_Comm_rank(comm, &rank));
  PT_MPI(MPI_Comm_size(comm, &size));
  hid_t file, grp, sp = -1;
  int64_t st;
  PT_TRY(open_step(comm, path, step, &file, &grp, &st));
  char what[256], buf[PT_IO_NAMELEN + 16];
  int err =
      pt_h5_valid_name(species) ? PT_OK : PT_ERROR(PT_ERR_INPUT, "%s: bad species name", path);
  if (!err) {
    snprintf(buf, sizeof buf, "particles/%s", species);
    if (!pt_h5_exists(grp, buf))
      err = PT_ERROR(PT_ERR_INPUT, "%s: no particle species %s at step %" PRId64, path, species,
                     st);
    else if ((sp = H5Gopen2(grp, buf, H5P_DEFAULT)) < 0)
      err = PT_ERROR(PT_ERR_INPUT, "%s: cannot open species %s", path, species);
  }
  int64_t total = -1, first = 0, count = 0;
  snprintf(what, sizeof what, "/data/%" PRId64 "/particles/%s/id", st, species ? species : "");
  void *none;
  if (!err)
    err = read_column(comm, path, sp, "id", what, H5T_INTEGER, H5T_NATIVE_UINT64, &total, 0, 0,
                      &none);
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
    if (!pt_h5_valid_name(names[r]) || !pt_h5_exists(sp, names[r]) ||
        H5Oget_info_by_name(sp, names[r], &info, H5P_DEFAULT) < 0) {
      err = PT_ERROR(PT_ERR_INPUT, "%s: no particle record %s", path, what);
      break;
    }
    snprintf(p->rec[r].name, PT_IO_NAMELEN, "%s", names[r]);
    p->nrec = r + 1;
    int vector = info.type == H5O_TYPE_GROUP;
    hid_t g = vector ? H5Gopen2(sp, names[r], H5P_DEFAULT) : sp;
    for (int c = 0; !err && c < 3; ++c) {
      const char *cname = vector ? pt_h5_axis_names[c] : names[r];
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
  if (err) pt_io_particles_free(p);
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
