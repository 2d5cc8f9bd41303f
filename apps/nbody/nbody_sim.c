#include "config.h"
#include "nbody_sim.h"

#include <math.h>
#include <stdlib.h>

#include "nbody_backend.h"
#include "pt_error.h"

/* Every back-end this build has, one per device kind pt_device_select may choose. */
static const nbody_backend *const backends[] = {
    &nbody_backend_cpu,
#ifdef PT_HAVE_CUDA
    &nbody_backend_device,
#endif
#ifdef PT_HAVE_OPENCL
    &nbody_backend_opencl,
#endif
    NULL,
};

void nbody_sim_destroy(nbody_sim **ps) {
  nbody_sim *s = *ps;
  if (!s) return;
  nbody_force_destroy(&s->force);
  if (s->be && s->be->destroy) s->be->destroy(s);
  for (int c = 0; c < 3; ++c) free(s->acc[c]);
  free(s->pot);
  pt_particles_destroy(&s->p);
  free(s);
  *ps = NULL;
}

int nbody_sim_create(const nbody_params *prm, pt_particles *p, pt_timers *timers,
                     nbody_sim **out) {
  *out = NULL;
  nbody_sim *s = calloc(1, sizeof *s);
  int err = s ? PT_OK : PT_ERROR(PT_ERR_NOMEM, "out of memory");
  if (!s) {
    pt_agree(p->comm, err);
    pt_particles_destroy(&p);
    return err;
  }
  s->prm = prm;
  s->p = p;
  s->timers = timers;
  for (int c = 0; !err && c < 3; ++c) err = pt_particles_alloc(p, sizeof(double), (void **)&s->acc[c]);
  if (!err) err = pt_particles_alloc(p, sizeof(double), (void **)&s->pot);
  err = pt_agree(p->comm, err);
  if (!err)
    err = nbody_force_create(p, prm->strategy, prm->precision, prm->kernel, prm->G, prm->eps, timers,
                             &s->force);
  s->device.backend = PT_BACKEND_CPU;
  s->device.id = -1;
  /* The CPU back-end leaves the device runtimes alone. */
  if (!err && prm->backend != PT_BACKEND_CPU)
    err = pt_device_select_with(p->comm, (pt_backend)prm->backend, &prm->opencl, &s->device);
  for (size_t b = 0; !err && !s->be && backends[b]; ++b)
    if (backends[b]->kind == s->device.backend) s->be = backends[b];
  /* The device kind is the same on every rank, and so is this error. */
  if (!err && !s->be)
    err = PT_ERROR(PT_ERR_RUNTIME, "no back-end of this build runs on %s",
                   pt_backend_names[s->device.backend]);
  if (!err && s->be->create) err = pt_agree(p->comm, s->be->create(s));
  if (!err && timers) s->t_update = pt_timers_add(timers, "update");
  if (err)
    nbody_sim_destroy(&s);
  else
    *out = s;
  return err;
}

static int forces(nbody_sim *s, int want_pot) {
  s->pot_valid = want_pot;
  return s->be->forces(s, want_pot);
}

int nbody_sim_start(nbody_sim *s) {
  if (s->be->upload) s->be->upload(s);
  return forces(s, 1);
}

void nbody_sim_host(nbody_sim *s) {
  if (s->host_stale) s->be->to_host(s);
  s->host_stale = 0;
}

/* Drift-kick-drift: the force is taken at the half-step positions, so the potential
 * for diagnostics at the synchronised end positions costs one more evaluation. */
static int step_dkd(nbody_sim *s, int want_pot) {
  const double dt = s->prm->dt;
  if (s->timers) pt_timers_start(s->timers, s->t_update);
  s->be->drift(s, 0.5 * dt);
  if (s->timers) pt_timers_stop(s->timers, s->t_update);
  PT_TRY(forces(s, 0));
  if (s->timers) pt_timers_start(s->timers, s->t_update);
  s->be->kick(s, dt);
  s->be->drift(s, 0.5 * dt);
  if (s->timers) pt_timers_stop(s->timers, s->t_update);
  if (want_pot) PT_TRY(forces(s, 1));
  return PT_OK;
}

int nbody_sim_step(nbody_sim *s, int want_pot) {
  const double dt = s->prm->dt;
  if (s->prm->integrator == NBODY_LEAPFROG_DKD) {
    PT_TRY(step_dkd(s, want_pot));
    s->step++;
    s->time = s->time0 + (double)(s->step - s->step0) * dt;
    return PT_OK;
  }
  double d[3] = {1, 0, 0}, k[4] = {0.5, 0.5, 0, 0};  /* drift and kick weights */
  int stages = 1;
  if (s->prm->integrator == NBODY_YOSHIDA4) {
    const double w1 = 1 / (2 - cbrt(2.0)), w0 = -cbrt(2.0) * w1;
    stages = 3;
    d[0] = w1, d[1] = w0, d[2] = w1;
    k[0] = 0.5 * w1, k[1] = 0.5 * (w1 + w0), k[2] = 0.5 * (w0 + w1), k[3] = 0.5 * w1;
  }
  /* K(k0) [D(d_s) F K(k_{s+1})] for each stage: the accelerations at the start of a step
   * are those left by the previous one. */
  if (s->timers) pt_timers_start(s->timers, s->t_update);
  s->be->kick(s, k[0] * dt);
  if (s->timers) pt_timers_stop(s->timers, s->t_update);
  for (int st = 0; st < stages; ++st) {
    if (s->timers) pt_timers_start(s->timers, s->t_update);
    s->be->drift(s, d[st] * dt);
    if (s->timers) pt_timers_stop(s->timers, s->t_update);
    PT_TRY(forces(s, want_pot && st == stages - 1));
    if (s->timers) pt_timers_start(s->timers, s->t_update);
    s->be->kick(s, k[st + 1] * dt);
    if (s->timers) pt_timers_stop(s->timers, s->t_update);
  }
  s->step++;
  s->time = s->time0 + (double)(s->step - s->step0) * dt;
  return PT_OK;
}
