/* heat_implicit: backward Euler and Crank-Nicolson through PETSc's KSP. The DMDA is laid
 * out on Partita's own decomposition (same process grid, same blocks), so moving data
 * between a pt_field and a PETSc Vec is a local copy, never a redistribution. */
#ifndef HEAT_IMPLICIT_H
#define HEAT_IMPLICIT_H

#include "heat_solver.h"

#ifdef PT_HAVE_PETSC
/* Assembles (I - theta dt alpha L) and the KSP (options from the PETSc database, so
 * -ksp_type/-pc_type/-ksp_monitor work). PETSc must be initialised. Errors:
 * PT_ERR_RUNTIME with PETSc's message. Collective over the decomposition. */
int heat_implicit_create(heat_solver *s, heat_implicit **im);
void heat_implicit_destroy(heat_implicit **im);
/* Solves one step: u[cur] -> u[1 - cur]. Errors: PT_ERR_RUNTIME if the KSP diverges.
 * Collective. */
int heat_implicit_step(heat_implicit *im, heat_solver *s);
/* Iterations of the last solve. */
int heat_implicit_iterations(const heat_implicit *im);
#endif

#endif
