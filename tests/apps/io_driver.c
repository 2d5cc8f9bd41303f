/* io_driver: a miniature Partita app for the I/O tests. It steps a grid field and a
 * particle set with deterministic updates (bitwise the same for any rank count), writes
 * openPMD output and checkpoints, restarts, and stops on SIGUSR1/SIGTERM/--max-walltime
 * like the real apps. Settings come from --set (section "driver"):
 *   nx, ny, nz (nz = 0: 2D), steps, output_every, checkpoint_every, particles, sleep_ms
 *   px, py, pz (process grid, 0 = automatic)
 * It writes DIR/pid.<rank> at start so tests can signal one rank. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "partita.h"

#define PROG "io_driver"

typedef struct settings {
  int64_t n[3], steps, output_every, checkpoint_every, np, sleep_ms, dims[3];
} settings;

static int read_settings(pt_config *cfg, settings *s) {
  static const char *const nkeys[3] = {"driver.nx", "driver.ny", "driver.nz"};
  static const char *const pkeys[3] = {"driver.px", "driver.py", "driver.pz"};
  for (int a = 0; a < 3; ++a) {
    PT_TRY(pt_config_get_int(cfg, nkeys[a], a < 2 ? 24 : 0, a < 2 ? 1 : 0, 1 << 20, &s->n[a]));
    PT_TRY(pt_config_get_int(cfg, pkeys[a], 0, 0, 1 << 16, &s->dims[a]));
  }
  PT_TRY(pt_config_get_int(cfg, "driver.steps", 10, 0, INT64_MAX, &s->steps));
  PT_TRY(pt_config_get_int(cfg, "driver.output_every", 5, 0, INT64_MAX, &s->output_every));
  PT_TRY(pt_config_get_int(cfg, "driver.checkpoint_every", 0, 0, INT64_MAX, &s->checkpoint_every));
  PT_TRY(pt_config_get_int(cfg, "driver.particles", 100, 0, 1 << 30, &s->np));
  PT_TRY(pt_config_get_int(cfg, "driver.sleep_ms", 0, 0, 60000, &s->sleep_ms));
  return pt_config_finish(cfg);
}

/* The run's state: a field and this rank's particles (SoA). */
typedef struct state {
  pt_decomp *d;
  pt_field *u;
  int64_t np;
  uint64_t *id;
  double *x[3], *v[3], *mass;
} state;

static const double dt = 0.01;

static void step_field(pt_field *u, int64_t step) {
  const pt_decomp *d = u->decomp;
  int64_t idx[3] = {0, 0, 0}, cells = pt_decomp_local_cells(d);
  for (int64_t i = 0; i < cells; ++i) {
    int64_t r = i, g = 0;
    for (int a = u->ndim - 1; a >= 0; --a) {
      idx[a] = r % u->n[a];
      r /= u->n[a];
    }
    for (int a = 0; a < u->ndim; ++a) g = g * d->gsize[a] + d->lo[a] + idx[a];
    double *p = u->data + pt_field_offset(u, idx);
    *p = 0.5 * *p + cos(1e-3 * (double)g + (double)step);
  }
}

static void step_particles(state *st) {
  for (int64_t i = 0; i < st->np; ++i)
    for (int c = 0; c < 3; ++c) {  /* harmonic oscillator, symplectic Euler */
      st->v[c][i] -= dt * st->x[c][i];
      st->x[c][i] += dt * st->v[c][i];
    }
}

static int alloc_particles(state *st, int64_t n) {
  st->np = n;
  st->id = malloc(sizeof(uint64_t) * (size_t)(n ? n : 1));
  st->mass = malloc(sizeof(double) * (size_t)(n ? n : 1));
  int ok = st->id && st->mass;
  for (int c = 0; c < 3; ++c) {
    st->x[c] = malloc(sizeof(double) * (size_t)(n ? n : 1));
    st->v[c] = malloc(sizeof(double) * (size_t)(n ? n : 1));
    ok = ok && st->x[c] && st->v[c];
  }
  return ok ? PT_OK : PT_ERROR(PT_ERR_NOMEM, "out of memory for %" PRId64 " particles", n);
}

static void free_particles(state *st) {
  free(st->id);
  free(st->mass);
  for (int c = 0; c < 3; ++c) {
    free(st->x[c]);
    free(st->v[c]);
  }
}

static void particle_records(state *st, pt_particle_record rec[3]) {
  pt_particle_record r[3] = {
      {"position", 3, {st->x[0], st->x[1], st->x[2]}, 1.0, {1, 0, 0, 0, 0, 0, 0}},
      {"velocity", 3, {st->v[0], st->v[1], st->v[2]}, 1.0, {1, 0, -1, 0, 0, 0, 0}},
      {"mass", 1, {st->mass}, 1.0, {0, 1, 0, 0, 0, 0, 0}}};
  for (int i = 0; i < 3; ++i) rec[i] = r[i];
}

static const char *const field_names[1] = {"T"};

static void checkpoint_of(state *st, int64_t step, const char *deck, pt_particle_record rec[3],
                          pt_checkpoint *ck) {
  particle_records(st, rec);
  *ck = (pt_checkpoint){.app = PROG, .step = step, .time = dt * (double)step, .dt = dt,
                        .deck = deck, .nfields = 1, .field_names = field_names,
                        .fields = &st->u, .species = "stars", .np = st->np, .id = st->id,
                        .nrec = 3, .recs = rec};
}

static int initial_state(state *st, int64_t total) {
  int rank, size;
  MPI_Comm_rank(st->d->cart, &rank);
  MPI_Comm_size(st->d->cart, &size);
  int64_t first, n;
  pt_decomp_block(total, size, rank, &first, &n);
  PT_TRY(alloc_particles(st, n));
  for (int64_t i = 0; i < n; ++i) {
    uint64_t id = (uint64_t)(first + i);
    st->id[i] = id;
    st->mass[i] = 1.0 + 1e-3 * (double)id;
    for (int c = 0; c < 3; ++c) {
      st->x[c][i] = sin(0.1 * (double)id + c);
      st->v[c][i] = 0.0;
    }
  }
  pt_field_fill(st->u, 0.0);
  return PT_OK;
}

static int restore(state *st, const pt_cli *cli, int64_t *step) {
  pt_particle_record rec[3];
  pt_checkpoint ck;
  checkpoint_of(st, 0, NULL, rec, &ck);
  int err = pt_checkpoint_read(st->d->cart, cli->restart, cli->output_dir, &ck);
  if (!err) {
    const pt_io_particles *p = &ck.particles;
    err = alloc_particles(st, p->n);
    for (int64_t i = 0; !err && i < p->n; ++i) {
      st->id[i] = p->id[i];
      st->mass[i] = p->rec[2].comp[0][i];
      for (int c = 0; c < 3; ++c) {
        st->x[c][i] = p->rec[0].comp[c][i];
        st->v[c][i] = p->rec[1].comp[c][i];
      }
    }
    *step = ck.step;
    pt_log(PT_LOG_INFO, "%s: restarted from %s at step %" PRId64, PROG, ck.path, ck.step);
  }
  pt_checkpoint_release(&ck);
  return pt_agree(st->d->cart, err);
}

static int write_output(pt_series *out, state *st, int64_t step, const settings *s) {
  pt_mesh_info m = {0};
  m.unit_dimension[4] = 1;  /* kelvin */
  for (int a = 0; a < st->u->ndim; ++a) m.grid_spacing[a] = 1.0 / (double)s->n[a];
  PT_TRY(pt_series_write_mesh(out, step, dt * (double)step, dt, "T", st->u, &m));
  pt_particle_record rec[3];
  particle_records(st, rec);
  return pt_series_write_particles(out, step, dt * (double)step, dt, "stars", st->np, st->id, 3, rec);
}

static int run(const pt_cli *cli, const char *deck, const settings *s) {
  int nd = s->n[2] > 0 ? 3 : 2, dims[3] = {(int)s->dims[0], (int)s->dims[1], (int)s->dims[2]};
  state st = {0};
  PT_TRY(pt_decomp_create(MPI_COMM_WORLD, nd, s->n, NULL, dims, &st.d));
  int err = pt_field_create(st.d, 1, &st.u);
  int64_t step = 0;
  if (!err) err = cli->restart ? restore(&st, cli, &step) : initial_state(&st, s->np);

  char path[PT_PATH_MAX];
  if (!err) err = pt_io_path(path, sizeof path, "--output", "%s/%s.h5", cli->output_dir, PROG);
  pt_series_info info = {.software = PROG, .deck = deck, .append = cli->restart != NULL};
  pt_series *out = NULL;
  if (!err) err = pt_series_open(MPI_COMM_WORLD, path, &info, &out);
  if (!err && !cli->restart && s->output_every) err = write_output(out, &st, 0, s);

  double t0 = MPI_Wtime();
  while (!err && step < s->steps) {
    step_field(st.u, step);
    step_particles(&st);
    ++step;
    if (s->sleep_ms) {
      struct timespec ts = {s->sleep_ms / 1000, (s->sleep_ms % 1000) * 1000000};
      nanosleep(&ts, NULL);
    }
    if (s->output_every && step % s->output_every == 0) err = write_output(out, &st, step, s);
    int stop = 0;
    if (!err) err = pt_signal_should_stop(MPI_COMM_WORLD, cli->max_walltime, t0, &stop);
    int periodic = s->checkpoint_every && step % s->checkpoint_every == 0;
    if (!err && (stop || periodic)) {
      pt_particle_record rec[3];
      pt_checkpoint ck;
      checkpoint_of(&st, step, deck, rec, &ck);
      err = pt_checkpoint_write(MPI_COMM_WORLD, cli->output_dir, &ck);
      if (!err && stop) {
        pt_log(PT_LOG_QUIET, "%s: stopped by %s at step %" PRId64 "; restart with --restart %s",
               PROG, pt_signal_describe(stop), step, ck.path);
        err = PT_STOP;
      }
    }
  }
  if (!err) pt_log(PT_LOG_INFO, "%s: done at step %" PRId64, PROG, step);
  pt_series_close(&out);
  free_particles(&st);
  pt_field_destroy(&st.u);
  pt_decomp_destroy(&st.d);
  return err;
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  pt_cli cli;
  int err = pt_cli_parse(&cli, argc, argv, PROG, "I/O test driver (see tests/apps/io_driver.c)", 0);
  pt_log_init(MPI_COMM_WORLD, err ? PT_LOG_INFO : cli.verbosity);
  if (!err) err = pt_signal_install();
  int rank;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  char pidfile[PT_PATH_MAX];
  if (!err)
    err = pt_io_path(pidfile, sizeof pidfile, "--output", "%s/pid.%d", cli.output_dir, rank);
  FILE *pf = err ? NULL : fopen(pidfile, "w");
  if (pf) {
    fprintf(pf, "%ld\n", (long)getpid());
    fclose(pf);
  }
  pt_config *cfg = NULL;
  char *deck = NULL;
  settings s;
  if (!err) err = pt_config_load(MPI_COMM_WORLD, cli.input, cli.nset, cli.sets, &cfg);
  if (!err) err = pt_agree(MPI_COMM_WORLD, read_settings(cfg, &s));
  if (!err) deck = pt_config_resolved(cfg);
  if (!err) err = run(&cli, deck, &s);
  if (err && err != PT_EXIT && err != PT_STOP) pt_error_report(MPI_COMM_WORLD, PROG);
  free(deck);
  pt_config_destroy(&cfg);
  pt_cli_free(&cli);
  MPI_Finalize();
  return err == PT_EXIT ? 0 : pt_error_exit_code(err);
}
