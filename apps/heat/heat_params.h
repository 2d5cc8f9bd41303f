/* heat_params: partita-heat's input deck, read and validated in one place. */
#ifndef HEAT_PARAMS_H
#define HEAT_PARAMS_H

#include <stdint.h>

#include "pt_config.h"
#include "pt_opencl.h"
#include "pt_run.h"
#include "pt_units.h"
#include "pt_decomp.h"
#include "pt_halo.h"

/* run.time_block: at most this many steps per exchange; auto picks up to the second. */
enum { HEAT_TIME_BLOCK_MAX = 64, HEAT_TIME_BLOCK_AUTO_MAX = 8 };

enum heat_bc { HEAT_BC_DIRICHLET = 0, HEAT_BC_NEUMANN = 1, HEAT_BC_PERIODIC = 2 };
enum heat_init { HEAT_INIT_EIGENMODE = 0, HEAT_INIT_GAUSSIAN, HEAT_INIT_DISK, HEAT_INIT_FILE,
                 HEAT_INIT_CONSTANT };
enum heat_scheme { HEAT_EXPLICIT = 0, HEAT_BACKWARD_EULER = 1, HEAT_CRANK_NICOLSON = 2 };

typedef struct heat_params {
  int ndim;
  int64_t n[PT_MAXDIM];          /* cells per array axis: the last is x (fastest in memory
                                    and in files), see pt_decomp_axis_name */
  double len[PT_MAXDIM];         /* box length per axis */
  double h[PT_MAXDIM];           /* cell size len/n (cell-centred grid) */
  double alpha;                  /* diffusivity */
  double source;                 /* uniform volumetric heat source */
  int bc[PT_MAXDIM][2];          /* per face: enum heat_bc */
  double bc_value[PT_MAXDIM][2]; /* Dirichlet values */
  int init;                      /* enum heat_init */
  int mode[PT_MAXDIM];           /* eigenmode numbers */
  double amplitude, background, width, radius;
  double center[PT_MAXDIM];
  const char *init_file, *init_record;
  int scheme;                    /* enum heat_scheme */
  double dt, dt_limit;           /* dt_limit: explicit stability limit */
  int64_t steps;
  pt_run_cadence cadence;        /* the [output] keys; cadence.steps = steps */
  pt_units units;                /* the [units] keys: SI sizes of the code units, or none */
  pt_halo_kind halo;
  int overlap;                   /* compute the interior while ghosts travel */
  int halo_off;                  /* benchmarking only: skip the exchange */
  int time_block;                /* steps per exchange (ghost width), CPU explicit only;
                                    0: auto (heat_time_block_auto) */
  int64_t time_tile;             /* cells along axis 1 per tile of a block; 0: auto */
  int backend;                   /* pt_backend: run.backend (cpu, cuda, opencl, auto) */
  pt_opencl_options opencl;      /* the [opencl] keys: platform, device, build options */
  int dims[PT_MAXDIM];           /* requested process grid, 0 = automatic */
  double ksp_rtol;               /* implicit schemes: relative tolerance */
  const pt_config *cfg;          /* the deck, for errors found after reading (run.halo) */
} heat_params;

/* Reads every heat key from `cfg` (ranges, choices, cross-key checks such as dt above
 * the explicit stability limit). Errors: PT_ERR_INPUT with file:line. Not collective. */
int heat_params_read(pt_config *cfg, heat_params *p);

/* Explicit forward-Euler stability limit 1 / (2 alpha sum 1/h^2). */
double heat_dt_limit(const heat_params *p);

/* An input error found after reading (err = PT_ERR_INPUT: a halo back-end the MPI cannot
 * serve, ghost layers a block cannot hold) is the deck's `key` at fault: returns it again
 * naming the key, when the parameters come from a deck; any other `err` unchanged. Not
 * collective. */
int heat_params_blame(const heat_params *p, const char *key, int err);

/* The halo back-end of `p` on a device path (CUDA, OpenCL), whose faces are packed on
 * the device and exchanged as messages (p2p or neighbor): PT_ERR_INPUT naming run.halo for a one-sided
 * one. Not collective. */
int heat_params_device_halo(const heat_params *p, const pt_config *cfg);

#endif
