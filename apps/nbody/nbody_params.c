#include "nbody_params.h"

#include <math.h>
#include <string.h>

#include "pt_device.h"
#include "pt_error.h"

const char *const nbody_strategy_names[] = {"allgather", "ring", "rma", NULL};
const char *const nbody_precision_names[] = {"fp64", "fp32", NULL};
const char *const nbody_kernel_names[] = {"exact", "fast", NULL};
const char *const nbody_integrator_names[] = {"leapfrog", "yoshida4", "leapfrog-dkd", NULL};
const char *const nbody_init_names[] = {"plummer", "sphere", "kepler", "figure8", "file", NULL};

int64_t nbody_init_bodies(int init) {
  return init == NBODY_INIT_KEPLER ? 2 : init == NBODY_INIT_FIGURE8 ? 3 : 0;
}

static int read_initial(pt_config *cfg, int nranks, nbody_params *p) {
  PT_TRY(pt_config_get_choice(cfg, "initial.type", "plummer", nbody_init_names, &p->init));
  int64_t seed;
  PT_TRY(pt_config_get_int(cfg, "initial.seed", 1, 0, INT64_MAX, &seed));
  p->seed = (uint64_t)seed;
  PT_TRY(pt_config_get_double(cfg, "initial.radius", 1.0, 1e-300, 1e300, &p->radius));
  PT_TRY(pt_config_get_double(cfg, "initial.mass", 1.0, 1e-300, 1e300, &p->mass));
  PT_TRY(pt_config_get_double(cfg, "initial.eccentricity", 0.0, 0.0, 0.999999, &p->ecc));
  PT_TRY(pt_config_get_double(cfg, "initial.semi_major_axis", 1.0, 1e-300, 1e300, &p->semi_major));
  PT_TRY(pt_config_get_double(cfg, "initial.mass_ratio", 1.0, 1e-12, 1e12, &p->mass_ratio));
  PT_TRY(pt_config_get_string(cfg, "initial.file", "", &p->init_file));
  PT_TRY(pt_config_get_string(cfg, "initial.species", "bodies", &p->init_species));
  PT_TRY(pt_config_get_int(cfg, "initial.step", -1, -1, INT64_MAX, &p->init_step));
  if (p->init == NBODY_INIT_FILE && !p->init_file[0])
    return pt_config_error(cfg, "initial.file", "required when initial.type = file");

  int64_t fixed = nbody_init_bodies(p->init);
  int given = pt_config_has(cfg, "nbody.n");
  PT_TRY(pt_config_get_int(cfg, "nbody.n", fixed ? fixed : 1024, 1, INT32_MAX, &p->n));
  if (fixed && p->n != fixed)
    return pt_config_error(cfg, "nbody.n", "initial.type = %s has %lld bodies (got %lld)",
                           nbody_init_names[p->init], (long long)fixed, (long long)p->n);
  if (p->init == NBODY_INIT_FILE && given)
    return pt_config_error(cfg, "nbody.n", "initial.type = file takes the count from the file; "
                           "remove nbody.n");
  if (p->init != NBODY_INIT_FILE && p->n < nranks) {
    const char *key = given || !fixed ? "nbody.n" : "initial.type";
    return pt_config_error(cfg, key, "%lld bodies cannot be split over %d ranks (at least one "
                           "body per rank)", (long long)p->n, nranks);
  }
  return PT_OK;
}

static int read_time(pt_config *cfg, nbody_params *p) {
  PT_TRY(pt_config_get_choice(cfg, "time.integrator", "leapfrog", nbody_integrator_names,
                              &p->integrator));
  PT_TRY(pt_config_get_double(cfg, "time.dt", 1e-3, 1e-300, 1e300, &p->dt));
  int has_steps = pt_config_has(cfg, "time.steps"), has_end = pt_config_has(cfg, "time.end_time");
  PT_TRY(pt_config_get_int(cfg, "time.steps", 100, 0, INT64_C(1) << 50, &p->steps));
  PT_TRY(pt_config_get_double(cfg, "time.end_time", 0.0, 0.0, 1e300, &p->end_time));
  if (has_steps && has_end)
    return pt_config_error(cfg, "time.end_time", "give time.steps or time.end_time, not both");
  if (has_end) {
    /* Equal steps no longer than dt that land exactly on end_time; the relative slack
     * keeps an end_time that is a multiple of dt up to rounding from gaining a step. */
    double k = ceil(p->end_time / p->dt * (1 - 1e-12));
    if (!(k < 0x1p50))
      return pt_config_error(cfg, "time.end_time", "%g / dt %g is too many steps", p->end_time, p->dt);
    p->steps = (int64_t)k;
    if (p->steps > 0) p->dt = p->end_time / (double)p->steps;
  }
  return PT_OK;
}

int nbody_params_read(pt_config *cfg, int nranks, nbody_params *p) {
  memset(p, 0, sizeof *p);
  PT_TRY(pt_config_get_double(cfg, "nbody.G", 1.0, 1e-300, 1e300, &p->G));
  PT_TRY(pt_config_get_double(cfg, "nbody.eps", 0.0, 0.0, 1e300, &p->eps));
  PT_TRY(pt_config_get_choice(cfg, "nbody.strategy", "ring", nbody_strategy_names, &p->strategy));
  PT_TRY(pt_config_get_choice(cfg, "nbody.precision", "fp64", nbody_precision_names, &p->precision));
  PT_TRY(pt_config_get_choice(cfg, "nbody.kernel", "exact", nbody_kernel_names, &p->kernel));
  PT_TRY(read_initial(cfg, nranks, p));
  PT_TRY(read_time(cfg, p));
  PT_TRY(pt_run_read(cfg, 100, &p->cadence));
  p->cadence.steps = p->steps;
  PT_TRY(pt_units_read(cfg, PT_UNIT_BIT(PT_UNIT_LENGTH) | PT_UNIT_BIT(PT_UNIT_MASS) | PT_UNIT_BIT(PT_UNIT_TIME), &p->units));
  /* cpu by default: a CPU run never touches the CUDA runtime. */
  PT_TRY(pt_config_get_choice(cfg, "run.backend", "cpu", pt_backend_names, &p->backend));
  PT_TRY(pt_opencl_read(cfg, &p->opencl));
  /* Before the device check, so that the conflict shows on a host without a GPU too. */
  if ((p->backend == PT_BACKEND_CUDA || p->backend == PT_BACKEND_OPENCL) && p->kernel == NBODY_KERNEL_FAST)
    return pt_config_error(cfg, "nbody.kernel", "'fast' is a CPU kernel; run.backend = %s computes "
                           "forces with its own kernel (use exact)", pt_backend_names[p->backend]);
  const char *why;
  if (p->backend == PT_BACKEND_CUDA && !pt_device_count(&why))
    return pt_config_error(cfg, "run.backend", "'cuda' needs a usable CUDA device (%s)", why);
  if (p->backend == PT_BACKEND_OPENCL) PT_TRY(pt_opencl_check_deck(&p->opencl));
  return PT_OK;
}
