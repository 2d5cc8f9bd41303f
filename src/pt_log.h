/* pt_log: rank-0 output with verbosity levels, and a throttled progress/ETA line. */
#ifndef PT_LOG_H
#define PT_LOG_H

#include <mpi.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum { PT_LOG_QUIET = 0, PT_LOG_INFO = 1, PT_LOG_DEBUG = 2 };

/* Sets the communicator whose rank 0 prints and the verbosity. Not collective. */
void pt_log_init(MPI_Comm comm, int verbosity);
int pt_log_verbosity(void);

/* printf-style message on rank 0 of the log communicator, to stdout, if the verbosity
 * is at least `level`. Not collective. */
void pt_log(int level, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* A warning from rank 0 to stderr ("prog: warning: ..."). Not collective. */
void pt_log_warn(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

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
