/* heat_petsc: partita-heat's explicit step written the idiomatic PETSc way, for the
 * benchmark's comparison: a DMDA with a star stencil of width 1 and ghosted physical
 * boundaries, DMGlobalToLocal for the ghosts, DMDAVecGetArray for [k][j][i] access, the
 * same per-cell expression as heat_explicit_box and the same Dirichlet ghost rule. */
#ifndef HEAT_PETSC_H
#define HEAT_PETSC_H

#include <mpi.h>

#include "heat_params.h"
#include "pt_decomp.h"

typedef struct heat_petsc heat_petsc;

/* Creates the DMDA and vectors for the grid of `p` (Dirichlet faces only) and sets the
 * Gaussian initial condition of `p`. PETSc must be initialised. Errors: PT_ERR_INPUT (a
 * face that is not Dirichlet, an initial condition that is not Gaussian),
 * PT_ERR_RUNTIME (a PETSc error). Collective over `comm`. */
int heat_petsc_create(MPI_Comm comm, const heat_params *p, heat_petsc **h);
void heat_petsc_destroy(heat_petsc **h);

/* One forward-Euler step. Collective. */
int heat_petsc_step(heat_petsc *h);

/* Largest |difference| between the owned cells and `field` (a partita-heat field on
 * decomposition `d`), over all ranks, if every rank owns the same box in both; else
 * *same_boxes = 0 and *maxdiff is the relative difference of the global sums.
 * Collective. */
int heat_petsc_compare(heat_petsc *h, const pt_decomp *d, const double *field,
                       const int64_t stride[], int *same_boxes, double *maxdiff);

#endif
