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

/* Unchecked: output must not fail for want of the rank, which then reads 0. */
int pt_log_is_root(void) {
  int rank = 0, init = 0;
  MPI_Initialized(&init);
  if (init) MPI_Comm_rank(log_comm == MPI_COMM_NULL ? MPI_COMM_WORLD : log_comm, &rank);
  return rank == 0;
}

void pt_log(int level, const char *fmt, ...) {
  if (level > log_level || !pt_log_is_root()) return;
  va_list ap;
  va_start(ap, fmt);
  vfprintf(stdout, fmt, ap);
  va_end(ap);
  fputc('\n', stdout);
  fflush(stdout);
}

void pt_log_warn(const char *fmt, ...) {
  if (!pt_log_is_root()) return;
  va_list ap;
  va_start(ap, fmt);
  fputs("warning: ", stderr);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  fflush(stderr);
}
