/* heat_bench: partita-heat's explicit step against the memory system and against PETSc,
 * in one run (the heat kernel's performance benchmark):
 *   - STREAM copy bandwidth of all ranks at once (bench_stream), in every repetition;
 *   - Partita's step (heat_solver_step: halo exchange overlapped with the interior,
 *     boundary conditions, boundary cells), lattice updates per second, and
 *     LUPS x 16 B over STREAM copy (16 B: one read and one write per cell);
 *   - the same step with the halo exchange switched off: the overlap ratio;
 *   - the same explicit step written the idiomatic PETSc way (heat_petsc), checked
 *     against Partita's field, and its time per step.
 * Repetitions of the three steppers alternate, so a noisy machine slows them alike; each
 * figure is the best repetition, and the worst is reported as the range. */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_stream.h"
#include "heat_params.h"
#include "heat_petsc.h"
#include "heat_solver.h"
#include "partita.h"
#ifdef PT_HAVE_PETSC
#include <petscsys.h>
#endif

static const char *const prog = "heat_bench";
static const char *const usage =
    "Benchmarks partita-heat's explicit step: bytes moved per second over STREAM copy,\n"
    "the overlap ratio (step with halo exchange over step without), and the same step\n"
    "written with PETSc's DMDA. Keys: bench.ndim (2), bench.n (grid edge; 4096 in 2D,\n"
    "256 in 3D), bench.steps (per repetition, 20), bench.repeat (5), bench.stream_n\n"
    "(doubles per STREAM array, 2^24), bench.petsc (true if built with PETSc),\n"
    "bench.halo_off (true), bench.time_block (steps per pass and exchange: 1, N or auto)\n"
    "and bench.time_tile (auto), as partita-heat's run.time_block and run.time_tile.";

#ifdef PT_HAVE_PETSC
static const int have_petsc = 1;
#else
static const int have_petsc = 0;
#endif

typedef struct bench_opts {
  int64_t ndim, n, steps, repeat, stream_n;
  int petsc, halo_off;
  const char *time_block, *time_tile;  /* borrowed from the deck until heat_setup */
} bench_opts;

typedef struct timing {
  double best, worst;  /* seconds per step */
  int runs;
} timing;

static void timing_add(timing *t, double s) {
  if (!t->runs || s < t->best) t->best = s;
  if (!t->runs || s > t->worst) t->worst = s;
  t->runs++;
}

static int read_opts(pt_cli *cli, MPI_Comm comm, bench_opts *o, char **deck) {
  pt_config *cfg;
  PT_TRY(pt_config_load(comm, cli->input, cli->nset, cli->sets, &cfg));
  int err = pt_config_get_int(cfg, "bench.ndim", 2, 2, 3, &o->ndim);
  if (!err) err = pt_config_get_int(cfg, "bench.n", o->ndim == 2 ? 4096 : 256, 8, INT64_C(1) << 20, &o->n);
  if (!err) err = pt_config_get_int(cfg, "bench.steps", 20, 1, INT64_C(1) << 30, &o->steps);
  if (!err) err = pt_config_get_int(cfg, "bench.repeat", 5, 1, 1000, &o->repeat);
  if (!err) err = pt_config_get_int(cfg, "bench.stream_n", INT64_C(1) << 24, 1024, INT64_C(1) << 34, &o->stream_n);
  if (!err) err = pt_config_get_bool(cfg, "bench.petsc", have_petsc, &o->petsc);
  if (!err && o->petsc && !have_petsc)
    err = pt_config_error(cfg, "bench.petsc", "this build has no PETSc (reconfigure with petsc-dev)");
  if (!err) err = pt_config_get_bool(cfg, "bench.halo_off", 1, &o->halo_off);
  if (!err) err = pt_config_get_string(cfg, "bench.time_block", "1", &o->time_block);
  if (!err) err = pt_config_get_string(cfg, "bench.time_tile", "auto", &o->time_tile);
  if (!err) err = pt_config_finish(cfg);
  *deck = err ? NULL : pt_config_resolved(cfg);
  if (!err) {
    o->time_block = strdup(o->time_block);
    o->time_tile = strdup(o->time_tile);
    if (!o->time_block || !o->time_tile) err = PT_ERROR(PT_ERR_NOMEM, "out of memory");
  }
  pt_config_destroy(&cfg);
  return pt_agree(comm, err);
}

/* partita-heat's parameters for the benchmark grid: a Gaussian in a box with cold
 * (Dirichlet) walls, the halo exchange overlapped with the interior, no diagnostics. */
static int heat_setup(const bench_opts *o, pt_config **cfg, heat_params *p) {
  char text[512];
  snprintf(text, sizeof text,
           "[grid]\nndim = %lld\nnx = %lld\nny = %lld\nnz = %lld\n"
           "[initial]\ntype = gaussian\n[output]\ndiagnostics_every = 0\n"
           "[run]\nhalo = p2p\noverlap = true\ntime_block = %s\ntime_tile = %s\n",
           (long long)o->ndim, (long long)o->n, (long long)o->n, (long long)o->n, o->time_block,
           o->time_tile);
  PT_TRY(pt_config_parse_string("heat_bench", text, 0, NULL, cfg));
  PT_TRY(heat_params_read(*cfg, p));
  return pt_config_finish(*cfg);
}

/* `steps` steps of one stepper (Partita's in blocks of run.time_block); seconds per step
 * of the slowest rank. */
static int time_steps(MPI_Comm comm, heat_solver *s, heat_petsc *h, int64_t steps, double *sec) {
  PT_MPI(MPI_Barrier(comm));
  const double t0 = MPI_Wtime();
#ifdef PT_HAVE_PETSC
  for (int64_t k = 0; k < steps && h; ++k) PT_TRY(heat_petsc_step(h));
#endif
  if (!h) PT_TRY(heat_solver_advance(s, steps));
  double t = (MPI_Wtime() - t0) / (double)steps;
  PT_MPI(MPI_Allreduce(&t, sec, 1, MPI_DOUBLE, MPI_MAX, comm));
  return PT_OK;
}

static void add_timing(pt_report *rep, const char *name, const timing *t) {
  char key[64];
  snprintf(key, sizeof key, "%s_step_s", name);
  pt_report_add_double(rep, "results", key, t->best);
  snprintf(key, sizeof key, "%s_step_s_worst", name);
  pt_report_add_double(rep, "results", key, t->worst);
}

static int run(const bench_opts *o, MPI_Comm comm, const char *deck, const char *report) {
  int size;
  MPI_Comm_size(comm, &size);

  pt_config *cfg = NULL;
  heat_params p;
  pt_timers *timers = NULL;
  heat_solver *s = NULL;
  heat_petsc *h = NULL;
  int err = heat_setup(o, &cfg, &p);
  if (!err) err = pt_timers_create(&timers);
  err = pt_agree(comm, err);
  if (!err) err = heat_solver_create(comm, &p, timers, &s);
  if (!err) heat_solver_init(s);
#ifdef PT_HAVE_PETSC
  if (!err && o->petsc) err = pt_agree(comm, heat_petsc_create(comm, &p, &h));
#endif

  /* Same step, same bits: both steppers advance 3 steps from the same field. */
  int same_boxes = 0;
  double diff = 0;
#ifdef PT_HAVE_PETSC
  for (int k = 0; k < 3 && !err && h; ++k) {
    err = heat_solver_step(s);
    if (!err) err = heat_petsc_step(h);
  }
  if (!err && h) {
    const pt_field *f = heat_solver_field(s);
    err = heat_petsc_compare(h, s->decomp, f->data, f->stride, &same_boxes, &diff);
    if (!err)
      pt_log(PT_LOG_INFO, "PETSc step vs Partita step after 3 steps: %s %.3g", same_boxes ?
             "max |difference|" : "relative difference of the sums", diff);
  }
#endif

  timing part = {0}, off = {0}, pets = {0};
  bench_stream st = {0, 0, 0, 0};
  const int do_off = o->halo_off && size > 1;
  for (int64_t r = 0; r < o->repeat && !err; ++r) {
    /* STREAM takes its turn in every repetition, so the ratio's two sides see the same
     * machine (on a shared host the load changes within seconds). */
    bench_stream s1;
    err = bench_stream_run(comm, o->stream_n, 2, &s1);
    if (err) break;
    if (s1.copy > st.copy) st.copy = s1.copy;
    if (s1.triad > st.triad) st.triad = s1.triad;
    if (r == 0 || s1.copy_worst < st.copy_worst) st.copy_worst = s1.copy_worst;
    double sec;
    p.halo_off = 0;
    err = time_steps(comm, s, NULL, o->steps, &sec);
    if (!err) timing_add(&part, sec);
    if (!err && do_off) {
      /* Benchmark only: ghosts go stale, the timing is what matters here. */
      p.halo_off = 1;
      err = time_steps(comm, s, NULL, o->steps, &sec);
      p.halo_off = 0;
      if (!err) timing_add(&off, sec);
    }
    if (!err && h) {
      err = time_steps(comm, NULL, h, o->steps, &sec);
      if (!err) timing_add(&pets, sec);
    }
  }
  err = pt_agree(comm, err);

  pt_report *rep = NULL;
  if (!err) err = pt_report_create(prog, &rep);
  if (!err) {
    const double cells = (double)pt_decomp_global_cells(s->decomp);
    const double lups = cells / part.best, frac = lups * 16.0 / 1e9 / st.copy;
    pt_log(PT_LOG_INFO, "%s: %d rank(s) x %d thread(s); STREAM copy %.1f GB/s (worst %.1f), "
           "triad %.1f GB/s", prog, size, omp_get_max_threads(), st.copy, st.copy_worst, st.triad);
    pt_log(PT_LOG_INFO, "Partita (%d step(s) per pass): %.4g s/step (worst %.4g), %.4g lattice "
           "updates/s, x 16 B = %.2f GB/s = %.3f of STREAM copy", s->st.time_block, part.best,
           part.worst, lups, lups * 16 / 1e9, frac);
    pt_report_add_int(rep, "settings", "ndim", o->ndim);
    pt_report_add_int(rep, "settings", "n", o->n);
    pt_report_add_int(rep, "settings", "ranks", size);
    pt_report_add_int(rep, "settings", "steps", o->steps);
    pt_report_add_int(rep, "settings", "repeat", o->repeat);
    pt_report_add_int(rep, "settings", "time_block", s->st.time_block);
    pt_report_add_double(rep, "results", "stream_copy_GBs", st.copy);
    pt_report_add_double(rep, "results", "stream_copy_GBs_worst", st.copy_worst);
    pt_report_add_double(rep, "results", "stream_triad_GBs", st.triad);
    add_timing(rep, "partita", &part);
    pt_report_add_double(rep, "results", "lattice_updates_per_s", lups);
    pt_report_add_double(rep, "results", "bandwidth_fraction", frac);
    pt_report_add_double(rep, "results", "bandwidth_fraction_worst",
                         cells / part.worst * 16.0 / 1e9 / st.copy);
    if (do_off) {
      pt_log(PT_LOG_INFO, "halo off: %.4g s/step (worst %.4g); overlap ratio %.3f",
             off.best, off.worst, part.best / off.best);
      add_timing(rep, "halo_off", &off);
      pt_report_add_double(rep, "results", "overlap_ratio", part.best / off.best);
    }
    if (h) {
      pt_log(PT_LOG_INFO, "PETSc DMDA: %.4g s/step (worst %.4g); Partita is %.2fx faster",
             pets.best, pets.worst, pets.best / part.best);
      add_timing(rep, "petsc", &pets);
      pt_report_add_double(rep, "results", "petsc_over_partita", pets.best / part.best);
      pt_report_add_double(rep, "results", same_boxes ? "petsc_max_abs_diff" : "petsc_sum_rel_diff", diff);
    }
  }
  if (!err && report) err = pt_report_write(rep, timers, comm, deck, report);
  pt_report_destroy(&rep);
#ifdef PT_HAVE_PETSC
  heat_petsc_destroy(&h);
#endif
  heat_solver_destroy(&s);
  pt_timers_destroy(&timers);
  pt_config_destroy(&cfg);
  return err;
}

int main(int argc, char **argv) {
  pt_cli cli;
  bench_opts o = {0};
  char *deck = NULL;
  int err = pt_cli_begin(&cli, &argc, &argv, prog, usage, 0);
  MPI_Comm comm = MPI_COMM_WORLD;
  if (!err) err = read_opts(&cli, comm, &o, &deck);
#ifdef PT_HAVE_PETSC
  int petsc = 0;
  if (!err && o.petsc) {
    PetscOptionsSetValue(NULL, "-no_signal_handler", NULL);
    err = pt_agree(comm, PetscInitialize(NULL, NULL, NULL, NULL)
                             ? PT_ERROR(PT_ERR_RUNTIME, "PetscInitialize failed") : PT_OK);
    petsc = !err;
  }
#endif
  if (!err) err = run(&o, comm, deck, cli.report);
  err = pt_cli_end(comm, prog, err);
  free(deck);
  free((char *)o.time_block);
  free((char *)o.time_tile);
  pt_cli_free(&cli);
#ifdef PT_HAVE_PETSC
  if (petsc) PetscFinalize();
#endif
  MPI_Finalize();
  return pt_error_exit_code(err);
}
