/** @file
 * pt_run: the time-step loop every Partita solver shares. The solver supplies its step,
 * diagnostics, output and checkpoint as callbacks; pt_run decides when each runs (by
 * step, or for output also by simulation time), stops on a signal or the walltime limit
 * with a checkpoint, prints the progress line and times the phases so that the table
 * adds up to the whole run. */
#ifndef PT_RUN_H
#define PT_RUN_H

#include <mpi.h>
#include <stddef.h>
#include <stdint.h>

#include "pt_cli.h"
#include "pt_config.h"
#include "pt_decomp.h"
#include "pt_timer.h"

#ifdef __cplusplus
extern "C" {
#endif

/** When things happen. The deck keys (section [output]) are read by pt_run_read. */
typedef struct pt_run_cadence {
  int64_t steps;              /**< the run ends at this step (set by the solver) */
  int64_t output_every;       /**< output.every: every N steps (0: by step, none) */
  double output_every_time;   /**< output.every_time: at the first step at or past each
                                 multiple of this simulation time (0: none) */
  int64_t checkpoint_every;   /**< output.checkpoint_every: every N steps (0: none) */
  int64_t diagnostics_every;  /**< output.diagnostics_every: every N steps and the last */
  double progress_interval;   /**< output.progress_interval: seconds between progress lines
                                 (0: none) */
  int file_per_step;          /**< output.file_per_step: one file per output step (openPMD
                                 file-based encoding) instead of one per run */
} pt_run_cadence;

/** The solver's side. `step` advances one step (diagnostics_due: diagnostics follow it,
 * for a solver that computes them while stepping); a solver that does several steps
 * faster together (temporal blocking) gives `advance` instead, which the loop calls with
 * as many steps as it may take before its next output, checkpoint, diagnostics or stop
 * check. `diagnostics` may be NULL. The counters are read after every call. Each
 * callback returns a Partita error code and must be collective over the run's
 * communicator when the solver's work is. */
typedef struct pt_run_ops {
  void *ctx;                                   /**< passed to every callback */
  int (*step)(void *ctx, int diagnostics_due); /**< advances one step (NULL with advance) */
  int (*diagnostics)(void *ctx);               /**< computes and reports the diagnostics, or NULL */
  int (*output)(void *ctx);                    /**< writes the output of the current step */
  int (*checkpoint)(void *ctx);                /**< writes a checkpoint of the current step */
  const int64_t *step_no;                      /**< the solver's step counter */
  const double *time;                          /**< and its simulation time */
  /** Advances n >= 1 steps (diagnostics_due: after the last), or NULL: `step` n times.
   * n is 1 when `block` is 1 (a round of the phase table is then a step) and with
   * output.every_time set (the loop cannot tell ahead which step's time crosses a
   * multiple). */
  int (*advance)(void *ctx, int64_t n, int diagnostics_due);
  int64_t block;  /**< steps `advance` prefers at once: stop checks are at least this far apart */
} pt_run_ops;

/** A run's step loop: what pt_run_init sets up, then the state pt_run_loop keeps. */
typedef struct pt_run {
  MPI_Comm comm;              /**< the run's communicator */
  const char *prog;           /**< program name: the stop message and checkpoint name */
  const char *dir;            /**< output directory (where the checkpoint goes) */
  pt_run_cadence cadence;     /**< when output, checkpoints and diagnostics happen */
  pt_run_ops ops;             /**< the solver's side */
  pt_timers *timers;          /**< the phase timers (not owned) */
  double max_walltime;        /**< `--max-walltime` (0: none) */
  int restarted;              /**< no output at the first step: the checkpointed run wrote it */
  int t_total;                /**< phase id of "total" */
  int t_diag;                 /**< phase id of "diagnostics" */
  int t_io;                   /**< phase id of "io" */
  int t_ckpt;                 /**< phase id of "checkpoint" */
  int t_stop;                 /**< phase id of "stop check" */
  int64_t first;              /**< step the loop started from */
  int64_t steps_done;         /**< steps this run made */
  double next_multiple;       /**< k of the next multiple k * output_every_time to reach */
  int64_t last_output;        /**< step of the last output (-1: none yet) */
  int64_t next_check;         /**< step after which the ranks next agree on a stop */
  int64_t check_every;        /**< steps between agreements */
  double last_check;          /**< MPI_Wtime of the last agreement */
} pt_run;

/** Reads the [output] cadence keys into `c` (steps is left to the solver):
 * output.every, output.every_time, output.checkpoint_every, output.diagnostics_every
 * (default `diag_default`), output.progress_interval (seconds, default 2),
 * output.file_per_step (default false). Errors:
 * PT_ERR_INPUT naming the key. Not collective. */
int pt_run_read(pt_config *cfg, int64_t diag_default, pt_run_cadence *c);

/** Sets up `r` for pt_run_loop: registers the phases "total" (made the whole, see
 * pt_timers_set_total), "diagnostics", "io", "checkpoint" and "stop check" (the ranks'
 * agreement after each step on a signal or the walltime, one small allreduce) in
 * `timers` (a phase the solver registered already keeps its place). Errors: PT_ERR_NOMEM.
 * Not collective. */
int pt_run_init(pt_run *r, MPI_Comm comm, const char *prog, const char *dir,
                const pt_run_cadence *c, const pt_run_ops *ops, pt_timers *timers,
                double max_walltime, int restarted);

/** Runs from the solver's current step to cadence.steps: output first (unless restarted
 * or output is only at the end), then each step followed by its diagnostics, output and
 * checkpoint when due, and output at the end if the last step had none. A signal
 * (SIGUSR1, SIGTERM, SIGINT) or the walltime limit stops it with a checkpoint and a line
 * saying how to continue: PT_STOP. The ranks agree on a stop after the first step and
 * then about every 50 ms of stepping (at steps they agree on), so the allreduce costs
 * little even when a step takes microseconds. Errors: whatever a
 * callback returns. Collective over r->comm. */
int pt_run_loop(pt_run *r);

/** How many steps a run from step 0 writes output at, for a plan (`--dry-run`): exact by
 * step, an upper bound when output.every_time is set (a time's output step may be one
 * a step count chose too). `dt`: the time step. Not collective. */
int64_t pt_run_output_count(const pt_run_cadence *c, double dt);

/** The output series path in `dir`: "DIR/NAME.h5", or "DIR/NAME_%T.h5" (one file per
 * step, see pt_series_open) when c->file_per_step. Errors: as pt_io_path. Not collective. */
int pt_run_series_path(const pt_run_cadence *c, const char *dir, const char *name, char *out,
                       size_t len);

/** This rank's seconds of stepping: the loop's total without output and checkpoints,
 * the time a rate such as lattice updates per second divides by. Not collective. */
double pt_run_step_seconds(const pt_run *r);

/** The end of a lattice solver's run (one update of every cell per step): the update
 * rate of the steps this run made over the slowest rank's stepping time
 * (pt_run_step_seconds), logged with the phase table at info verbosity; and with
 * cli->report set, the JSON run report: results (steps, time, cells,
 * lattice_updates_per_s, seconds), layout (ndim, ranks per axis, `halo`, `backend`,
 * steps_per_block: the solver's r->ops.block, at least 1), the
 * build and command line (pt_version_report), the timers and `deck`. Errors: PT_ERR_MPI,
 * PT_ERR_IO, PT_ERR_NOMEM. Collective over r->comm. */
int pt_run_report_lattice(const pt_run *r, const pt_decomp *d, const char *halo,
                          const char *backend, const pt_cli *cli, const char *deck);

#ifdef __cplusplus
}
#endif
#endif
