/* partita-nbody: N bodies under softened Newtonian gravity by direct summation. */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nbody_diag.h"
#include "nbody_ic.h"
#include "nbody_kernel.h"
#include "nbody_kernel_fast.h"
#include "nbody_params.h"
#include "nbody_sim.h"
#include "partita.h"

static const char *const prog = "partita-nbody";
static const char *const species = "bodies";

static const char *const usage =
    "Integrates N bodies under softened Newtonian gravity by direct summation over MPI\n"
    "ranks, with the force strategy (allgather, ring or rma) chosen by nbody.strategy,\n"
    "a leapfrog or 4th-order symplectic integrator, and Plummer, uniform-sphere, Kepler,\n"
    "figure-eight or from-file initial conditions. --help-keys lists the deck keys\n"
    "(docs/keys.md explains them).";

/* Reference values of the conserved quantities at step 0, carried through restarts. */
enum { S_E0, S_P0X, S_P0Y, S_P0Z, S_L0X, S_L0Y, S_L0Z, NSCALARS };
static const char *const scalar_names[NSCALARS] = {
    "initial_energy", "initial_momentum_x", "initial_momentum_y", "initial_momentum_z",
    "initial_angular_momentum_x", "initial_angular_momentum_y", "initial_angular_momentum_z"};

typedef struct nbody_run {
  pt_cli cli;
  pt_config *cfg;
  nbody_params p;
  pt_timers *timers;
  nbody_sim *s;
  pt_series *series;
  char *deck;
  const char *dir;
  double ref[NSCALARS];
  double max_energy_error;
  nbody_diag last;  /* the latest diagnostics */
  MPI_Comm comm;
  pt_run loop;
} nbody_run;

static void checkpoint_init(nbody_run *r, pt_checkpoint *ck, pt_particle_record rec[3]) {
  memset(ck, 0, sizeof *ck);
  ck->app = prog;
  ck->deck = r->deck;
  ck->species = species;
  ck->nrec = PT_PARTICLES_NREC;
  ck->recs = rec;
  ck->nscalars = NSCALARS;
  ck->scalar_names = scalar_names;
  ck->scalars = r->ref;
  if (r->s) {
    pt_particles_records(r->s->p, NULL, rec);  /* checkpoints hold code-unit numbers */
    ck->step = r->s->step;
    ck->time = r->s->time;
    ck->dt = r->p.dt;
    ck->np = r->s->p->n;
    ck->id = r->s->p->id;
  } else {
    static const char *const names[3] = {"position", "velocity", "mass"};
    memset(rec, 0, sizeof(pt_particle_record) * 3);
    for (int k = 0; k < 3; ++k) rec[k].name = names[k];
  }
}

static int write_checkpoint(void *ctx) {
  nbody_run *r = ctx;
  pt_checkpoint ck;
  pt_particle_record rec[3];
  nbody_sim_host(r->s);
  checkpoint_init(r, &ck, rec);
  int err = pt_checkpoint_write(r->comm, r->dir, &ck);
  if (!err) pt_log(PT_LOG_DEBUG, "checkpoint at step %lld: %s", (long long)ck.step, ck.path);
  return err;
}

/* --restart FILE|latest: bodies, step, time and reference values of a checkpoint, on
 * this run's rank count (any). */
static int restart(nbody_run *r, MPI_Comm comm, pt_particles **out) {
  pt_checkpoint ck;
  pt_particle_record rec[3];
  checkpoint_init(r, &ck, rec);
  PT_TRY(pt_checkpoint_read(comm, r->cli.restart, r->dir, &ck));
  int size, err = PT_OK;
  MPI_Comm_size(comm, &size);
  /* A changed body count is a different run, not a continuation (initial.type = file
   * takes its count from the file, so only its checkpoint says how many there are). */
  if (r->p.init != NBODY_INIT_FILE && ck.particles.ntotal != r->p.n)
    err = PT_ERROR(PT_ERR_INPUT, "%s: the checkpoint holds %lld bodies, the deck's nbody.n is %lld: "
                   "restart with the count it was written with", ck.path, (long long)ck.particles.ntotal,
                   (long long)r->p.n);
  else if (ck.particles.ntotal < size)
    err = PT_ERROR(PT_ERR_INPUT, "%s: %lld bodies cannot be split over %d ranks", ck.path,
                   (long long)ck.particles.ntotal, size);
  if (!err) err = pt_particles_create(comm, ck.particles.ntotal, out);
  if (!err) err = pt_agree(comm, pt_particles_assign(*out, &ck.particles, ck.path));
  if (err)
    pt_particles_destroy(out);
  else
    err = nbody_sim_create(&r->p, *out, r->timers, &r->s);  /* owns or frees the bodies */
  *out = NULL;
  if (!err) {
    r->s->step = ck.step;
    r->s->time = ck.time;
    /* With the same dt, time stays step * dt: the same bits as an uninterrupted run. */
    if (ck.dt != r->p.dt) {
      r->s->step0 = ck.step;
      r->s->time0 = ck.time;
      pt_log_warn("time step %.17g differs from the checkpoint's %.17g: the run will not "
                  "continue the checkpointed one exactly", r->p.dt, ck.dt);
    }
    pt_log(PT_LOG_INFO, "restarting from %s at step %lld (t=%.9g)", ck.path, (long long)ck.step, ck.time);
  }
  pt_checkpoint_release(&ck);
  return err;
}

static int diagnostics(void *ctx) {
  nbody_run *r = ctx;
  nbody_diag *d = &r->last;
  PT_TRY(nbody_diag_compute(r->s, d));
  double de = r->ref[S_E0] != 0 ? fabs((d->total - r->ref[S_E0]) / r->ref[S_E0]) : 0;
  if (de > r->max_energy_error) r->max_energy_error = de;
  double dp = 0;
  for (int c = 0; c < 3; ++c) dp = fmax(dp, fabs(d->momentum[c] - r->ref[S_P0X + c]));
  pt_log(PT_LOG_DEBUG, "step %lld t=%.6g  E %.15g  dE/E0 %.3e  |dP| %.3e  Lz %.15g  Q %.6f",
         (long long)r->s->step, r->s->time, d->total, de, dp, d->angular[2], d->virial);
  return PT_OK;
}

static int write_output(void *ctx) {
  nbody_run *r = ctx;
  nbody_sim_host(r->s);
  return pt_particles_write(r->s->p, &r->p.units, r->series, r->s->step, r->s->time, r->p.dt, species);
}

static int step(void *ctx, int diagnostics_due) {
  return nbody_sim_step(((nbody_run *)ctx)->s, diagnostics_due);
}

/* --dry-run: bodies per rank, memory per rank, output volume against the free space,
 * from the checked deck, without creating a body or a file. PT_EXIT (exit 0) or the
 * input error a real run would give. */
static int dry_run_plan(nbody_run *r, MPI_Comm comm) {
  const nbody_params *p = &r->p;
  int size, rank;
  PT_MPI(MPI_Comm_size(comm, &size));
  PT_MPI(MPI_Comm_rank(comm, &rank));
  const int from_file = p->init == NBODY_INIT_FILE;
  const double n = (double)p->n, most = ceil(n / size), least = floor(n / size);
  /* Per body: position, velocity, acceleration (3 doubles each), mass and id; the force
   * strategy's copy of the others' positions and masses: all of them (allgather) or
   * two blocks in flight (ring, rma). */
  const double d = sizeof(double), id = sizeof(uint64_t);
  const double own = (10 * d + id) * most;
  const double others = 4 * d * (p->strategy == NBODY_ALLGATHER ? n : 2 * most);
  const double per_step = (7 * d + id) * n;  /* position, velocity, mass, id per body */
  const int64_t nout = pt_run_output_count(&p->cadence, p->dt), ck = p->cadence.checkpoint_every;
  const int64_t nck = ck ? p->steps / ck : 0;
  const double out_bytes = from_file ? 0 : (double)nout * per_step;
  const double ck_bytes = from_file ? 0 : (double)(nck < 2 ? nck : 2) * per_step;
  double free_bytes;
  int exists;
  PT_TRY(pt_cli_check_space(&r->cli, comm, out_bytes + ck_bytes, &free_bytes, &exists));
  if (rank == 0) {
    if (from_file)
      printf("%s --dry-run: bodies from %s (counted when the run reads them) on %d rank(s)\n", prog,
             p->init_file, size);
    else
      printf("%s --dry-run: %.0f bodies (%s) on %d rank(s): %.0f to %.0f per rank; memory per rank "
             "about %.3g MiB (strategy %s)\n", prog, n, nbody_init_names[p->init], size, least, most,
             (own + others) / 1048576.0, nbody_strategy_names[p->strategy]);
    printf("  %lld steps of dt %.6g (%s, %s); output: %lld step(s) of %.3g MiB = %.3g MiB; checkpoints: "
           "%lld (at most 2 kept, %.3g MiB)\n", (long long)p->steps, p->dt,
           nbody_integrator_names[p->integrator], nbody_precision_names[p->precision], (long long)nout,
           per_step / 1048576.0, out_bytes / 1048576.0, (long long)nck, ck_bytes / 1048576.0);
    printf("  output directory %s (%s), %.3g GiB free\n", r->cli.output_dir,
           exists ? "exists" : "to be created", free_bytes / 1073741824.0);
    char backend[512];
    printf("  backend %s; nothing computed, nothing written\n",
           pt_device_describe((pt_backend)p->backend, &p->opencl, backend, sizeof backend));
    fflush(stdout);
  }
  return PT_EXIT;
}

/* Everything that can fail on bad input happens here, before any output is written. */
static int setup(nbody_run *r, MPI_Comm comm) {
  int size;
  MPI_Comm_size(comm, &size);
  PT_TRY(pt_config_load(comm, r->cli.input, r->cli.nset, r->cli.sets, &r->cfg));
  int err = nbody_params_read(r->cfg, size, &r->p);
  if (!err) err = pt_config_finish(r->cfg);
  if (!err) err = pt_cli_help_keys(&r->cli, r->cfg, comm);
  if (!err && !r->cli.input && !r->cli.nset)
    err = PT_ERROR(PT_ERR_INPUT, "no input deck (usage: %s INPUT.ini [options], see --help)", prog);
  PT_TRY(pt_agree(comm, err));
  if (r->cli.dry_run) return dry_run_plan(r, comm);
  PT_TRY(pt_cli_prepare_output(&r->cli, comm));
  r->dir = r->cli.output_dir;
  r->deck = pt_config_resolved(r->cfg);
  PT_TRY(pt_timers_create(&r->timers));
  /* The whole run's phase heads the table. */
  PT_TRY(pt_timers_add(r->timers, "total") < 0 ? PT_ERR_NOMEM : PT_OK);
  pt_particles *p = NULL;
  if (r->cli.restart) {
    PT_TRY(restart(r, comm, &p));
  } else {
    PT_TRY(nbody_ic_create(comm, &r->p, &p));
    PT_TRY(nbody_sim_create(&r->p, p, r->timers, &r->s));
  }
  /* After the device is set up: an OpenCL platform built on LLVM (POCL) installs its
   * own SIGUSR1 handler when it starts, which would take the stop request. */
  PT_TRY(pt_agree(comm, pt_signal_install()));
  r->comm = comm;
  const pt_run_ops ops = {r, step, diagnostics, write_output, write_checkpoint, &r->s->step, &r->s->time, NULL, 1};
  PT_TRY(pt_run_init(&r->loop, comm, prog, r->dir, &r->p.cadence, &ops, r->timers, r->cli.max_walltime,
                     r->cli.restart != NULL));
  PT_TRY(nbody_sim_start(r->s));
  if (!r->cli.restart) {
    nbody_diag d;
    PT_TRY(nbody_diag_compute(r->s, &d));
    r->ref[S_E0] = d.total;
    for (int c = 0; c < 3; ++c) {
      r->ref[S_P0X + c] = d.momentum[c];
      r->ref[S_L0X + c] = d.angular[c];
    }
  }
  return PT_OK;
}

static int open_output(nbody_run *r, MPI_Comm comm) {
  char path[PT_PATH_MAX];
  PT_TRY(pt_run_series_path(&r->p.cadence, r->dir, "nbody", path, sizeof path));
  pt_series_info info;
  memset(&info, 0, sizeof info);
  info.software = prog;
  info.deck = r->deck;
  info.append = r->cli.restart != NULL;
  info.time_unit_si = r->p.units.base[PT_UNIT_TIME];
  info.unit_system = pt_units_system(&r->p.units);
  return pt_series_open(comm, path, &info, &r->series);
}

static int run(nbody_run *r, MPI_Comm comm) {
  const nbody_params *p = &r->p;
  nbody_sim *s = r->s;
  char backend[300] = "cpu";
  if (s->device.backend != PT_BACKEND_CPU)
    snprintf(backend, sizeof backend, "%s (rank 0 on device %d, %s)", pt_backend_names[s->device.backend],
             s->device.id, s->device.name);
  pt_log(PT_LOG_INFO, "%s: %lld bodies (%s) on %d rank(s), %d thread(s) each, strategy %s, %s, "
         "kernel %s, %s, dt %.6g, eps %.6g, steps %lld to %lld, backend %s", prog,
         (long long)s->p->ntotal, nbody_init_names[p->init], s->p->size, omp_get_max_threads(),
         nbody_strategy_names[p->strategy], nbody_precision_names[p->precision],
         nbody_kernel_names[p->kernel], nbody_integrator_names[p->integrator], p->dt, p->eps,
         (long long)s->step, (long long)p->steps, backend);
  if (p->kernel == NBODY_KERNEL_FAST && !nbody_kernel_fast_native())
    pt_log_warn("nbody.kernel = fast: no AVX-512 on this CPU or in this build, so the exact kernel runs");
  PT_TRY(open_output(r, comm));
  PT_TRY(diagnostics(r));
  PT_TRY(pt_run_loop(&r->loop));
  const nbody_diag d = r->last;
  double dp = 0;
  for (int c = 0; c < 3; ++c) dp = fmax(dp, fabs(d.momentum[c] - r->ref[S_P0X + c]));
  pt_log(PT_LOG_INFO, "final: step %lld t=%.9g  E %.15g  dE/E0 %.3e (max %.3e)  |dP| %.3e  "
         "virial 2K/|W| %.6f", (long long)s->step, s->time, d.total,
         r->ref[S_E0] ? fabs((d.total - r->ref[S_E0]) / r->ref[S_E0]) : 0, r->max_energy_error,
         dp, d.virial);
  return PT_OK;
}

static int report(nbody_run *r, MPI_Comm comm) {
  const nbody_sim *s = r->s;
  double t = pt_run_step_seconds(&r->loop), tmax;
  PT_MPI(MPI_Allreduce(&t, &tmax, 1, MPI_DOUBLE, MPI_MAX, comm));
  /* N^2 pair evaluations per force call (the self pair included, as usual). */
  double n = (double)s->p->ntotal;
  double evals = (double)r->loop.steps_done * (r->p.integrator == NBODY_YOSHIDA4 ? 3 : 1);
  double ips = tmax > 0 ? n * n * evals / tmax : 0;
  double gflops = ips * NBODY_FLOPS_PER_INTERACTION * 1e-9;
  pt_log(PT_LOG_INFO, "%.4g interactions/s (%.4g per rank), %.4g GFLOP/s at %d flops each, over %.3f s",
         ips, ips / s->p->size, gflops, NBODY_FLOPS_PER_INTERACTION, tmax);
  if (pt_log_verbosity() >= PT_LOG_INFO) PT_TRY(pt_timers_print(r->timers, comm, stdout));
  if (!r->cli.report) return PT_OK;
  pt_report *rep;
  PT_TRY(pt_report_create(prog, &rep));
  pt_report_add_int(rep, "results", "bodies", s->p->ntotal);
  pt_report_add_int(rep, "results", "steps", s->step);
  pt_report_add_int(rep, "results", "steps_run", r->loop.steps_done);
  pt_report_add_double(rep, "results", "time", s->time);
  pt_report_add_double(rep, "results", "seconds", tmax);
  pt_report_add_double(rep, "results", "interactions_per_s", ips);
  pt_report_add_double(rep, "results", "gflops", gflops);
  pt_report_add_int(rep, "results", "flops_per_interaction", NBODY_FLOPS_PER_INTERACTION);
  pt_report_add_double(rep, "results", "max_relative_energy_error", r->max_energy_error);
  pt_report_add_string(rep, "layout", "strategy", nbody_strategy_names[r->p.strategy]);
  pt_report_add_string(rep, "layout", "precision", nbody_precision_names[r->p.precision]);
  pt_report_add_string(rep, "layout", "kernel", nbody_kernel_names[r->p.kernel]);
  pt_report_add_string(rep, "layout", "integrator", nbody_integrator_names[r->p.integrator]);
  pt_report_add_string(rep, "layout", "backend", pt_backend_names[s->device.backend]);
  int err = pt_version_report(rep, comm, r->cli.argc, r->cli.argv);
  if (!err) err = pt_report_write(rep, r->timers, comm, r->deck, r->cli.report);
  pt_report_destroy(&rep);
  return err;
}

int main(int argc, char **argv) {
  nbody_run r;
  memset(&r, 0, sizeof r);
  int err = pt_cli_begin(&r.cli, &argc, &argv, prog, usage, 0);
  MPI_Comm comm = MPI_COMM_WORLD;
  if (!err) err = setup(&r, comm);
  if (!err) err = run(&r, comm);
  if (!err || err == PT_STOP) {
    int rerr = report(&r, comm);
    if (rerr) err = rerr;
  }
  err = pt_cli_end(comm, prog, err);
  if (r.series) pt_series_close(&r.series);
  nbody_sim_destroy(&r.s);
  pt_timers_destroy(&r.timers);
  pt_config_destroy(&r.cfg);
  free(r.deck);
  pt_cli_free(&r.cli);
  MPI_Finalize();
  return pt_error_exit_code(err);
}
