#include "heat_params.h"

#include <float.h>
#include <stdio.h>
#include <string.h>

#include "pt_device.h"
#include "pt_error.h"

/* Axes as in the files: x is the fastest-varying (last) array axis, then y and z, so
 * that ParaView, partita-plot and h5py's (row, column) all show x across and y up. Keys
 * and messages speak of x, y, z; arrays hold axis d = axis_of(ndim, letter). */
static const char *const letters[PT_MAXDIM] = {"x", "y", "z"};

static int axis_of(int ndim, int letter) { return letter < ndim ? ndim - 1 - letter : letter; }

double heat_dt_limit(const heat_params *p) {
  double s = 0;
  for (int d = 0; d < p->ndim; ++d) s += 1.0 / (p->h[d] * p->h[d]);
  return 1.0 / (2.0 * p->alpha * s);
}

/* Strictly positive quantities: the message says "> 0", not some tiny lower bound. */
static int get_positive(pt_config *cfg, const char *key, double def, double *out) {
  PT_TRY(pt_config_get_double(cfg, key, def, -DBL_MAX, DBL_MAX, out));
  PT_TRY(pt_config_describe(cfg, key, "> 0"));
  if (!(*out > 0)) return pt_config_error(cfg, key, "must be > 0 (got %.17g)", *out);
  return PT_OK;
}

static int read_grid(pt_config *cfg, heat_params *p) {
  int64_t v;
  PT_TRY(pt_config_get_int(cfg, "grid.ndim", 2, 2, 3, &v));
  p->ndim = (int)v;
  static const char *const nkey[] = {"grid.nx", "grid.ny", "grid.nz"};
  static const char *const lkey[] = {"grid.lx", "grid.ly", "grid.lz"};
  for (int l = 0; l < PT_MAXDIM; ++l) {
    /* Keys of an unused axis are still read so that a 2D deck may keep them; a stencil
     * axis needs 3 cells so that every cell has two distinct neighbours. */
    const int d = axis_of(p->ndim, l);
    PT_TRY(pt_config_get_int(cfg, nkey[l], 64, l < p->ndim ? 3 : 1, INT64_C(1) << 40, &p->n[d]));
    PT_TRY(get_positive(cfg, lkey[l], 1.0, &p->len[d]));
    p->h[d] = p->len[d] / (double)p->n[d];
  }
  for (int d = p->ndim; d < PT_MAXDIM; ++d) p->n[d] = 1;
  return PT_OK;
}

static int read_boundaries(pt_config *cfg, heat_params *p) {
  static const char *const kinds[] = {"dirichlet", "neumann", "periodic", NULL};
  static const char *const side[2] = {"lo", "hi"};
  /* All three axes are read so a deck can switch grid.ndim without editing faces. */
  for (int l = 0; l < PT_MAXDIM; ++l)
    for (int s = 0; s < 2; ++s) {
      const int d = axis_of(p->ndim, l);
      char key[64], vkey[64];
      snprintf(key, sizeof key, "boundary.%s_%s", letters[l], side[s]);
      snprintf(vkey, sizeof vkey, "boundary.%s_%s_value", letters[l], side[s]);
      PT_TRY(pt_config_get_choice(cfg, key, "dirichlet", kinds, &p->bc[d][s]));
      PT_TRY(pt_config_get_double(cfg, vkey, 0.0, -DBL_MAX, DBL_MAX, &p->bc_value[d][s]));
    }
  for (int l = 0; l < p->ndim; ++l) {
    const int d = axis_of(p->ndim, l);
    if ((p->bc[d][0] == HEAT_BC_PERIODIC) != (p->bc[d][1] == HEAT_BC_PERIODIC)) {
      char key[64];
      snprintf(key, sizeof key, "boundary.%s_hi", letters[l]);
      return pt_config_error(cfg, key, "periodic must be set on both %s faces", letters[l]);
    }
  }
  return PT_OK;
}

static int read_initial(pt_config *cfg, heat_params *p) {
  static const char *const kinds[] = {"eigenmode", "gaussian", "disk", "file", "constant", NULL};
  PT_TRY(pt_config_get_choice(cfg, "initial.type", "gaussian", kinds, &p->init));
  static const char *const mkey[] = {"initial.mode_x", "initial.mode_y", "initial.mode_z"};
  static const char *const ckey[] = {"initial.center_x", "initial.center_y", "initial.center_z"};
  for (int l = 0; l < PT_MAXDIM; ++l) {
    const int d = axis_of(p->ndim, l);
    int64_t m;
    PT_TRY(pt_config_get_int(cfg, mkey[l], 1, 1, INT64_C(1) << 30, &m));
    p->mode[d] = (int)m;
    PT_TRY(pt_config_get_double(cfg, ckey[l], 0.5 * p->len[d], -DBL_MAX, DBL_MAX, &p->center[d]));
  }
  PT_TRY(pt_config_get_double(cfg, "initial.amplitude", 1.0, -DBL_MAX, DBL_MAX, &p->amplitude));
  PT_TRY(pt_config_get_double(cfg, "initial.background", 0.0, -DBL_MAX, DBL_MAX, &p->background));
  PT_TRY(get_positive(cfg, "initial.width", 0.1, &p->width));
  PT_TRY(get_positive(cfg, "initial.radius", 0.25, &p->radius));
  PT_TRY(pt_config_get_string(cfg, "initial.file", "", &p->init_file));
  PT_TRY(pt_config_get_string(cfg, "initial.record", "temperature", &p->init_record));
  if (p->init == HEAT_INIT_FILE && !p->init_file[0])
    return pt_config_error(cfg, "initial.file", "required when initial.type = file");
  return PT_OK;
}

static int read_time(pt_config *cfg, heat_params *p) {
  static const char *const schemes[] = {"explicit", "backward-euler", "crank-nicolson", NULL};
  PT_TRY(pt_config_get_choice(cfg, "time.scheme", "explicit", schemes, &p->scheme));
  double frac;
  PT_TRY(pt_config_get_double(cfg, "time.dt", 0.0, 0.0, DBL_MAX, &p->dt));
  PT_TRY(pt_config_get_double(cfg, "time.dt_fraction", 0.9, 1e-12, 1.0, &frac));
  PT_TRY(pt_config_get_int(cfg, "time.steps", 100, 0, INT64_C(1) << 50, &p->steps));
  p->dt_limit = heat_dt_limit(p);
  if (p->dt == 0) p->dt = frac * p->dt_limit;
  else if (p->scheme == HEAT_EXPLICIT && p->dt > p->dt_limit)
    return pt_config_error(cfg, "time.dt",
                           "%.6g is above the explicit stability limit %.6g "
                           "(1/(2 alpha sum 1/h^2)); lower it, use time.dt_fraction, or an "
                           "implicit time.scheme", p->dt, p->dt_limit);
#ifndef PT_HAVE_PETSC
  if (p->scheme != HEAT_EXPLICIT)
    return pt_config_error(cfg, "time.scheme",
                           "'%s' needs PETSc, and this build has none (reconfigure with petsc-dev)",
                           schemes[p->scheme]);
#endif
  PT_TRY(pt_config_get_double(cfg, "time.ksp_rtol", 1e-12, 1e-16, 1.0, &p->ksp_rtol));
  return PT_OK;
}

/* The device path exchanges its faces itself, point to point: no other back-end exists
 * there, and a deck that asks for one must not run as if it had it. */
int heat_params_blame(const heat_params *p, const char *key, int err) {
  if (err != PT_ERR_INPUT || !p->cfg) return err;
  /* Copied first: recording the new error overwrites the message. */
  char why[1024];
  snprintf(why, sizeof why, "%s", pt_error_message());
  return pt_config_error(p->cfg, key, "%s", why);
}

int heat_params_device_halo(const heat_params *p, const pt_config *cfg) {
  if (p->halo == PT_HALO_P2P || p->halo == PT_HALO_NEIGHBOR) return PT_OK;
  return pt_config_error(cfg, "run.halo", "'%s' does not exist with run.backend = %s (the faces are packed on "
                         "the device and sent as messages): set it to p2p or neighbor",
                         pt_halo_kind_names[p->halo], pt_backend_names[p->backend]);
}

static int read_run(pt_config *cfg, heat_params *p) {
  PT_TRY(pt_run_read(cfg, 100, &p->cadence));
  p->cadence.steps = p->steps;
  PT_TRY(pt_units_read(cfg, PT_UNIT_BIT(PT_UNIT_LENGTH) | PT_UNIT_BIT(PT_UNIT_TIME) | PT_UNIT_BIT(PT_UNIT_TEMPERATURE), &p->units));
  int kind;
  PT_TRY(pt_config_get_choice(cfg, "run.halo", "p2p", pt_halo_kind_names, &kind));
  p->halo = (pt_halo_kind)kind;
  PT_TRY(pt_config_get_bool(cfg, "run.overlap", 1, &p->overlap));
  PT_TRY(pt_config_get_bool(cfg, "run.halo_off", 0, &p->halo_off));
  const char *block_text;
  PT_TRY(pt_config_get_string(cfg, "run.time_block", "1", &block_text));
  p->time_block = 0;
  if (strcmp(block_text, "auto") != 0) {
    int64_t block;
    if (!block_text[0] || block_text[strspn(block_text, "0123456789")])
      return pt_config_error(cfg, "run.time_block", "must be a whole number 1-%d or auto (got '%s')",
                             HEAT_TIME_BLOCK_MAX, block_text);
    PT_TRY(pt_config_get_int(cfg, "run.time_block", 1, 1, HEAT_TIME_BLOCK_MAX, &block));
    p->time_block = (int)block;
  }
  p->time_tile = 0;
  PT_TRY(pt_config_get_string(cfg, "run.time_tile", "auto", &block_text));
  if (strcmp(block_text, "auto") != 0)
    PT_TRY(pt_config_get_int(cfg, "run.time_tile", 0, 1, INT64_C(1) << 40, &p->time_tile));
  /* cpu by default: a run on a machine without GPUs prints nothing new (auto would
   * announce its fallback on every CPU run). */
  PT_TRY(pt_config_get_choice(cfg, "run.backend", "cpu", pt_backend_names, &p->backend));
  PT_TRY(pt_opencl_read(cfg, &p->opencl));
  if (p->time_block > 1 && p->scheme != HEAT_EXPLICIT)
    return pt_config_error(cfg, "run.time_block", "%d steps per exchange need the explicit scheme", p->time_block);
  if (p->time_block > 1 && p->backend != PT_BACKEND_CPU)
    return pt_config_error(cfg, "run.time_block", "%d steps per exchange run on the CPU back-end only "
                           "(run.backend = cpu)", p->time_block);
  if (p->backend == PT_BACKEND_CUDA || p->backend == PT_BACKEND_OPENCL) {
    const char *why;
    if (p->scheme != HEAT_EXPLICIT)
      return pt_config_error(cfg, "run.backend", "'%s' runs the explicit scheme only "
                             "(the implicit schemes run on the CPU through PETSc)", pt_backend_names[p->backend]);
    PT_TRY(heat_params_device_halo(p, cfg));
    if (p->backend == PT_BACKEND_CUDA && !pt_device_count(&why))
      return pt_config_error(cfg, "run.backend", "'cuda' needs a usable CUDA device (%s)", why);
  }
  if (p->backend == PT_BACKEND_OPENCL) PT_TRY(pt_opencl_check_deck(&p->opencl));
  double dims[PT_MAXDIM] = {0, 0, 0};
  int nd = 0;
  PT_TRY(pt_config_get_doubles(cfg, "run.process_grid", PT_MAXDIM, &nd, dims));
  if (nd && nd != p->ndim)
    return pt_config_error(cfg, "run.process_grid", "needs %d values, x first (got %d)", p->ndim, nd);
  for (int l = 0; l < PT_MAXDIM; ++l) {
    if (dims[l] < 0 || dims[l] != (int)dims[l])
      return pt_config_error(cfg, "run.process_grid", "values must be whole numbers >= 0 (0 = automatic)");
    p->dims[axis_of(p->ndim, l)] = (int)dims[l];
  }
  return PT_OK;
}

/* The keys of the axes a run does not have: accepted, so a deck can switch grid.ndim
 * without editing them, but left out of the resolved deck. */
static int drop_unused_axes(pt_config *cfg, const heat_params *p) {
  static const char *const per_axis[][2] = {{"grid.n", ""},          {"grid.l", ""},
                                             {"boundary.", "_lo"},     {"boundary.", "_hi"},
                                             {"boundary.", "_lo_value"}, {"boundary.", "_hi_value"},
                                             {"initial.mode_", ""},    {"initial.center_", ""}};
  for (int l = p->ndim; l < PT_MAXDIM; ++l)
    for (size_t k = 0; k < sizeof per_axis / sizeof *per_axis; ++k) {
      char key[64];
      snprintf(key, sizeof key, "%s%s%s", per_axis[k][0], letters[l], per_axis[k][1]);
      PT_TRY(pt_config_unused(cfg, key));
    }
  return PT_OK;
}

int heat_params_read(pt_config *cfg, heat_params *p) {
  memset(p, 0, sizeof *p);
  p->cfg = cfg;
  PT_TRY(read_grid(cfg, p));
  PT_TRY(get_positive(cfg, "physics.alpha", 1.0, &p->alpha));
  PT_TRY(pt_config_get_double(cfg, "physics.source", 0.0, -DBL_MAX, DBL_MAX, &p->source));
  PT_TRY(read_boundaries(cfg, p));
  PT_TRY(read_initial(cfg, p));
  PT_TRY(read_time(cfg, p));
  PT_TRY(read_run(cfg, p));
  return drop_unused_axes(cfg, p);
}
