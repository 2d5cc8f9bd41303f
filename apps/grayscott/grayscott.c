/* partita-grayscott: the Gray-Scott reaction-diffusion system
 *   du/dt = Du lap(u) - u v^2 + F (1 - u),   dv/dt = Dv lap(v) + u v^2 - (F + k) v
 * on a 2D or 3D box, forward Euler, domain-decomposed. Written against the installed
 * library alone (docs/tutorial.md walks through it): Partita decomposes the grid,
 * exchanges the ghosts, reads the deck, runs the step loop with its output, checkpoints,
 * stops and progress line, and writes the report. The in-tree build with CUDA or OpenCL
 * adds device back-ends (run.backend; the tables below). */
#include <math.h>
#include <omp.h>
#include <partita.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grayscott_device.h"

static const char *const prog = "partita-grayscott";
static const char *const usage =
    "Gray-Scott reaction-diffusion (fields u and v) on a periodic or zero-flux 2D or 3D\n"
    "box, explicit. --help-keys lists the deck keys (docs/keys.md explains them).";
static const char *const names[2] = {"u", "v"};

/* A device back-end (grayscott_device.h) keeps both buffers of u and v on a device and
 * computes them as update() does, bit for bit. The in-tree build links one per device
 * kind it has (grayscott_cuda.cu, grayscott_opencl.c) and defines GRAYSCOTT_CUDA or
 * GRAYSCOTT_OPENCL: the only #ifdefs. Built alone, this is the CPU program. */
#ifdef GRAYSCOTT_CUDA
static const gs_device_ops *const cuda = &grayscott_cuda;
#else
static const gs_device_ops *const cuda = NULL;
#endif
#ifdef GRAYSCOTT_OPENCL
static const gs_device_ops *const opencl = &grayscott_opencl;
#else
static const gs_device_ops *const opencl = NULL;
#endif

typedef struct gs {
  pt_cli cli;
  pt_config *cfg;
  char *deck;
  int ndim, neumann, init;               /* init: 0 square, 1 mode */
  int halo, backend;                     /* pt_halo_kind, pt_backend (cpu or cuda after setup) */
  int64_t n[PT_MAXDIM], mode[PT_MAXDIM], seed, step;
  double h[PT_MAXDIM], F, k, D[2], dt, time, amplitude, size;
  pt_run_cadence cadence;
  pt_units units;
  pt_decomp *decomp;
  pt_field *f[2][2];                     /* [buffer][u, v] */
  pt_halo *halo_of[2][2];                /* the CPU's exchanges */
  const gs_device_ops *device;           /* the device back-end, or NULL */
  void *dev;                             /* its state */
  pt_opencl_options ocl;                 /* the [opencl] keys */
  int cur, t_compute, t_halo;
  pt_timers *timers;
  pt_series *series;
  pt_run loop;
} gs;

static int read_deck(gs *g) {
  static const char *const bcs[] = {"periodic", "neumann", NULL};
  static const char *const inits[] = {"square", "mode", NULL}, *const xyz[] = {"x", "y", "z"};
  int64_t v;
  PT_TRY(pt_config_get_int(g->cfg, "grid.ndim", 2, 2, 3, &v));
  g->ndim = (int)v;
  for (int l = 0; l < PT_MAXDIM; ++l) { /* x, y, z: x is the fastest (last) array axis */
    const int a = l < g->ndim ? g->ndim - 1 - l : l;
    const char *const pre[3] = {"grid.n", "grid.l", "initial.mode_"};
    char key[3][32];
    double len;
    for (int q = 0; q < 3; ++q) snprintf(key[q], sizeof key[q], "%s%s", pre[q], xyz[l]);
    PT_TRY(pt_config_get_int(g->cfg, key[0], 128, 3, INT64_C(1) << 40, &g->n[a]));
    PT_TRY(pt_config_get_double(g->cfg, key[1], (double)g->n[a], 1e-300, 1e300, &len));
    PT_TRY(pt_config_get_int(g->cfg, key[2], 1, 0, g->n[a] / 2, &g->mode[a]));
    g->h[a] = len / (double)g->n[a];
    for (int q = 0; l >= g->ndim && q < 3; ++q) PT_TRY(pt_config_unused(g->cfg, key[q])); /* no z */
  }
  PT_TRY(pt_config_get_choice(g->cfg, "boundary.type", "periodic", bcs, &g->neumann));
  PT_TRY(pt_config_get_double(g->cfg, "grayscott.F", 0.035, 0, 1, &g->F));
  PT_TRY(pt_config_get_double(g->cfg, "grayscott.k", 0.065, 0, 1, &g->k));
  PT_TRY(pt_config_get_double(g->cfg, "grayscott.Du", 0.16, 0, 1e300, &g->D[0]));
  PT_TRY(pt_config_get_double(g->cfg, "grayscott.Dv", 0.08, 0, 1e300, &g->D[1]));
  PT_TRY(pt_config_get_double(g->cfg, "time.dt", 1.0, 1e-300, 1e300, &g->dt));
  PT_TRY(pt_config_get_int(g->cfg, "time.steps", 1000, 0, INT64_C(1) << 50, &g->cadence.steps));
  PT_TRY(pt_config_get_choice(g->cfg, "initial.type", "square", inits, &g->init));
  PT_TRY(pt_config_get_int(g->cfg, "initial.seed", 1, 0, INT64_MAX, &g->seed));
  PT_TRY(pt_config_get_double(g->cfg, "initial.amplitude", 0.01, 0, 1, &g->amplitude));
  PT_TRY(pt_config_get_double(g->cfg, "initial.size", 0.1, 0, 1, &g->size));
  PT_TRY(pt_config_get_choice(g->cfg, "run.halo", "p2p", pt_halo_kind_names, &g->halo));
  PT_TRY(pt_config_get_choice(g->cfg, "run.backend", "cpu", pt_backend_names, &g->backend));
  PT_TRY(pt_opencl_read(g->cfg, &g->ocl));
  const char *why = "this build has no CUDA back-end";
  if (g->backend == PT_BACKEND_CUDA && (!cuda || !pt_device_count(&why)))
    return pt_config_error(g->cfg, "run.backend", "'cuda' needs a usable CUDA device (%s)", why);
  if (g->backend == PT_BACKEND_OPENCL && !opencl)
    return pt_config_error(g->cfg, "run.backend", "'opencl' needs a usable OpenCL device (this build "
                           "has no OpenCL back-end)");
  if (g->backend == PT_BACKEND_OPENCL) PT_TRY(pt_opencl_check_deck(&g->ocl));
  PT_TRY(pt_units_read(g->cfg, PT_UNIT_BIT(PT_UNIT_LENGTH) | PT_UNIT_BIT(PT_UNIT_TIME), &g->units));
  PT_TRY(pt_run_read(g->cfg, 100, &g->cadence));
  double s = 0; /* forward Euler is stable while dt D sum(2 / h^2) <= 1 for the faster field */
  for (int a = 0; a < g->ndim; ++a) s += 2.0 / (g->h[a] * g->h[a]);
  const double limit = 1.0 / (fmax(g->D[0], g->D[1]) * s);
  if (g->dt > limit)
    return pt_config_error(g->cfg, "time.dt", "%.6g exceeds the stability limit %.6g", g->dt,
                           limit);
  return PT_OK;
}

/* The seeded square: u = 1, v = 0 outside, u = 1/2, v = 1/4 inside, plus noise in
 * [0, amplitude) drawn from the global cell index, so that every decomposition starts
 * from the same field. The Fourier mode: u = 1 - a c, v = a c, c = prod cos(2 pi m x / L). */
static void initial(gs *g) {
  pt_field *u = g->f[g->cur][0], *v = g->f[g->cur][1];
  const int64_t total = pt_decomp_local_cells(g->decomp);
#pragma omp parallel for schedule(static)
  for (int64_t c = 0; c < total; ++c) {
    int64_t idx[PT_MAXDIM] = {0}, r = c, gi = 0;
    int inside = 1;
    double mode = g->amplitude;
    for (int a = g->ndim - 1; a >= 0; --a) { idx[a] = r % u->n[a]; r /= u->n[a]; }
    for (int a = 0; a < g->ndim; ++a) {
      const int64_t i = g->decomp->lo[a] + idx[a];
      gi = gi * g->n[a] + i;
      inside &= fabs((double)i + 0.5 - 0.5 * (double)g->n[a]) < 0.5 * g->size * (double)g->n[a];
      mode *= cos(2 * M_PI * (double)g->mode[a] * ((double)i + 0.5) / (double)g->n[a]);
    }
    uint64_t z = (uint64_t)gi * UINT64_C(0x9E3779B97F4A7C15) + (uint64_t)g->seed; /* splitmix64 */
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    const double noise = g->amplitude * (double)((z ^ (z >> 31)) >> 11) * 0x1p-53;
    const ptrdiff_t o = pt_field_offset(u, idx);
    u->data[o] = g->init ? 1.0 - mode : (inside ? 0.5 : 1.0) + noise;
    v->data[o] = g->init ? mode : (inside ? 0.25 : 0.0) + noise;
  }
}

/* Every owned cell from buffer cur into the other, the zero-flux walls filled first. */
static void update(gs *g) {
  pt_field *const *in = g->f[g->cur], *const *out = g->f[1 - g->cur];
  for (int q = 0; g->neumann && q < 2; ++q)
    for (int a = 0; a < g->ndim; ++a)
      for (int side = 0; side < 2; ++side) pt_field_wall(in[q], a, side, PT_WALL_NEUMANN, 0);
  /* Rows along the fastest axis; in 2D the slowest of three loop axes has one layer. */
  const int o = 3 - g->ndim;
  int64_t n[3] = {1, 1, 1}, st[3] = {0, 0, 0};
  double c[3] = {0, 0, 0};
  for (int a = 0; a < g->ndim; ++a) {
    n[a + o] = in[0]->n[a];
    st[a + o] = in[0]->stride[a];
    c[a + o] = 1.0 / (g->h[a] * g->h[a]);
  }
  const double dt = g->dt, F = g->F, Fk = g->F + g->k, Du = g->D[0], Dv = g->D[1];
#pragma omp parallel for collapse(2) schedule(static)
  for (int64_t i = 0; i < n[0]; ++i)
    for (int64_t j = 0; j < n[1]; ++j) {
      const ptrdiff_t r = (ptrdiff_t)(i * st[0] + j * st[1]);
      const double *u = in[0]->data + r, *v = in[1]->data + r;
      double *un = out[0]->data + r, *vn = out[1]->data + r;
      for (int64_t m = 0; m < n[2]; ++m) {
        double lu = 0, lv = 0;
        for (int a = 3 - g->ndim; a < 3; ++a) {
          const ptrdiff_t s = a == 2 ? 1 : (ptrdiff_t)st[a];
          lu += c[a] * (u[m + s] + u[m - s] - 2.0 * u[m]);
          lv += c[a] * (v[m + s] + v[m - s] - 2.0 * v[m]);
        }
        const double uvv = u[m] * v[m] * v[m];
        un[m] = u[m] + dt * (Du * lu - uvv + F * (1.0 - u[m]));
        vn[m] = v[m] + dt * (Dv * lv + uvv - Fk * v[m]);
      }
    }
}

/* One forward Euler step of both fields: exchange the ghosts of u and v together, update.
 * A device back-end does both where the fields live. */
static int step(void *ctx, int diagnostics_due) {
  (void)diagnostics_due;
  gs *g = ctx;
  pt_timers_start(g->timers, g->t_halo);
  if (g->dev) PT_TRY(g->device->exchange(g->dev, g->cur));
  for (int q = 0; !g->dev && q < 2; ++q) PT_TRY(pt_halo_begin(g->halo_of[g->cur][q]));
  for (int q = 0; !g->dev && q < 2; ++q) PT_TRY(pt_halo_end(g->halo_of[g->cur][q]));
  pt_timers_stop(g->timers, g->t_halo);
  pt_timers_start(g->timers, g->t_compute);
  if (g->dev) PT_TRY(g->device->update(g->dev, g->cur));
  else update(g);
  pt_timers_stop(g->timers, g->t_compute);
  g->cur = 1 - g->cur;
  g->step++;
  g->time = (double)g->step * g->dt;
  return PT_OK;
}

/* u and v on the host, copied back from a device first: output, diagnostics, checkpoints. */
static pt_field **current(gs *g) {
  if (g->dev) g->device->to_host(g->dev, g->cur);
  return g->f[g->cur];
}

/* The totals and ranges of u and v: the same on any rank count. */
static int diagnostics(void *ctx) {
  gs *g = ctx;
  pt_stats st[2];
  for (int q = 0; q < 2; ++q) PT_TRY(pt_reduce_field(current(g)[q], &st[q]));
  pt_log(PT_LOG_DEBUG, "step %lld t=%.6g  u: sum %.17g in [%.6g, %.6g]  v: sum %.17g in "
         "[%.6g, %.6g]", (long long)g->step, g->time, st[0].sum, st[0].min, st[0].max, st[1].sum,
         st[1].min, st[1].max);
  return PT_OK;
}

static int output(void *ctx) {
  gs *g = ctx;
  /* u and v are concentrations relative to the feed: dimensionless */
  pt_mesh_info m = {.unit_si = 1, .grid_unit_si = g->units.base[PT_UNIT_LENGTH]};
  for (int a = 0; a < g->ndim; ++a) {
    m.grid_spacing[a] = g->h[a];
    m.position[a] = 0.5;
  }
  for (int q = 0; q < 2; ++q)
    PT_TRY(pt_series_write_mesh(g->series, g->step, g->time, g->dt, names[q], current(g)[q], &m));
  return PT_OK;
}

static void checkpoint_of(gs *g, pt_checkpoint *ck) {
  *ck = (pt_checkpoint){.app = prog, .step = g->step, .time = g->time, .dt = g->dt,
                        .deck = g->deck, .nfields = 2, .field_names = names, .fields = current(g)};
}

static int checkpoint(void *ctx) {
  gs *g = ctx;
  pt_checkpoint ck;
  checkpoint_of(g, &ck);
  return pt_checkpoint_write(g->decomp->cart, g->cli.output_dir, &ck);
}

/* Everything that can fail on bad input, before anything is written. */
static int setup(gs *g, MPI_Comm comm) {
  PT_TRY(pt_config_load(comm, g->cli.input, g->cli.nset, g->cli.sets, &g->cfg));
  int err = read_deck(g);
  if (!err) err = pt_config_finish(g->cfg);
  if (!err) err = pt_cli_help_keys(&g->cli, g->cfg, comm);
  if (!err && !g->cli.input && !g->cli.nset)
    err = PT_ERROR(PT_ERR_INPUT, "no input deck (usage: %s INPUT.ini [options], see --help)", prog);
  PT_TRY(pt_agree(comm, err));
  const int periodic[PT_MAXDIM] = {!g->neumann, !g->neumann, !g->neumann};
  PT_TRY(pt_decomp_create(comm, g->ndim, g->n, periodic, NULL, &g->decomp));
  if (g->cli.dry_run) {
    char grid[96], backend[512];
    if (g->decomp->rank == 0)
      printf("%s --dry-run: %dD grid %s on %d rank(s), %lld steps, backend %s; nothing computed, "
             "nothing written\n", prog, g->ndim, pt_decomp_shape(grid, sizeof grid, g->ndim, g->n),
             g->decomp->size, (long long)g->cadence.steps,
             pt_device_describe((pt_backend)g->backend, opencl ? &g->ocl : NULL, backend, sizeof backend));
    return PT_EXIT;
  }
  pt_device_info dev; /* auto: a device if every rank has one, else the CPU with a notice */
  PT_TRY(pt_device_select_with(comm, cuda || opencl ? (pt_backend)g->backend : PT_BACKEND_CPU,
                               opencl ? &g->ocl : NULL, &dev));
  g->backend = (int)dev.backend;
  for (int b = 0; b < 2; ++b)
    for (int q = 0; q < 2; ++q) {
      PT_TRY(pt_agree(comm, pt_field_create(g->decomp, 1, &g->f[b][q])));
      if (dev.backend == PT_BACKEND_CPU)
        PT_TRY(pt_halo_create(g->f[b][q], (pt_halo_kind)g->halo, &g->halo_of[b][q]));
    }
  g->device = dev.backend == PT_BACKEND_CUDA ? cuda : dev.backend == PT_BACKEND_OPENCL ? opencl : NULL;
  if (g->device)
    PT_TRY(g->device->create(g->cfg, g->f, g->halo, &dev, &g->ocl, g->h, g->dt, g->F, g->k, g->D, &g->dev));
  g->deck = pt_config_resolved(g->cfg);
  PT_TRY(pt_timers_create(&g->timers));
  PT_TRY(pt_timers_add(g->timers, "total") < 0 ? PT_ERR_NOMEM : PT_OK);
  g->t_compute = pt_timers_add(g->timers, "compute");
  g->t_halo = pt_timers_add(g->timers, "halo");
  PT_TRY(pt_cli_prepare_output(&g->cli, comm));
  const pt_run_ops ops = {g, step, diagnostics, output, checkpoint, &g->step, &g->time, NULL, 1};
  PT_TRY(pt_run_init(&g->loop, g->decomp->cart, prog, g->cli.output_dir, &g->cadence, &ops,
                     g->timers, g->cli.max_walltime, g->cli.restart != NULL));
  PT_TRY(pt_agree(comm, pt_signal_install()));
  if (!g->cli.restart) {
    initial(g);
    return PT_OK;
  }
  pt_checkpoint ck;
  checkpoint_of(g, &ck);
  PT_TRY(pt_checkpoint_read(g->decomp->cart, g->cli.restart, g->cli.output_dir, &ck));
  g->step = ck.step;
  g->time = ck.time;
  pt_log(PT_LOG_INFO, "restarting from %s at step %lld", ck.path, (long long)ck.step);
  pt_checkpoint_release(&ck);
  return PT_OK;
}

static int run(gs *g) {
  char grid[96], path[PT_PATH_MAX];
  pt_log(PT_LOG_INFO, "%s: %dD grid %s on %d rank(s) x %d thread(s), F %g k %g Du %g Dv %g dt %g, "
         "steps %lld to %lld, %s, halo %s, backend %s", prog, g->ndim,
         pt_decomp_shape(grid, sizeof grid, g->ndim, g->n), g->decomp->size, omp_get_max_threads(),
         g->F, g->k, g->D[0], g->D[1], g->dt, (long long)g->step, (long long)g->cadence.steps,
         g->neumann ? "zero-flux walls" : "periodic", pt_halo_kind_names[g->halo],
         pt_backend_names[g->backend]);
  PT_TRY(pt_run_series_path(&g->cadence, g->cli.output_dir, "grayscott", path, sizeof path));
  const pt_series_info info = {.software = prog, .deck = g->deck, .append = g->cli.restart != NULL,
                               .time_unit_si = g->units.base[PT_UNIT_TIME],
                               .unit_system = pt_units_system(&g->units)};
  PT_TRY(pt_series_open(g->decomp->cart, path, &info, &g->series));
  return pt_run_loop(&g->loop);
}

static int report(gs *g) {
  return pt_run_report_lattice(&g->loop, g->decomp, pt_halo_kind_names[g->halo],
                               pt_backend_names[g->backend], &g->cli, g->deck);
}

int main(int argc, char **argv) {
  static gs g;
  int err = pt_cli_begin(&g.cli, &argc, &argv, prog, usage, 0);
  if (!err) err = setup(&g, MPI_COMM_WORLD);
  if (!err) err = run(&g);
  const int rerr = !err || err == PT_STOP ? report(&g) : PT_OK; /* a stop still reports */
  if (rerr) err = rerr;
  err = pt_cli_end(MPI_COMM_WORLD, prog, err);
  if (g.series) pt_series_close(&g.series);
  if (g.dev) g.device->destroy(&g.dev);
  for (int b = 0; b < 2; ++b)
    for (int q = 0; q < 2; ++q) {
      pt_halo_destroy(&g.halo_of[b][q]);
      pt_field_destroy(&g.f[b][q]);
    }
  pt_decomp_destroy(&g.decomp);
  pt_timers_destroy(&g.timers);
  pt_config_destroy(&g.cfg);
  free(g.deck);
  pt_cli_free(&g.cli);
  MPI_Finalize();
  return pt_error_exit_code(err);
}
