/* nbody_backend: where partita-nbody computes, each place behind the same operations:
 * the host (nbody_cpu.c), a CUDA device (nbody_device.c) and an OpenCL device
 * (nbody_opencl.c). nbody_sim chooses one when
 * it is created, from the back-end pt_device_select gave the rank, and nothing else in
 * a step tests which one it is; a new back-end is a new file defining one nbody_backend
 * and its entry in nbody_sim.c's table. A back-end computes on the sim's host arrays
 * (s->p, s->acc, s->pot) or on a copy of its own in s->dev. The operations that return
 * nothing do not return on a failure: a device back-end aborts the job, since the other
 * ranks may already wait in MPI for this one (nbody_cuda_check). */
#ifndef NBODY_BACKEND_H
#define NBODY_BACKEND_H

#include "nbody_sim.h"
#include "pt_device.h"

typedef struct nbody_backend {
  pt_backend kind;  /* the pt_device_select choice it runs on */
  /* The four below are NULL on a back-end that computes on the host arrays. */
  /* Sets up s->dev for the sim's bodies. Errors: the back-end's resources (e.g.
   * PT_ERR_RUNTIME for device memory), agreed by the caller. Not collective. */
  int (*create)(nbody_sim *s);
  /* Frees s->dev and sets it to NULL (no-op on NULL). Not collective. */
  void (*destroy)(nbody_sim *s);
  /* Copies the bodies of s->p into s->dev. Not collective. */
  void (*upload)(nbody_sim *s);
  /* Copies the state into s->p, s->acc and, if s->pot_valid, s->pot. nbody_sim_host
   * calls it when an operation has set s->host_stale. Not collective. */
  void (*to_host)(nbody_sim *s);
  /* The accelerations and, with `want_pot`, the potential at the current positions, as
   * nbody_force_compute. Errors: PT_ERR_MPI. Collective. */
  int (*forces)(nbody_sim *s, int want_pot);
  /* v += h a, and x += h v, over the local bodies, each operation rounded separately (no
   * FMA). Not collective. */
  void (*kick)(nbody_sim *s, double h);
  void (*drift)(nbody_sim *s, double h);
  /* sum[q] over every rank's bodies of nbody_diag's per-body term q (NBODY_NQ of them),
   * with pt_reduce's exact scheme: the same bits on any rank count. `err` is the
   * caller's check, agreed first. Errors: `err` and PT_ERR_NOMEM (agreed), PT_ERR_MPI.
   * Collective. */
  int (*sums)(const nbody_sim *s, int err, double sum[]);
} nbody_backend;

extern const nbody_backend nbody_backend_cpu;
extern const nbody_backend nbody_backend_device; /* CUDA builds */
extern const nbody_backend nbody_backend_opencl; /* OpenCL builds (nbody_opencl.c) */

#endif
