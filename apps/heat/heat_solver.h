/* heat_solver: the state of a partita-heat run and its time step, on the back-end
 * (heat_backend.h) that the scheme and run.backend select. */
#ifndef HEAT_SOLVER_H
#define HEAT_SOLVER_H

#include <mpi.h>

#include "heat_backend.h"

typedef struct heat_solver {
  heat_state st;       /* fields, step and timers, as the back-end sees them */
  pt_decomp *decomp;   /* owned; st.decomp */
  double time;
  const heat_backend *backend;
  void *impl;          /* the back-end's own state */
} heat_solver;

typedef struct heat_diag {
  double total;  /* integral of T over the box */
  double min, max;
  double l2;     /* sqrt(integral of T^2) */
} heat_diag;

/* Decomposes the grid, allocates two fields with one ghost layer, selects the rank's
 * device (pt_device_select: one GPU per rank; the implicit schemes run on the CPU) and
 * sets up the back-end that serves the scheme there. Errors (agreed): PT_ERR_INPUT (grid
 * too small for the rank count, backend cuda without a device, a halo back-end the MPI
 * or the device cannot serve...), PT_ERR_MPI, PT_ERR_NOMEM, PT_ERR_RUNTIME (a CUDA or
 * PETSc call failed). Collective over `comm`. */
int heat_solver_create(MPI_Comm comm, const heat_params *p, pt_timers *timers,
                       heat_solver **s);
/* Frees the back-end, fields and decomposition and sets *s to NULL (no-op on NULL).
 * Collective. */
void heat_solver_destroy(heat_solver **s);

/* Sets the analytic initial condition (every type but "file"). Not collective. */
void heat_solver_init(heat_solver *s);

/* Advances n >= 1 steps of the configured scheme, in blocks of st.time_block steps per
 * exchange where the back-end has them. On a device a failed device call is an internal
 * fault: the rank prints it and aborts the job. Collective. */
int heat_solver_advance(heat_solver *s, int64_t n);

/* Advances one step of the configured scheme. On a device a failed device call is an
 * internal fault: the rank prints it and aborts the job. Collective. */
int heat_solver_step(heat_solver *s);

/* The current temperature field on the host. On a device it is copied back first when
 * the device's is newer (a failed copy aborts the job, as in a step); writes to it reach
 * the device only before the first step (initial condition, restart). Not collective. */
pt_field *heat_solver_field(heat_solver *s);

/* Reproducible diagnostics of the current field (same bits on any rank count).
 * Collective. */
int heat_solver_diagnostics(heat_solver *s, heat_diag *d);

#endif
