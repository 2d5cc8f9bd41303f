#include "pt_log.h"

#include <stdarg.h>
#include <stdio.h>

static MPI_Comm log_comm = MPI_COMM_NULL;
static int log_level = PT_LOG_INFO;

void pt_log_init(MPI_Comm comm, int verbosity) {
  log_comm = comm;
  log_level = verbosity;
}

int pt_log_verbosity(void) { return log_level; }

static int is_root(void) {
  int rank = 0, init = 0;
  MPI_Initialized(&init);
  if (init) MPI_Comm_rank(log_comm == MPI_COMM_NULL ? MPI_COMM_WORLD : log_comm, &rank);
  return rank == 0;
}

void pt_log(int level, const char *fmt, ...) {
  if (level > log_level || !is_root()) return;
  va_list ap;
  va_start(ap, fmt);
  vfprintf(stdout, fmt, ap);
  va_end(ap);
  fputc('\n', stdout);
  fflush(stdout);
}

void pt_log_warn(const char *fmt, ...) {
  if (!is_root()) return;
  va_list ap;
  va_start(ap, fmt);
  fputs("warning: ", stderr);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  fflush(stderr);
}

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
  if ((now < p->next && step != p->last) || log_level < PT_LOG_INFO || !is_root()) return;
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
