/* heat_backend: the ways partita-heat advances a step, each behind the same operations:
 * explicit on the CPU (heat_explicit.c), explicit on a CUDA device (heat_device.c) or an
 * OpenCL device (heat_opencl.c),
 * implicit through PETSc (heat_implicit.c). heat_solver chooses one when it is created,
 * from the scheme and the device pt_device_select gave the rank; a new back-end is a new
 * file defining one heat_backend and its entry in heat_solver.c's table. */
#ifndef HEAT_BACKEND_H
#define HEAT_BACKEND_H

#include "heat_params.h"
#include "pt_device.h"
#include "pt_field.h"
#include "pt_timer.h"

/* What a back-end works on: the grid, both fields (u[cur] is the current temperature
 * on the host, unless the back-end keeps a newer copy of its own), the step and the
 * timers of the run. */
typedef struct heat_state {
  const heat_params *p;
  const pt_decomp *decomp;
  pt_field *u[2];
  int cur;
  int64_t step;        /* steps taken */
  double c[PT_MAXDIM]; /* alpha dt / h^2 per axis */
  double q;            /* dt source: the source term's share of a step */
  pt_device_info device;
  int time_block;      /* steps per exchange: run.time_block, auto resolved */
  pt_timers *timers;   /* borrowed */
  int t_compute, t_halo;
} heat_state;

typedef struct heat_backend {
  const char *name;
  /* 1 if the back-end runs the scheme of `p` on the rank's back-end `dev`. */
  int (*serves)(const heat_params *p, const pt_device_info *dev);
  /* Sets up what the steps need (halos, a device copy, a linear solver). Errors are
   * those of the back-end's resources, agreed. Collective over st->decomp->cart. */
  int (*create)(heat_state *st, void **impl);
  /* Frees the set-up and sets *impl to NULL (no-op on NULL). Collective. */
  void (*destroy)(void **impl);
  /* One step: u[cur] -> u[1 - cur] (the caller flips cur), or NULL with `advance`.
   * Collective. */
  int (*step)(void *impl, heat_state *st);
  /* Brings the host's u[cur] up to date; NULL if the host field is always current.
   * Host writes to the fields reach a device only before the first step. */
  void (*to_host)(void *impl, heat_state *st);
  /* n >= 1 steps: u[cur] -> u[(cur + n) % 2] (the caller moves cur and the step), for a
   * back-end that does several steps faster together; NULL: `step` n times. Collective. */
  int (*advance)(void *impl, heat_state *st, int64_t n);
} heat_backend;

extern const heat_backend heat_backend_explicit;
extern const heat_backend heat_backend_device;   /* CUDA builds */
extern const heat_backend heat_backend_implicit; /* PETSc builds */
extern const heat_backend heat_backend_opencl;   /* OpenCL builds */

#endif
