#include "pt_run.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "pt_checkpoint.h"
#include "pt_error.h"
#include "pt_log.h"
#include "pt_progress.h"
#include "pt_report.h"
#include "pt_signal.h"
#include "pt_version.h"

/* Slack for "at or past a multiple of output.every_time": times built up by adding dt
 * land a few ulps either side of the multiple they are meant to hit. */
static const double time_slack = 1e-9;

/* Wall time between the ranks' agreements on a stop: short next to any signal's grace
 * period, long next to the allreduce. */
static const double check_interval = 0.05;

int pt_run_read(pt_config *cfg, int64_t diag_default, pt_run_cadence *c) {
  const int64_t most = INT64_C(1) << 50;
  PT_TRY(pt_config_get_int(cfg, "output.every", 0, 0, most, &c->output_every));
  PT_TRY(pt_config_get_double(cfg, "output.every_time", 0.0, 0.0, DBL_MAX, &c->output_every_time));
  PT_TRY(pt_config_get_int(cfg, "output.checkpoint_every", 0, 0, most, &c->checkpoint_every));
  PT_TRY(pt_config_get_int(cfg, "output.diagnostics_every", diag_default, 0, most,
                           &c->diagnostics_every));
  PT_TRY(pt_config_get_double(cfg, "output.progress_interval", 2.0, 0.0, DBL_MAX,
                              &c->progress_interval));
  PT_TRY(pt_config_get_bool(cfg, "output.file_per_step", 0, &c->file_per_step));
  return PT_OK;
}

/* Which multiple of output.every_time simulation time t has reached. */
static double time_index(const pt_run *r, double t) {
  return floor(t / r->cadence.output_every_time + time_slack);
}

static int by_step(int64_t every, int64_t step) { return every > 0 && step % every == 0; }

int pt_run_init(pt_run *r, MPI_Comm comm, const char *prog, const char *dir,
                const pt_run_cadence *c, const pt_run_ops *ops, pt_timers *timers,
                double max_walltime, int restarted) {
  memset(r, 0, sizeof *r);
  r->comm = comm;
  r->prog = prog;
  r->dir = dir;
  r->cadence = *c;
  r->ops = *ops;
  r->timers = timers;
  r->max_walltime = max_walltime;
  r->restarted = restarted;
  r->t_total = pt_timers_add(timers, "total");
  r->t_diag = pt_timers_add(timers, "diagnostics");
  r->t_io = pt_timers_add(timers, "io");
  r->t_ckpt = pt_timers_add(timers, "checkpoint");
  r->t_stop = pt_timers_add(timers, "stop check");
  if (r->t_total < 0 || r->t_diag < 0 || r->t_io < 0 || r->t_ckpt < 0 || r->t_stop < 0)
    return PT_ERR_NOMEM;
  /* The solver's start-up work (initial forces) is one round of its own. */
  pt_timers_round(timers);
  return pt_timers_set_total(timers, r->t_total);
}

static int timed(pt_run *r, int id, int (*fn)(void *)) {
  pt_timers_start(r->timers, id);
  int err = fn(r->ops.ctx);
  pt_timers_stop(r->timers, id);
  return err;
}

static int output(pt_run *r) {
  PT_TRY(timed(r, r->t_io, r->ops.output));
  r->last_output = *r->ops.step_no;
  return PT_OK;
}

/* Output after a step: due by step count or because time passed a multiple. */
static int output_due(pt_run *r) {
  const pt_run_cadence *c = &r->cadence;
  int due = by_step(c->output_every, *r->ops.step_no);
  if (c->output_every_time > 0) {
    double k = time_index(r, *r->ops.time);
    if (k >= r->next_multiple) {
      due = 1;
      r->next_multiple = k + 1;
    }
  }
  return due;
}

static int stop_run(pt_run *r, int stop) {
  const int64_t step = *r->ops.step_no;
  if (!by_step(r->cadence.checkpoint_every, step)) PT_TRY(timed(r, r->t_ckpt, r->ops.checkpoint));
  pt_timers_stop(r->timers, r->t_total);
  r->steps_done = step - r->first;
  char path[PT_PATH_MAX];
  PT_TRY(pt_checkpoint_path(r->dir, r->prog, 0, path, sizeof path));
  pt_log(PT_LOG_INFO,
         "%s: stopped by %s at step %lld; checkpoint %s; continue with --restart "
         "latest (or --restart %s)",
         r->prog, pt_signal_describe(stop), (long long)step, path, path);
  return PT_STOP;
}

/* The ranks' common verdict on a stop, and the step of the next one: as many steps as
 * the slowest rank makes in check_interval. */
static int check_stop(pt_run *r, double t0, int *stop) {
  pt_timers_start(r->timers, r->t_stop);
  int err = pt_signal_should_stop(r->comm, r->max_walltime, t0, stop);
  const double now = MPI_Wtime();
  const int64_t step = *r->ops.step_no;
  double per_step = (now - r->last_check) / (double)(step - (r->next_check - r->check_every));
  if (!err)
    err = PT_MPI_CHECK(MPI_Allreduce(MPI_IN_PLACE, &per_step, 1, MPI_DOUBLE, MPI_MAX, r->comm));
  pt_timers_stop(r->timers, r->t_stop);
  PT_TRY(err);
  double k = per_step > 0 ? floor(check_interval / per_step) : 1;
  r->check_every = k < 1 ? 1 : k > 1e6 ? 1000000 : (int64_t)k;
  if (r->check_every < r->ops.block) r->check_every = r->ops.block;
  r->next_check = step + r->check_every;
  r->last_check = now;
  return PT_OK;
}

/* Steps from `step` to the next multiple of `every` (none: INT64_MAX). */
static int64_t until(int64_t every, int64_t step) {
  return every > 0 ? every - step % every : INT64_MAX;
}

/* How many steps the solver may take before the loop has something to do. */
static int64_t steps_to_event(const pt_run *r) {
  const pt_run_cadence *c = &r->cadence;
  const int64_t s = *r->ops.step_no;
  if (!r->ops.advance || r->ops.block <= 1 || c->output_every_time > 0) return 1;
  const int64_t due[] = {c->steps - s, until(c->diagnostics_every, s), until(c->output_every, s),
                         until(c->checkpoint_every, s), r->next_check - s};
  int64_t n = due[0];
  for (size_t k = 1; k < sizeof due / sizeof *due; ++k)
    if (due[k] < n) n = due[k];
  return n < 1 ? 1 : n;
}

int pt_run_loop(pt_run *r) {
  const pt_run_cadence *c = &r->cadence;
  const int periodic = c->output_every > 0 || c->output_every_time > 0;
  r->first = *r->ops.step_no;
  r->last_output = -1;
  if (c->output_every_time > 0) r->next_multiple = time_index(r, *r->ops.time) + 1;
  /* A restart continues a run that wrote its output up to here: the first step counts
   * as written when it was due. */
  if (r->restarted &&
      (by_step(c->output_every, r->first) ||
       (c->output_every_time > 0 &&
        fabs(*r->ops.time / c->output_every_time - (r->next_multiple - 1)) < time_slack)))
    r->last_output = r->first;
  pt_progress line;
  pt_progress_start(&line, r->first, c->steps, c->progress_interval);
  const double t0 = MPI_Wtime();
  r->check_every = 1;
  r->next_check = r->first + 1;
  r->last_check = t0;
  pt_timers_start(r->timers, r->t_total);
  pt_timers_round(r->timers);
  if (periodic && !r->restarted) PT_TRY(output(r));
  while (*r->ops.step_no < c->steps) {
    pt_timers_round(r->timers);
    const int64_t n = steps_to_event(r), next = *r->ops.step_no + n;
    const int diag = by_step(c->diagnostics_every, next) || next == c->steps;
    PT_TRY(r->ops.advance ? r->ops.advance(r->ops.ctx, n, diag) : r->ops.step(r->ops.ctx, diag));
    if (diag && r->ops.diagnostics) PT_TRY(timed(r, r->t_diag, r->ops.diagnostics));
    if (output_due(r)) PT_TRY(output(r));
    if (by_step(c->checkpoint_every, *r->ops.step_no))
      PT_TRY(timed(r, r->t_ckpt, r->ops.checkpoint));
    if (*r->ops.step_no >= r->next_check) {
      int stop;
      PT_TRY(check_stop(r, t0, &stop));
      if (stop) return stop_run(r, stop);
    }
    pt_progress_update(&line, *r->ops.step_no, *r->ops.time);
  }
  if (r->last_output != *r->ops.step_no) PT_TRY(output(r));
  pt_timers_stop(r->timers, r->t_total);
  r->steps_done = *r->ops.step_no - r->first;
  return PT_OK;
}

double pt_run_step_seconds(const pt_run *r) {
  return pt_timers_elapsed(r->timers, r->t_total) - pt_timers_elapsed(r->timers, r->t_io) -
         pt_timers_elapsed(r->timers, r->t_ckpt);
}

int64_t pt_run_output_count(const pt_run_cadence *c, double dt) {
  const int64_t every = c->output_every, steps = c->steps;
  int64_t n = every ? steps / every + 1 + (steps % every != 0) : 1;
  if (c->output_every_time > 0) n += (int64_t)((double)steps * dt / c->output_every_time) + !every;
  return n;
}

int pt_run_series_path(const pt_run_cadence *c, const char *dir, const char *name, char *out,
                       size_t len) {
  return pt_io_path(out, len, NULL, "%s/%s%s.h5", dir, name, c->file_per_step ? "_%T" : "");
}

int pt_run_report_lattice(const pt_run *r, const pt_decomp *d, const char *halo,
                          const char *backend, const pt_cli *cli, const char *deck) {
  double t = pt_run_step_seconds(r), tmax;
  PT_MPI(MPI_Allreduce(&t, &tmax, 1, MPI_DOUBLE, MPI_MAX, r->comm));
  const double cells = (double)pt_decomp_global_cells(d);
  const double lups = tmax > 0 ? cells * (double)r->steps_done / tmax : 0;
  pt_log(PT_LOG_INFO, "%.4g lattice updates/s (%.4g per rank) over %.3f s", lups, lups / d->size, tmax);
  if (pt_log_verbosity() >= PT_LOG_INFO) PT_TRY(pt_timers_print(r->timers, r->comm, stdout));
  if (!cli->report) return PT_OK;
  pt_report *rep = NULL;
  /* Agreed: what follows is collective. */
  PT_TRY(pt_agree(r->comm, pt_report_create(r->prog, &rep)));
  pt_report_add_int(rep, "results", "steps", *r->ops.step_no);
  pt_report_add_double(rep, "results", "time", *r->ops.time);
  pt_report_add_double(rep, "results", "cells", cells);
  pt_report_add_double(rep, "results", "lattice_updates_per_s", lups);
  pt_report_add_double(rep, "results", "seconds", tmax);
  pt_report_add_int(rep, "layout", "ndim", d->ndim);
  for (int a = 0; a < d->ndim; ++a) {
    char key[16];
    snprintf(key, sizeof key, "ranks_%s", pt_decomp_axis_name(d->ndim, a));
    pt_report_add_int(rep, "layout", key, d->dims[a]);
  }
  pt_report_add_string(rep, "layout", "halo", halo);
  pt_report_add_string(rep, "layout", "backend", backend);
  pt_report_add_int(rep, "layout", "steps_per_block", r->ops.block > 1 ? r->ops.block : 1);
  int err = pt_version_report(rep, r->comm, cli->argc, cli->argv);
  if (!err) err = pt_report_write(rep, r->timers, r->comm, deck, cli->report);
  pt_report_destroy(&rep);
  return err;
}
