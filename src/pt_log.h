/** @file
 * pt_log: rank-0 output with verbosity levels (the progress line is pt_progress). */
#ifndef PT_LOG_H
#define PT_LOG_H

#include <mpi.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Verbosity levels of pt_log_init and pt_log (-q is PT_LOG_QUIET, -v PT_LOG_DEBUG). */
enum { PT_LOG_QUIET = 0, PT_LOG_INFO = 1, PT_LOG_DEBUG = 2 };

/** Sets the communicator whose rank 0 prints and the verbosity. Not collective. */
void pt_log_init(MPI_Comm comm, int verbosity);
/** The verbosity set by pt_log_init (PT_LOG_INFO before). Not collective. */
int pt_log_verbosity(void);
/** Whether this process prints: rank 0 of the communicator given to pt_log_init (of
 * MPI_COMM_WORLD before that; every process before MPI starts). Not collective. */
int pt_log_is_root(void);

/** printf-style message on rank 0 of the log communicator, to stdout, if the verbosity
 * is at least `level`. Not collective. */
void pt_log(int level, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/** A warning from rank 0 to stderr ("prog: warning: ..."). Not collective. */
void pt_log_warn(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

#ifdef __cplusplus
}
#endif
#endif
