/* pt_progress: the throttled progress/ETA line of a run's steps. */
#ifndef PT_PROGRESS_H
#define PT_PROGRESS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Progress line: "step 120/1000  12%  t=1.2e-3  elapsed 3.1 s  ETA 22.7 s", printed by
 * rank 0 at most every `interval` seconds and at the last step; never when `interval`
 * is 0. Not collective. */
typedef struct pt_progress {
  int64_t first, last;   /* step range of this run */
  double t0, interval, next;
} pt_progress;

void pt_progress_start(pt_progress *p, int64_t first, int64_t last, double interval);
void pt_progress_update(pt_progress *p, int64_t step, double time);

#ifdef __cplusplus
}
#endif
#endif
