/** @file
 * pt_signal: SIGUSR1 and SIGTERM (what Slurm sends before and at a time limit) and a
 * wall-time budget, turned into a stop that every rank agrees on at the same step. The
 * handlers only record the signal, so a signal that arrives while a checkpoint is being
 * written changes nothing on disk. Typical use in a step loop:
 * ~~~
 *   pt_signal_install();  double t0 = MPI_Wtime();
 *   for (...) { step(); int stop; pt_signal_should_stop(comm, max_walltime, t0, &stop);
 *               if (stop) { checkpoint; print pt_signal_describe(stop); exit 3; } }
 * ~~~ */
#ifndef PT_SIGNAL_H
#define PT_SIGNAL_H

#include <mpi.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The `stop` value for "the wall-time budget is spent" (signals are positive). */
#define PT_STOP_WALLTIME (-1)

/** Installs handlers for SIGUSR1, SIGTERM and SIGINT that record the signal (SA_RESTART, so
 * interrupted I/O calls resume). Idempotent. Errors: PT_ERR_RUNTIME if sigaction fails.
 * Not collective. */
int pt_signal_install(void);

/** Forgets a recorded signal (tests; a restarted loop). Not collective. */
void pt_signal_reset(void);

/** Collective over `comm`: *stop becomes the same on every rank: a signal number if any
 * rank has recorded SIGUSR1, SIGTERM or SIGINT (the largest number wins: SIGTERM, then
 * SIGUSR1, then SIGINT), else PT_STOP_WALLTIME if any
 * rank has spent `max_walltime` seconds (0: no limit) since its own `start`
 * (MPI_Wtime), else 0. Call it at the same point of every step. Errors: PT_ERR_MPI. */
int pt_signal_should_stop(MPI_Comm comm, double max_walltime, double start, int *stop);

/** "SIGUSR1", "SIGTERM", "SIGINT", "the wall-time limit" or "signal N" for a stop value. */
const char *pt_signal_describe(int stop);

#ifdef __cplusplus
}
#endif
#endif
