#include "pt_progress.h"

#include <mpi.h>
#include <stdio.h>

#include "pt_log.h"

static void format_seconds(char *buf, size_t n, double s) {
  if (s < 120) snprintf(buf, n, "%.1f s", s);
  else if (s < 7200) snprintf(buf, n, "%.1f min", s / 60);
  else snprintf(buf, n, "%.1f h", s / 3600);
}

void pt_progress_start(pt_progress *p, int64_t first, int64_t last, double interval) {
  p->first = first;
  p->last = last;
  p->t0 = MPI_Wtime();
  p->interval = interval;
  p->next = p->t0 + interval;
}

void pt_progress_update(pt_progress *p, int64_t step, double time) {
  if (p->interval <= 0) return;
  double now = MPI_Wtime();
  if ((now < p->next && step != p->last) || pt_log_verbosity() < PT_LOG_INFO || !pt_log_is_root())
    return;
  p->next = now + p->interval;
  double done = p->last > p->first ? (double)(step - p->first) / (double)(p->last - p->first) : 1;
  double elapsed = now - p->t0;
  char e[32], eta[32];
  format_seconds(e, sizeof e, elapsed);
  if (done > 0) format_seconds(eta, sizeof eta, elapsed * (1 - done) / done);
  else snprintf(eta, sizeof eta, "?");
  printf("step %lld/%lld  %3.0f%%  t=%.6g  elapsed %s  ETA %s\n", (long long)step,
         (long long)p->last, 100 * done, time, e, eta);
  fflush(stdout);
}
