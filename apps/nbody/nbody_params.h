/* nbody_params: partita-nbody's input deck, read and validated in one place. */
#ifndef NBODY_PARAMS_H
#define NBODY_PARAMS_H

#include <stdint.h>

#include "pt_config.h"
#include "pt_opencl.h"
#include "pt_run.h"
#include "pt_units.h"

enum nbody_strategy { NBODY_ALLGATHER = 0, NBODY_RING = 1, NBODY_RMA = 2 };
enum nbody_precision { NBODY_FP64 = 0, NBODY_FP32 = 1 };
/* exact: 1/sqrt correctly rounded (nbody_kernel); fast: a refined hardware estimate
 * (nbody_kernel_fast). */
enum nbody_kernel_choice { NBODY_KERNEL_EXACT = 0, NBODY_KERNEL_FAST = 1 };
/* leapfrog: kick-drift-kick; leapfrog-dkd: drift-kick-drift (same cost, a smaller energy
 * error on eccentric orbits); yoshida4: 4th-order composition of kick-drift-kick. */
enum nbody_integrator { NBODY_LEAPFROG = 0, NBODY_YOSHIDA4 = 1, NBODY_LEAPFROG_DKD = 2 };
enum nbody_init { NBODY_INIT_PLUMMER = 0, NBODY_INIT_SPHERE, NBODY_INIT_KEPLER,
                  NBODY_INIT_FIGURE8, NBODY_INIT_FILE };

extern const char *const nbody_strategy_names[];   /* "allgather", "ring", "rma" */
extern const char *const nbody_precision_names[];  /* "fp64", "fp32" */
extern const char *const nbody_kernel_names[];     /* "exact", "fast" */
extern const char *const nbody_integrator_names[]; /* "leapfrog", "yoshida4" */
extern const char *const nbody_init_names[];       /* "plummer", "sphere", ... */

typedef struct nbody_params {
  int64_t n;              /* bodies (fixed by the initial condition for kepler, figure8, file) */
  double G, eps;          /* gravitational constant, Plummer softening length */
  int strategy;           /* enum nbody_strategy */
  int precision;          /* enum nbody_precision: of the force evaluation */
  int kernel;             /* enum nbody_kernel_choice: of the CPU force evaluation */
  int init;               /* enum nbody_init */
  uint64_t seed;          /* random initial conditions */
  double radius, mass;    /* sphere: radius and total mass */
  double ecc, semi_major, mass_ratio;  /* kepler */
  const char *init_file, *init_species;
  int64_t init_step;      /* file: step to read, -1 = last */
  int integrator;         /* enum nbody_integrator */
  double dt;              /* time step (with end_time: shrunk so the run ends on it) */
  int64_t steps;          /* the run ends after this many steps (counted from 0) */
  double end_time;        /* 0 when the deck gives time.steps */
  pt_run_cadence cadence;        /* the [output] keys; cadence.steps = steps */
  pt_units units;                /* the [units] keys: SI sizes of the code units, or none */
  int backend;            /* pt_backend: where forces, integrator and diagnostics run */
  pt_opencl_options opencl;  /* the [opencl] keys (run.backend = opencl or auto) */
} nbody_params;

/* Reads every nbody key from `cfg`, checking ranges, choices and cross-key rules (such
 * as at least one body per rank: `nranks` is the run's rank count; with initial.type =
 * file the count is checked when the file is read). Errors: PT_ERR_INPUT with file:line.
 * Not collective. */
int nbody_params_read(pt_config *cfg, int nranks, nbody_params *p);

/* Bodies of the fixed-count initial conditions (kepler 2, figure8 3), 0 for the others. */
int64_t nbody_init_bodies(int init);

#endif
