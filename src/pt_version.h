/** @file
 * pt_version: what a run was built from and with, for `--version` and the run report:
 * Partita's version and git revision, the configure options, and the MPI, HDF5 and CUDA
 * versions found (plus what an app adds, such as PETSc's). */
#ifndef PT_VERSION_H
#define PT_VERSION_H

#include <mpi.h>
#include <stdio.h>

#include "pt_report.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Adds a line about a library the app links (such as "PETSc 3.18.5") to what `--version` and
 * the report show; up to 4 lines, kept by pointer. Not collective. */
void pt_version_add(const char *line);

/** Prints "PROG (Partita VERSION)" and one line each for the git revision, configure
 * options, MPI (library and standard version), HDF5, CUDA and the app's lines. Works
 * before MPI_Init too (then without the MPI library string). Not collective. */
void pt_version_print(FILE *out, const char *prog);

/** Adds the same facts to `r` (section "build"), and the command line and the sorted,
 * distinct host names of the ranks of `comm` (section "run"). Errors: PT_ERR_NOMEM,
 * PT_ERR_MPI. Collective over comm. */
int pt_version_report(pt_report *r, MPI_Comm comm, int argc, char **argv);

#ifdef __cplusplus
}
#endif
#endif
