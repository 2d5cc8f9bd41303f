/* cb_halo: ghost exchange of a distributed 2D and 3D field (one ghost layer, periodic on
 * every axis, so every rank has a neighbour on every face) through each pt_halo
 * back-end: time per exchange and the bytes each rank sends. */
#ifndef CB_HALO_H
#define CB_HALO_H

#include <cjson/cJSON.h>
#include <mpi.h>

#include "cb_params.h"

/* Runs the selected back-ends on grids of halo_n2d^2 and halo_n3d^3 cells and appends
 * the tables halo_2d and halo_3d to `benchmarks` (rank 0). A back-end this MPI cannot
 * serve is noted and skipped. Works on any rank count. Errors: PT_ERR_INPUT (a grid too
 * small for the rank count), PT_ERR_MPI, PT_ERR_NOMEM (agreed). Collective over `comm`. */
int cb_halo_run(const cb_params *p, MPI_Comm comm, cJSON *benchmarks);

#endif
