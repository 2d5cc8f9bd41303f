#include "pt_checkpoint.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pt_error.h"
#include "pt_h5.h"

#define FORMAT "partita-checkpoint 1"

/* A scalar is stored as the attribute "scalar_NAME". */
#define SCALAR_PREFIX "scalar_"
enum { SCALAR_NAME_MAX = 100 };

int pt_checkpoint_path(const char *dir, const char *app, int generation, char *out, size_t len) {
  const char *d = dir && *dir ? dir : ".";
  if (generation) return pt_io_path(out, len, NULL, "%s/%s-checkpoint.h5.%d", d, app, generation);
  return pt_io_path(out, len, NULL, "%s/%s-checkpoint.h5", d, app);
}

/* The test hook: which fault to inject, if any. */
static int fault_is(const char *what) {
  const char *f = getenv("PT_CHECKPOINT_FAULT");
  return f && !strcmp(f, what);
}

/* A crash, as far as the files can tell: no cleanup, no MPI_Finalize. */
static void crash_if(MPI_Comm comm, const char *what) {
  if (!fault_is(what)) return;
  /* Unchecked: the process exits next, whatever the barrier says. */
  MPI_Barrier(comm);
  fprintf(stderr, "pt_checkpoint: PT_CHECKPOINT_FAULT=%s: exiting\n", what);
  _exit(PT_EXIT_RUNTIME);
}

static int fsync_path(const char *path) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) return -1;
  int rc = fsync(fd);
  close(fd);
  return rc;
}

/* /checkpoint: what a restart needs besides the records. */
static herr_t write_meta(hid_t file, const pt_checkpoint *ck) {
  hid_t g = H5Gcreate2(file, "/checkpoint", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (g < 0) return -1;
  herr_t r = 0;
  if (pt_h5_attr_str(g, "format", FORMAT) < 0 || pt_h5_attr_str(g, "app", ck->app) < 0 ||
      pt_h5_attr_i64(g, "step", ck->step) < 0 || pt_h5_attr_double(g, "time", ck->time) < 0 ||
      pt_h5_attr_double(g, "dt", ck->dt) < 0 ||
      pt_h5_attr_str(g, "inputDeck", ck->deck ? ck->deck : "") < 0 ||
      (ck->nfields > 0 && pt_h5_attr_strs(g, "fields", ck->nfields, ck->field_names) < 0) ||
      (ck->species && pt_h5_attr_str(g, "species", ck->species) < 0))
    r = -1;
  for (int i = 0; r >= 0 && i < ck->nscalars; ++i) {
    char name[sizeof SCALAR_PREFIX + SCALAR_NAME_MAX];
    snprintf(name, sizeof name, SCALAR_PREFIX "%s", ck->scalar_names[i]);
    r = pt_h5_attr_double(g, name, ck->scalars[i]);
  }
  return H5Gclose(g) < 0 ? -1 : r;
}

/* Everything into the temp file, which is then closed and on disk. Collective. */
static int write_temp(MPI_Comm comm, const char *tmp, const pt_checkpoint *ck) {
  pt_series_info info = {0};
  info.software = ck->app;
  info.deck = ck->deck;
  info.checksum = 1;
  info.no_xdmf = 1;
  pt_series *s;
  PT_TRY(pt_series_open(comm, tmp, &info, &s));
  int err = PT_OK;
  for (int i = 0; !err && i < ck->nfields; ++i)
    err = pt_series_write_mesh(s, ck->step, ck->time, ck->dt, ck->field_names[i], ck->fields[i],
                               NULL);
  if (!err && ck->species)
    err = pt_series_write_particles(s, ck->step, ck->time, ck->dt, ck->species, ck->np, ck->id,
                                    ck->nrec, ck->recs);
  pt_series_close(&s);
  PT_TRY(err);
  hid_t file;
  PT_TRY(pt_h5_open(comm, tmp, PT_H5_WRITE, &file));
  /* The metadata group goes last: a file that has it has everything. */
  if (write_meta(file, ck) < 0) err = PT_ERROR(PT_ERR_IO, "%s: cannot write /checkpoint", tmp);
  if (H5Fclose(file) < 0 && !err) err = PT_ERROR(PT_ERR_IO, "%s: cannot close", tmp);
  return pt_agree(comm, err);
}

int pt_checkpoint_write(MPI_Comm comm, const char *dir, pt_checkpoint *ck) {
  pt_h5_quiet();
  if (!ck->app || !*ck->app) return PT_ERROR(PT_ERR_INPUT, "pt_checkpoint_write: no app name");
  for (int i = 0; i < ck->nscalars; ++i)
    if (!ck->scalar_names[i] || strlen(ck->scalar_names[i]) > SCALAR_NAME_MAX)
      return PT_ERROR(PT_ERR_INPUT, "pt_checkpoint_write: bad scalar name");
  /* Every rank composes the same paths: a path too long fails on all of them. */
  char now[PT_PATH_MAX], prev[PT_PATH_MAX], tmp[PT_PATH_MAX];
  PT_TRY(pt_checkpoint_path(dir, ck->app, 0, now, sizeof now));
  PT_TRY(pt_checkpoint_path(dir, ck->app, 1, prev, sizeof prev));
  PT_TRY(pt_io_path(tmp, sizeof tmp, NULL, "%s.tmp", now));
  int rank, err = write_temp(comm, tmp, ck);
  PT_MPI(MPI_Comm_rank(comm, &rank));
  /* A failed write leaves the two generations as they were and no temp file behind. */
  if (err) {
    if (rank == 0) unlink(tmp);
    return err;
  }
  if (rank == 0 && fsync_path(tmp) != 0)
    err = PT_ERROR(PT_ERR_IO, "%s: fsync failed: %s", tmp, strerror(errno));
  PT_TRY(pt_agree(comm, err));
  crash_if(comm, "before-rename");
  if (fault_is("pause")) {
    /* Signals may cut a sleep short; wait out the full time. */
    struct timespec left = {2, 0};
    while (nanosleep(&left, &left) != 0 && errno == EINTR) {
    }
  }
  if (rank == 0) {
    if (access(now, F_OK) == 0 && rename(now, prev) != 0)
      err = PT_ERROR(PT_ERR_IO, "cannot rename %s to %s: %s", now, prev, strerror(errno));
    if (!err) {
      crash_if(MPI_COMM_SELF, "after-rotate");
      if (rename(tmp, now) != 0)
        err = PT_ERROR(PT_ERR_IO, "cannot rename %s to %s: %s", tmp, now, strerror(errno));
    }
    /* The renames themselves must reach the disk before we report success. */
    const char *d = dir && *dir ? dir : ".";
    if (!err && fsync_path(d) != 0)
      err = PT_ERROR(PT_ERR_IO, "%s: fsync of the directory failed: %s", d, strerror(errno));
  }
  if (fault_is("after-rotate")) PT_MPI(MPI_Barrier(comm));
  err = pt_agree(comm, err);
  if (!err) memcpy(ck->path, now, sizeof now);
  return err;
}

void pt_checkpoint_release(pt_checkpoint *ck) {
  free(ck->deck_read);
  ck->deck_read = NULL;
  pt_io_particles_free(&ck->particles);
}

/* Reads /checkpoint and checks it belongs to ck->app. Collective and agreed. */
static int read_meta(MPI_Comm comm, const char *path, pt_checkpoint *ck) {
  hid_t file;
  PT_TRY(pt_h5_open(comm, path, PT_H5_READ, &file));
  int err = PT_OK;
  char format[64], app[256];
  hid_t g = pt_h5_exists(file, "/checkpoint") ? H5Gopen2(file, "/checkpoint", H5P_DEFAULT) : -1;
  if (g < 0 || pt_h5_read_str(g, "format", format, sizeof format) != 0 ||
      strcmp(format, FORMAT) != 0 || pt_h5_read_str(g, "app", app, sizeof app) != 0) {
    err = PT_ERROR(PT_ERR_INPUT, "%s: not a Partita checkpoint (no complete /checkpoint group)",
                   path);
  } else if (strcmp(app, ck->app) != 0) {
    err = PT_ERROR(PT_ERR_INPUT, "%s: a checkpoint of %s, not of %s", path, app, ck->app);
  } else if (pt_h5_read_i64(g, "step", &ck->step) != 0 ||
             pt_h5_read_doubles(g, "time", 1, &ck->time) != 0 ||
             pt_h5_read_doubles(g, "dt", 1, &ck->dt) != 0) {
    err = PT_ERROR(PT_ERR_INPUT, "%s: /checkpoint lacks step, time or dt", path);
  }
  for (int i = 0; !err && i < ck->nscalars; ++i) {
    char name[sizeof SCALAR_PREFIX + SCALAR_NAME_MAX];
    snprintf(name, sizeof name, SCALAR_PREFIX "%s", ck->scalar_names[i]);
    if (pt_h5_read_doubles(g, name, 1, &ck->scalars[i]) != 0)
      err = PT_ERROR(PT_ERR_INPUT, "%s: no scalar %s in the checkpoint", path, ck->scalar_names[i]);
  }
  free(ck->deck_read);
  ck->deck_read = NULL;
  if (!err) pt_h5_read_str_alloc(g, "inputDeck", &ck->deck_read);
  if (g >= 0) H5Gclose(g);
  H5Fclose(file);
  return pt_agree(comm, err);
}

/* "32 x 32" */
/* A readable checkpoint whose grid differs from the deck's is the deck's doing (a changed
 * grid.nx), not damage: *mismatch is set and the error names both shapes, so that
 * "latest" does not fall back to an older generation that differs the same way.
 * Collective (every rank reads the same metadata). */
static int check_shapes(MPI_Comm comm, const char *path, const pt_checkpoint *ck, int *mismatch) {
  *mismatch = 0;
  hid_t file;
  PT_TRY(pt_h5_open(comm, path, PT_H5_READ, &file));
  int err = PT_OK;
  for (int i = 0; i < ck->nfields && !err && !*mismatch; ++i) {
    const pt_field *f = ck->fields[i];
    char name[512];
    snprintf(name, sizeof name, "/data/%lld/meshes/%s", (long long)ck->step, ck->field_names[i]);
    if (!pt_h5_exists(file, name)) continue;  /* read_mesh reports it */
    hid_t d = H5Dopen2(file, name, H5P_DEFAULT), sp = d >= 0 ? H5Dget_space(d) : -1;
    hsize_t dims[PT_MAXDIM] = {0, 0, 0};
    int nd = sp >= 0 ? H5Sget_simple_extent_ndims(sp) : -1;
    if (nd >= 1 && nd <= PT_MAXDIM) H5Sget_simple_extent_dims(sp, dims, NULL);
    int64_t have[PT_MAXDIM] = {0, 0, 0};
    int same = nd == f->ndim;
    for (int a = 0; a < nd && a < PT_MAXDIM; ++a) {
      have[a] = (int64_t)dims[a];
      same &= a < f->ndim && have[a] == f->decomp->gsize[a];
    }
    if (nd >= 1 && nd <= PT_MAXDIM && !same) {
      char h[96], w[96];
      pt_decomp_shape(h, sizeof h, nd, have);
      pt_decomp_shape(w, sizeof w, f->ndim, f->decomp->gsize);
      *mismatch = 1;
      err = PT_ERROR(PT_ERR_INPUT,
                     "%s: the checkpoint's grid is %s (%dD), the deck's is %s (%dD): restart "
                     "with the grid it was written with, or start afresh",
                     path, h, nd, w, f->ndim);
    }
    if (sp >= 0) H5Sclose(sp);
    if (d >= 0) H5Dclose(d);
  }
  H5Fclose(file);
  return pt_agree(comm, err);
}

static int read_one(MPI_Comm comm, const char *path, pt_checkpoint *ck, int *mismatch) {
  *mismatch = 0;
  PT_TRY(read_meta(comm, path, ck));
  PT_TRY(check_shapes(comm, path, ck, mismatch));
  for (int i = 0; i < ck->nfields; ++i)
    PT_TRY(pt_io_read_mesh(path, ck->step, ck->field_names[i], ck->fields[i], NULL, NULL));
  if (ck->species) {
    const char *names[PT_IO_MAXREC];
    int n = ck->nrec < PT_IO_MAXREC ? ck->nrec : PT_IO_MAXREC;
    for (int r = 0; r < n; ++r) names[r] = ck->recs[r].name;
    pt_io_particles_free(&ck->particles);
    PT_TRY(pt_io_read_particles(comm, path, ck->step, ck->species, n, names, &ck->particles));
  }
  return pt_io_path(ck->path, sizeof ck->path, NULL, "%s", path);
}

int pt_checkpoint_read(MPI_Comm comm, const char *which, const char *dir, pt_checkpoint *ck) {
  pt_h5_quiet();
  if (!ck->app || !*ck->app) return PT_ERROR(PT_ERR_INPUT, "pt_checkpoint_read: no app name");
  int mismatch = 0;
  if (strcmp(which, "latest") != 0) return read_one(comm, which, ck, &mismatch);

  char gen[2][PT_PATH_MAX];
  int exists[2] = {0, 0}, rank;
  PT_MPI(MPI_Comm_rank(comm, &rank));
  for (int g = 0; g < 2; ++g) {
    PT_TRY(pt_checkpoint_path(dir, ck->app, g, gen[g], sizeof gen[g]));
    if (rank == 0) exists[g] = access(gen[g], F_OK) == 0;
  }
  PT_MPI(MPI_Bcast(exists, 2, MPI_INT, 0, comm));
  if (!exists[0] && !exists[1])
    return PT_ERROR(PT_ERR_INPUT, "%s: no checkpoint of %s to restart from",
                    dir && *dir ? dir : ".", ck->app);
  int err = exists[0] ? read_one(comm, gen[0], ck, &mismatch) : PT_ERR_INPUT;
  if (err && exists[1] && !mismatch) {
    char why[1024];
    snprintf(why, sizeof why, "%s", pt_error_message());
    if (rank == 0) fprintf(stderr, "warning: %s%s; restarting from %s\n", exists[0] ? "" : gen[0],
                           exists[0] ? why : ": missing", gen[1]);
    int err1 = read_one(comm, gen[1], ck, &mismatch);
    /* Both bad: the newest one's problem is the one to report. */
    if (err1 && exists[0]) pt_error_set(err, NULL, 0, "%s", why);
    err = err1 ? err : PT_OK;
  }
  return err;
}
