/** @file
 * pt_timer: named phase timers with min/avg/max/imbalance across ranks and the end-of-run
 * table (the JSON run report that carries them is pt_report). */
#ifndef PT_TIMER_H
#define PT_TIMER_H

#include <mpi.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A set of named phase timers, one clock per phase on each rank (opaque). */
typedef struct pt_timers pt_timers;

/** Statistics of one phase across the ranks of a communicator (seconds). */
typedef struct pt_timer_stats {
  const char *name;   /**< the phase's name */
  double min;         /**< least seconds of any rank */
  double avg;         /**< mean seconds over the ranks */
  double max;         /**< most seconds of any rank */
  double imbalance;   /**< (max - avg) / avg, 0 when avg is 0 */
  long long calls;    /**< times rank 0 started the phase (pt_timers_start; 0 for "other") */
} pt_timer_stats;

/** Creates an empty set of timers. Errors: PT_ERR_NOMEM. Not collective. */
int pt_timers_create(pt_timers **t);
/** Frees the timers and sets *t to NULL (no-op on NULL). Not collective. */
void pt_timers_destroy(pt_timers **t);

/** Registers a phase and returns its id (>= 0), or the existing id of `name`. Ranks
 * must register the same phases in the same order. Not collective. */
int pt_timers_add(pt_timers *t, const char *name);
/** start starts the phase's clock and counts a call; stop adds the time since start.
 * Once pt_timers_round has been called, a phase counts at most one call per round: a
 * solver loop starts a round per step (pt_run does), so "calls" is the number of steps
 * a phase ran in, however many pieces a step splits it into (compute around the halo
 * exchange, a force sum over ring stages). Not collective. */
void pt_timers_start(pt_timers *t, int id);
/** Adds the time since the phase's pt_timers_start to its total. Not collective. */
void pt_timers_stop(pt_timers *t, int id);
/** Starts a new round (see pt_timers_start): a phase counts at most one call per round.
 * Not collective. */
void pt_timers_round(pt_timers *t);
/** Declares phase `id` the whole that every other phase is a part of (nested in it, not
 * overlapping each other), and adds the phase "other": per rank, the whole's time that
 * no part covers. The table and the report then add up to the whole. Errors:
 * PT_ERR_NOMEM. Not collective. */
int pt_timers_set_total(pt_timers *t, int id);
/** Seconds accumulated on this rank. */
double pt_timers_elapsed(const pt_timers *t, int id);
/** Number of phases registered, "other" included: the entries pt_timers_reduce fills. */
int pt_timers_count(const pt_timers *t);

/** Reduces every phase over `comm` into `stats` (pt_timers_count entries). Collective. */
int pt_timers_reduce(const pt_timers *t, MPI_Comm comm, pt_timer_stats *stats);

/** Prints the phase table (phase, calls, min, avg, max, imbalance, % of the whole's
 * average, or of the sum of the averages when no whole was set) on rank 0 of `comm` to
 * `out`: the whole first, "other" last. Collective. */
int pt_timers_print(const pt_timers *t, MPI_Comm comm, FILE *out);

#ifdef __cplusplus
}
#endif
#endif
