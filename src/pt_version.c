#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "pt_version.h"

#include <hdf5.h>
#include <stdlib.h>
#include <string.h>

#include "pt_device.h"
#include "pt_opencl.h"
#include "pt_error.h"

#ifndef PT_GIT_REVISION
#define PT_GIT_REVISION "unknown"
#endif
#ifndef PT_CONFIGURE_ARGS
#define PT_CONFIGURE_ARGS ""
#endif

enum { MAX_EXTRA = 4 };
static const char *extra[MAX_EXTRA];
static int nextra;

void pt_version_add(const char *line) {
  if (nextra < MAX_EXTRA) extra[nextra++] = line;
}

/* The MPI library's own version line ("Open MPI v4.1.4, ..."), or "" before MPI_Init. */
static void mpi_library(char *buf, size_t len) {
  int init = 0, n = 0;
  char v[MPI_MAX_LIBRARY_VERSION_STRING];
  buf[0] = '\0';
  if (MPI_Initialized(&init) != MPI_SUCCESS || !init ||
      MPI_Get_library_version(v, &n) != MPI_SUCCESS)
    return;
  v[strcspn(v, "\n")] = '\0';
  snprintf(buf, len, "%s", v);
}

/* The MPI standard the library implements ("3.1"): version text says "unknown" rather
 * than fail. */
static void mpi_standard(char *buf, size_t len) {
  int major, minor;
  if (MPI_Get_version(&major, &minor) == MPI_SUCCESS)
    snprintf(buf, len, "%d.%d", major, minor);
  else
    snprintf(buf, len, "unknown");
}

static void hdf5_version(char *buf, size_t len) {
  unsigned maj = 0, min = 0, rel = 0;
  H5get_libversion(&maj, &min, &rel);
  snprintf(buf, len, "HDF5 %u.%u.%u (parallel)", maj, min, rel);
}

void pt_version_print(FILE *out, const char *prog) {
  char mpi[MPI_MAX_LIBRARY_VERSION_STRING], h5[64], std[32];
  mpi_standard(std, sizeof std);
  mpi_library(mpi, sizeof mpi);
  hdf5_version(h5, sizeof h5);
  fprintf(out, "%s (Partita %s)\n", prog, PACKAGE_VERSION);
  fprintf(out, "  git revision: %s\n", PT_GIT_REVISION);
  fprintf(out, "  configured with: %s\n", PT_CONFIGURE_ARGS[0] ? PT_CONFIGURE_ARGS : "(defaults)");
  fprintf(out, "  MPI %s%s%s\n", std, mpi[0] ? ": " : "", mpi);
  fprintf(out, "  %s\n  %s\n  %s\n", h5, pt_device_cuda_version(), pt_opencl_version());
  for (int i = 0; i < nextra; ++i) fprintf(out, "  %s\n", extra[i]);
  fflush(out);
}

static int cmp_str(const void *a, const void *b) {
  return strcmp((const char *)a, (const char *)b);
}

/* Every rank's host name, gathered on all ranks, sorted; the distinct ones joined by
 * ", " into *out (caller frees). */
static int host_list(MPI_Comm comm, char **out) {
  int size;
  PT_MPI(MPI_Comm_size(comm, &size));
  char me[MPI_MAX_PROCESSOR_NAME] = "";
  int len = 0;
  PT_MPI(MPI_Get_processor_name(me, &len));
  char *all = calloc((size_t)size, MPI_MAX_PROCESSOR_NAME);
  char *joined = calloc((size_t)size, MPI_MAX_PROCESSOR_NAME + 2);
  int err = all && joined ? PT_OK : PT_ERROR(PT_ERR_NOMEM, "out of memory for the host list");
  /* MPI_Allgather is collective: a rank without memory says so first. */
  err = pt_agree(comm, err);
  if (!err)
    err = PT_MPI_CHECK(MPI_Allgather(me, MPI_MAX_PROCESSOR_NAME, MPI_CHAR, all,
                                     MPI_MAX_PROCESSOR_NAME, MPI_CHAR, comm));
  if (!err) {
    qsort(all, (size_t)size, MPI_MAX_PROCESSOR_NAME, cmp_str);
    size_t off = 0;
    for (int i = 0; i < size; ++i) {
      const char *h = all + (size_t)i * MPI_MAX_PROCESSOR_NAME;
      if (i > 0 && strcmp(h, h - MPI_MAX_PROCESSOR_NAME) == 0) continue;
      off += (size_t)sprintf(joined + off, "%s%s", off ? ", " : "", h);
    }
  }
  free(all);
  if (err) free(joined);
  else *out = joined;
  return err;
}

int pt_version_report(pt_report *r, MPI_Comm comm, int argc, char **argv) {
  char mpi[MPI_MAX_LIBRARY_VERSION_STRING], h5[64], std[32];
  mpi_standard(std, sizeof std);
  mpi_library(mpi, sizeof mpi);
  hdf5_version(h5, sizeof h5);
  int err = pt_report_add_string(r, "build", "version", PACKAGE_VERSION);
  if (!err) err = pt_report_add_string(r, "build", "git_revision", PT_GIT_REVISION);
  if (!err) err = pt_report_add_string(r, "build", "configure_args", PT_CONFIGURE_ARGS);
  if (!err) err = pt_report_add_string(r, "build", "mpi_standard", std);
  if (!err) err = pt_report_add_string(r, "build", "mpi_library", mpi);
  if (!err) err = pt_report_add_string(r, "build", "hdf5", h5);
  if (!err) err = pt_report_add_string(r, "build", "cuda", pt_device_cuda_version());
  if (!err) err = pt_report_add_string(r, "build", "opencl", pt_opencl_version());
  for (int i = 0; i < nextra && !err; ++i) {
    char key[16];
    snprintf(key, sizeof key, "extra_%d", i);
    err = pt_report_add_string(r, "build", key, extra[i]);
  }
  size_t len = 1;
  for (int i = 0; i < argc; ++i) len += strlen(argv[i]) + 1;
  char *cmd = calloc(len, 1);
  if (!err && !cmd) err = PT_ERROR(PT_ERR_NOMEM, "out of memory for the command line");
  for (int i = 0; !err && i < argc; ++i) {
    if (i) strcat(cmd, " ");
    strcat(cmd, argv[i]);
  }
  if (!err) err = pt_report_add_string(r, "run", "command_line", cmd);
  free(cmd);
  char *hosts = NULL;
  /* Collective: every rank takes part even after a local error, then all agree. */
  int herr = host_list(comm, &hosts);
  if (!err) err = herr;
  if (!err) err = pt_report_add_string(r, "run", "hosts", hosts);
  free(hosts);
  return pt_agree(comm, err);
}
