/* partita-heat: dT/dt = alpha lap(T) + source on a 2D or 3D box, domain-decomposed. */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heat_params.h"
#include "heat_solver.h"
#include "partita.h"
#include "pt_checkpoint.h"
#include "pt_io.h"
#ifdef PT_HAVE_PETSC
#include <petscsys.h>
#endif

static const char *const prog = "partita-heat";

static const char *const usage =
    "Solves the heat equation dT/dt = alpha lap(T) + source on a 2D or 3D box with\n"
    "Dirichlet, Neumann or periodic faces, explicit (forward Euler) or implicit\n"
    "(backward Euler, Crank-Nicolson through PETSc). --help-keys lists the deck keys\n"
    "(docs/keys.md explains them). Single-dash options (-ksp_type cg -pc_type gamg\n"
    "-ksp_monitor -log_view) go to PETSc.";

typedef struct heat_run {
  pt_cli cli;
  pt_config *cfg;
  heat_params p;
  pt_timers *timers;
  heat_solver *s;
  pt_series *series;
  char *deck;
  const char *dir;  /* output and checkpoint directory */
  MPI_Comm comm;
  pt_run loop;
  int petsc;  /* PETSc initialised (implicit schemes only) */
} heat_run;

static const char *const field_names[] = {"temperature"};

static void checkpoint_init(heat_run *r, pt_checkpoint *ck, pt_field **field) {
  memset(ck, 0, sizeof *ck);
  *field = heat_solver_field(r->s);
  ck->app = prog;
  ck->step = r->s->st.step;
  ck->time = r->s->time;
  ck->dt = r->p.dt;
  ck->deck = r->deck;
  ck->nfields = 1;
  ck->field_names = field_names;
  ck->fields = field;
}

static int write_checkpoint(void *ctx) {
  heat_run *r = ctx;
  pt_checkpoint ck;
  pt_field *field;
  checkpoint_init(r, &ck, &field);
  int err = pt_checkpoint_write(r->comm, r->dir, &ck);
  if (!err) pt_log(PT_LOG_DEBUG, "checkpoint at step %lld: %s", (long long)ck.step, ck.path);
  return err;
}

/* --restart FILE|latest: the field, step and time of a checkpoint, on this run's own
 * decomposition (any rank count). */
static int restart(heat_run *r, MPI_Comm comm) {
  pt_checkpoint ck;
  pt_field *field;
  checkpoint_init(r, &ck, &field);
  PT_TRY(pt_checkpoint_read(comm, r->cli.restart, r->dir, &ck));
  r->s->st.step = ck.step;
  r->s->time = ck.time;
  if (ck.dt != r->p.dt)
    pt_log_warn("time step %.17g differs from the checkpoint's %.17g: the run will not "
                "continue the checkpointed one exactly", r->p.dt, ck.dt);
  pt_log(PT_LOG_INFO, "restarting from %s at step %lld (t=%.9g)", ck.path, (long long)ck.step, ck.time);
  pt_checkpoint_release(&ck);
  return PT_OK;
}

static int write_output(void *ctx) {
  heat_run *r = ctx;
  static const double temperature[7] = {0, 0, 0, 0, 1, 0, 0};
  pt_mesh_info m;
  memset(&m, 0, sizeof m);
  pt_units_of(&r->p.units, temperature, &m.unit_si, m.unit_dimension);
  m.grid_unit_si = r->p.units.base[PT_UNIT_LENGTH];
  for (int d = 0; d < r->p.ndim; ++d) {
    m.grid_spacing[d] = r->p.h[d];
    m.position[d] = 0.5; /* cell-centred */
    m.axis_labels[d] = pt_decomp_axis_name(r->p.ndim, d);
  }
  return pt_series_write_mesh(r->series, r->s->st.step, r->s->time, r->p.dt, "temperature",
                              heat_solver_field(r->s), &m);
}

static int advance(void *ctx, int64_t n, int diagnostics_due) {
  (void)diagnostics_due;
  return heat_solver_advance(((heat_run *)ctx)->s, n);
}

static int diagnostics(void *ctx) {
  heat_run *r = ctx;
  heat_diag d;
  int err = heat_solver_diagnostics(r->s, &d);
  if (!err)
    pt_log(PT_LOG_DEBUG, "step %lld t=%.6g  total %.17g  min %.17g  max %.17g  L2 %.17g",
           (long long)r->s->st.step, r->s->time, d.total, d.min, d.max, d.l2);
  return err;
}

#ifdef PT_HAVE_PETSC
/* PETSc's -options_left, as an error and before the run: once the solver has read its
 * options, one that nothing used is a typo or meant for another program. Options PETSc
 * reads only when it solves or finishes are asked for here, so they count as used. */
static int petsc_options_left(void) {
  static const char *const at_solve[] = {"-ksp_view", "-ksp_view_pre", "-ksp_converged_reason",
                                         "-ksp_view_mat", "-ksp_view_rhs", "-ksp_view_solution",
                                         "-ksp_view_eigenvalues", "-ksp_view_singularvalues",
                                         "-ksp_converged_rate", "-pc_view", "-mat_view", "-vec_view",
                                         "-log_view", "-options_left", "-options_view"};
  PetscBool set;
  for (size_t k = 0; k < sizeof at_solve / sizeof *at_solve; ++k) PetscOptionsHasName(NULL, NULL, at_solve[k], &set);
  PetscInt n = 0;
  char **names = NULL, **values = NULL;
  if (PetscOptionsLeftGet(NULL, &n, &names, &values)) return PT_ERROR(PT_ERR_RUNTIME, "PetscOptionsLeftGet failed");
  int err = n > 0 ? PT_ERROR(PT_ERR_INPUT, "unknown option '-%s': no PETSc object of this run uses it "
                             "(see -help)", names[0])
                  : PT_OK;
  PetscOptionsLeftRestore(NULL, &n, &names, &values);
  return err;
}
#endif

/* --dry-run: the plan of the run from the checked deck (decomposition, memory per rank,
 * output volume against the free space), without allocating the fields or creating a
 * file. Input problems are errors as in a real run; otherwise PT_EXIT (exit 0). */
static int dry_run_plan(heat_run *r, MPI_Comm comm) {
  const heat_params *p = &r->p;
  int periodic[PT_MAXDIM] = {0, 0, 0};
  for (int a = 0; a < p->ndim; ++a) periodic[a] = p->bc[a][0] == HEAT_BC_PERIODIC;
  pt_decomp *d = NULL;
  PT_TRY(pt_decomp_create(comm, p->ndim, p->n, periodic, p->dims, &d));
  int64_t alloc[PT_MAXDIM], stride[PT_MAXDIM];
  pt_field_layout(p->ndim, d->n, 1, alloc, stride);
  double mine[2] = {(double)pt_decomp_local_cells(d), 2.0 * sizeof(double)}, mx[2], mn[2];
  for (int a = 0; a < p->ndim; ++a) mine[1] *= (double)alloc[a];  /* two fields, ghosts included */
  int err = PT_MPI_CHECK(MPI_Allreduce(mine, mx, 2, MPI_DOUBLE, MPI_MAX, comm));
  if (!err) err = PT_MPI_CHECK(MPI_Allreduce(mine, mn, 2, MPI_DOUBLE, MPI_MIN, comm));
  if (err) {
    pt_decomp_destroy(&d);
    return err;
  }
  const double cells = (double)pt_decomp_global_cells(d), field = sizeof(double) * cells;
  const int64_t steps = p->steps, ck = p->cadence.checkpoint_every;
  const int64_t nout = pt_run_output_count(&p->cadence, p->dt), nck = ck ? steps / ck : 0;
  const double out_bytes = (double)nout * field, ck_bytes = (double)(nck < 2 ? nck : 2) * field;
  double free_bytes;
  int exists;
  err = pt_cli_check_space(&r->cli, comm, out_bytes + ck_bytes, &free_bytes, &exists);
  if (!err && d->rank == 0) {
    char grid[96], procs[96];
    int64_t dims[PT_MAXDIM];
    for (int a = 0; a < p->ndim; ++a) dims[a] = d->dims[a];
    printf("%s --dry-run: %dD grid %s (%.0f cells) on %d rank(s), process grid %s\n", prog, p->ndim,
           pt_decomp_shape(grid, sizeof grid, p->ndim, p->n), cells, d->size,
           pt_decomp_shape(procs, sizeof procs, p->ndim, dims));
    printf("  cells per rank: %.0f to %.0f; memory per rank: %.3g to %.3g MiB (two fields with ghosts)\n",
           mn[0], mx[0], mn[1] / 1048576.0, mx[1] / 1048576.0);
    printf("  %lld steps of dt %.6g; output: %lld step(s) of %.3g MiB = %.3g MiB; checkpoints: %lld "
           "(at most 2 kept, %.3g MiB)\n", (long long)steps, p->dt, (long long)nout, field / 1048576.0,
           out_bytes / 1048576.0, (long long)nck, ck_bytes / 1048576.0);
    printf("  output directory %s (%s), %.3g GiB free\n", r->cli.output_dir,
           exists ? "exists" : "to be created", free_bytes / 1073741824.0);
    char backend[512];
    printf("  halo %s, backend %s; nothing computed, nothing written\n", pt_halo_kind_names[p->halo],
           pt_device_describe((pt_backend)p->backend, &p->opencl, backend, sizeof backend));
    fflush(stdout);
  }
  pt_decomp_destroy(&d);
  return err ? err : PT_EXIT;
}

/* Everything that can fail on bad input happens here, before any output is written. */
static int setup(heat_run *r, MPI_Comm comm) {
  PT_TRY(pt_config_load(comm, r->cli.input, r->cli.nset, r->cli.sets, &r->cfg));
  int err = heat_params_read(r->cfg, &r->p);
  if (!err) err = pt_config_finish(r->cfg);
  if (!err) err = pt_cli_help_keys(&r->cli, r->cfg, comm);
  if (!err && !r->cli.input && !r->cli.nset)
    err = PT_ERROR(PT_ERR_INPUT, "no input deck (usage: %s INPUT.ini [options], see --help)", prog);
  /* A single-dash option is PETSc's; a run without PETSc has no use for it, and a typo
   * (-s for --set) must not run the defaults. */
  if (!err && r->cli.npass > 1 && r->p.scheme == HEAT_EXPLICIT)
    err = PT_ERROR(PT_ERR_INPUT, "unknown option '%s' (see --help; PETSc options apply to the implicit "
                   "schemes only)", r->cli.pass[1]);
  PT_TRY(pt_agree(comm, err));
  if (r->cli.dry_run) return dry_run_plan(r, comm);
#ifdef PT_HAVE_PETSC
  if (r->p.scheme != HEAT_EXPLICIT) {
    /* SIGUSR1/SIGTERM must stay Partita's (checkpoint and exit 3), not PETSc's. */
    PetscOptionsSetValue(NULL, "-no_signal_handler", NULL);
    PetscErrorCode perr = PetscInitialize(&r->cli.npass, &r->cli.pass, NULL, NULL);
    if (perr) return pt_agree(comm, PT_ERROR(PT_ERR_RUNTIME, "PetscInitialize failed (error %d)", (int)perr));
    r->petsc = 1;
  }
#endif
  r->deck = pt_config_resolved(r->cfg);
  PT_TRY(pt_timers_create(&r->timers));
  /* The whole run's phase heads the table. */
  PT_TRY(pt_timers_add(r->timers, "total") < 0 ? PT_ERR_NOMEM : PT_OK);
  PT_TRY(heat_solver_create(comm, &r->p, r->timers, &r->s));
#ifdef PT_HAVE_PETSC
  if (r->petsc) PT_TRY(pt_agree(comm, petsc_options_left()));
#endif
  PT_TRY(pt_cli_prepare_output(&r->cli, comm));
  r->dir = r->cli.output_dir;
  r->comm = comm;
  const pt_run_ops ops = {r, NULL, diagnostics, write_output, write_checkpoint, &r->s->st.step, &r->s->time,
                          advance, r->s->st.time_block};
  PT_TRY(pt_run_init(&r->loop, comm, prog, r->dir, &r->p.cadence, &ops, r->timers, r->cli.max_walltime,
                     r->cli.restart != NULL));
  PT_TRY(pt_agree(comm, pt_signal_install()));
  if (r->cli.restart)
    PT_TRY(restart(r, comm));
  else if (r->p.init == HEAT_INIT_FILE)
    PT_TRY(pt_io_read_mesh(r->p.init_file, -1, r->p.init_record, heat_solver_field(r->s), NULL, NULL));
  else
    heat_solver_init(r->s);
  return PT_OK;
}

static int open_output(heat_run *r, MPI_Comm comm) {
  char path[PT_PATH_MAX];
  PT_TRY(pt_run_series_path(&r->p.cadence, r->dir, "heat", path, sizeof path));
  pt_series_info info;
  memset(&info, 0, sizeof info);
  info.software = prog;
  info.deck = r->deck;
  info.append = r->cli.restart != NULL;
  info.time_unit_si = r->p.units.base[PT_UNIT_TIME];
  info.unit_system = pt_units_system(&r->p.units);
  return pt_series_open(comm, path, &info, &r->series);
}

static int run(heat_run *r, MPI_Comm comm) {
  const heat_params *p = &r->p;
  heat_solver *s = r->s;
  static const char *const scheme[] = {"explicit", "backward Euler", "Crank-Nicolson"};
  char grid[96], procs[96], backend[320] = "cpu";
  int64_t dims[PT_MAXDIM];
  for (int d = 0; d < p->ndim; ++d) dims[d] = s->decomp->dims[d];
  pt_decomp_shape(grid, sizeof grid, p->ndim, p->n);
  pt_decomp_shape(procs, sizeof procs, p->ndim, dims);
  if (s->st.device.backend == PT_BACKEND_CUDA)
    snprintf(backend, sizeof backend, "cuda (rank 0 on device %d, %s; faces %s)", s->st.device.id,
             s->st.device.name, s->st.device.mpi_cuda_aware ? "to CUDA-aware MPI" : "staged through host memory");
  if (s->st.device.backend == PT_BACKEND_OPENCL)
    snprintf(backend, sizeof backend, "opencl (rank 0 on device %d, %s; faces staged through host memory)",
             s->st.device.id, s->st.device.name);
  pt_log(PT_LOG_INFO, "%s: %dD grid %s on %d rank(s) (process grid %s, %d thread(s) each), "
         "%s, dt %.6g (%.3g of the explicit limit), steps %lld to %lld, halo %s, backend %s",
         prog, p->ndim, grid, s->decomp->size, procs, omp_get_max_threads(), scheme[p->scheme],
         p->dt, p->dt / p->dt_limit, (long long)s->st.step, (long long)p->steps,
         pt_halo_kind_names[p->halo], backend);
  PT_TRY(open_output(r, comm));
  PT_TRY(pt_run_loop(&r->loop));
  heat_diag d;
  PT_TRY(heat_solver_diagnostics(s, &d));
  pt_log(PT_LOG_INFO, "final: step %lld t=%.9g  total heat %.15g  min %.9g  max %.9g  L2 %.15g",
         (long long)s->st.step, s->time, d.total, d.min, d.max, d.l2);
  return PT_OK;
}

static int report(heat_run *r) {
  return pt_run_report_lattice(&r->loop, r->s->decomp, pt_halo_kind_names[r->p.halo],
                               pt_backend_names[r->s->st.device.backend], &r->cli, r->deck);
}

int main(int argc, char **argv) {
  heat_run r;
  memset(&r, 0, sizeof r);
#ifdef PT_HAVE_PETSC
  static char petsc[64];
  snprintf(petsc, sizeof petsc, "PETSc %d.%d.%d", PETSC_VERSION_MAJOR, PETSC_VERSION_MINOR,
           PETSC_VERSION_SUBMINOR);
  pt_version_add(petsc);
#endif
  int err = pt_cli_begin(&r.cli, &argc, &argv, prog, usage, 1);
  MPI_Comm comm = MPI_COMM_WORLD;
  if (!err) err = setup(&r, comm);
  if (!err) err = run(&r, comm);
  if (!err || err == PT_STOP) {
    int rerr = report(&r);
    if (rerr) err = rerr;
  }
  err = pt_cli_end(comm, prog, err);
  if (r.series) pt_series_close(&r.series);
  heat_solver_destroy(&r.s);
  pt_timers_destroy(&r.timers);
  pt_config_destroy(&r.cfg);
  free(r.deck);
#ifdef PT_HAVE_PETSC
  if (r.petsc) PetscFinalize();
#endif
  pt_cli_free(&r.cli);
  MPI_Finalize();
  return pt_error_exit_code(err);
}
