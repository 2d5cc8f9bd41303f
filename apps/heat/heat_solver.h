/* heat_solver: the state and time step of partita-heat on a cell-centred grid.
 * Cell i of axis d sits at x = (i + 1/2) h_d. Dirichlet faces hold the value on the face
 * (ghost = 2 v - u), Neumann faces are insulated (ghost = u), periodic faces wrap. */
#ifndef HEAT_SOLVER_H
#define HEAT_SOLVER_H

#include <mpi.h>

#include "heat_params.h"
#include "pt_device.h"
#include "pt_field.h"
#include "pt_halo.h"
#include "pt_timer.h"

typedef struct heat_implicit heat_implicit;
typedef struct heat_cuda heat_cuda;

typedef struct heat_solver {
  const heat_params *p;
  pt_decomp *decomp;
  pt_field *u[2];      /* u[cur] is the current temperature */
  pt_halo *halo[2];
  int cur;
  int64_t step;
  double time;
  double c[PT_MAXDIM]; /* alpha dt / h^2 per axis */
  heat_implicit *implicit;
  pt_timers *timers;   /* borrowed; phases below are registered in it */
  int t_compute, t_halo;
  /* run.backend = cuda, or auto with a device: the explicit step runs on this rank's
   * GPU (heat_cuda), with both fields mirrored there; NULL on the CPU. */
  pt_device_info device;
  heat_cuda *gpu;
  MPI_Comm gpu_comm;                         /* the device faces' messages */
  MPI_Request gpu_req[4 * PT_MAXDIM];        /* persistent receives and sends */
  int gpu_nreq;
  int device_stale;                          /* the host fields are newer (before step 1) */
  int host_stale;                            /* the device's field is newer */
} heat_solver;

typedef struct heat_diag {
  double total;  /* integral of T over the box */
  double min, max;
  double l2;     /* sqrt(integral of T^2) */
} heat_diag;

/* Decomposes the grid, allocates two fields with one ghost layer and their halos, and
 * sets up the implicit solver if the scheme needs one, or the CUDA back-end if
 * run.backend selects it (pt_device_select: one GPU per rank). Errors: PT_ERR_INPUT
 * (grid too small for the rank count, backend cuda without a device...), PT_ERR_MPI,
 * PT_ERR_NOMEM, PT_ERR_RUNTIME (a CUDA call failed). Collective over `comm`. */
int heat_solver_create(MPI_Comm comm, const heat_params *p, pt_timers *timers,
                       heat_solver **s);
void heat_solver_destroy(heat_solver **s);

/* Sets the analytic initial condition (every type but "file"). Not collective. */
void heat_solver_init(heat_solver *s);

/* Advances one step of the configured scheme. On the CUDA back-end a failed CUDA call
 * is an internal fault: the rank prints it and aborts the job. Collective. */
int heat_solver_step(heat_solver *s);

/* The current temperature field on the host. On the CUDA back-end it is copied from
 * the device first when the device's is newer (a failed copy aborts the job, as in a
 * step); writes to it reach the device only before the first step (initial condition,
 * restart). Not collective. */
pt_field *heat_solver_field(heat_solver *s);

/* Reproducible diagnostics of the current field (same bits on any rank count).
 * Collective. */
int heat_solver_diagnostics(heat_solver *s, heat_diag *d);

/* Fills the ghosts on physical (non-periodic) boundaries of `f` from its owned cells
 * and the boundary conditions. Not collective. */
void heat_apply_bc(const heat_params *p, pt_field *f);

/* One explicit forward-Euler update of the cells in the box [lo, hi) (local indices):
 * out = in + sum_d c_d (in[-1] - 2 in + in[+1]) + q. Not collective. */
void heat_explicit_box(const pt_field *in, pt_field *out, const double c[], double q,
                       const int64_t lo[], const int64_t hi[]);

#endif
