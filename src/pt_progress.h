/** @file
 * pt_progress: the throttled progress/ETA line of a run's steps. */
#ifndef PT_PROGRESS_H
#define PT_PROGRESS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Progress line: "step 120/1000  12%  t=1.2e-3  elapsed 3.1 s  ETA 22.7 s", printed by
 * rank 0 at most every `interval` seconds and at the last step; never when `interval`
 * is 0. Not collective. */
typedef struct pt_progress {
  int64_t first;   /**< first step of this run */
  int64_t last;    /**< last step of this run */
  double t0;       /**< MPI_Wtime at pt_progress_start */
  double interval; /**< seconds between lines (0: none) */
  double next;     /**< MPI_Wtime after which the next line is due */
} pt_progress;

/** Starts the clock of a run from step `first` to `last`, a line at most every `interval`
 * seconds. Not collective. */
void pt_progress_start(pt_progress *p, int64_t first, int64_t last, double interval);
/** Reports that `step` is done at simulation time `time`: prints the line when it is due
 * (or `step` is the last) on rank 0 of the pt_log communicator, at verbosity PT_LOG_INFO
 * or more. Not collective. */
void pt_progress_update(pt_progress *p, int64_t step, double time);

#ifdef __cplusplus
}
#endif
#endif
