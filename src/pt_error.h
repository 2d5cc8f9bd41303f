/** @file
 * pt_error: error codes, messages with rank/file/line, and collective agreement on
 * failure so that every rank exits together. */
#ifndef PT_ERROR_H
#define PT_ERROR_H

#include <mpi.h>
#include <stdarg.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Error codes returned by every library function (0 is success). */
enum {
  PT_OK = 0,           /**< success */
  PT_ERR_INPUT = 1,    /**< bad input deck, command line or input file: exit code 1 */
  PT_ERR_RUNTIME = 2,  /**< runtime failure (I/O, solver divergence): exit code 2 */
  PT_ERR_MPI = 3,      /**< an MPI call failed: exit code 2 */
  PT_ERR_NOMEM = 4,    /**< allocation failed: exit code 2 */
  PT_ERR_IO = 5,       /**< file system or HDF5 failure: exit code 2 */
  PT_STOP = 6,         /**< not an error: a signal or walltime asked the run to stop (exit 3) */
  PT_EXIT = 7          /**< not an error: `--help`/`--version` printed, exit 0 */
};

/** Exit codes of every Partita program. */
enum { PT_EXIT_OK = 0, PT_EXIT_INPUT = 1, PT_EXIT_RUNTIME = 2, PT_EXIT_STOPPED = 3 };

/** Records an error message for this rank and returns `code`. Input errors carry the
 * user-facing location in the message itself ("deck.ini:12: heat.nx: ..."); other codes
 * are prefixed with "[rank R] file.c:LINE: ". Not collective. Use the PT_ERROR macro. */
int pt_error_set(int code, const char *file, int line, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
/** pt_error_set with a va_list (for wrappers that take `...` themselves). */
int pt_error_vset(int code, const char *file, int line, const char *fmt, va_list ap);

/** The last message recorded on this rank ("" if none). Not collective. */
const char *pt_error_message(void);

/** Forgets the recorded message. Not collective. */
void pt_error_clear(void);

/** Collective over `comm`: every rank passes its local result; all ranks return the
 * code of the lowest-numbered failing rank (PT_OK if none failed), and that rank's
 * message becomes every rank's pt_error_message(). Never hangs if all ranks call it. */
int pt_agree(MPI_Comm comm, int err);

/** Prints "prog: message" to stderr on rank 0 of `comm` (the agreed message after
 * pt_agree). Collective only in that it must be called by every rank or by none. */
void pt_error_report(MPI_Comm comm, const char *prog);

/** Maps an error code to the process exit code (see the exit-code enum). */
int pt_error_exit_code(int err);

/** An internal fault seen by one rank: prints "[rank R] file.c:LINE: message" and calls
 * MPI_Abort on MPI_COMM_WORLD with exit code 2. Does not return. */
void pt_abort(const char *file, int line, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4), noreturn))
#endif
    ;

/** Checks an MPI return code: on failure records "MPI_Xxx failed: <MPI error string>". */
int pt_error_mpi(int mpierr, const char *call, const char *file, int line);

/** Records a message at the caller's file and line and evaluates to `code`:
 * `return PT_ERROR(PT_ERR_INPUT, "...", ...);`. */
#define PT_ERROR(code, ...) pt_error_set((code), __FILE__, __LINE__, __VA_ARGS__)
/** Prints the recorded error (which carries its rank, file and line) and aborts the
 * job: for a fault in the middle of a run, such as a failed device call, where other
 * ranks may already wait in a collective this rank will not join. Not collective. */
void pt_abort_recorded(void)
#if defined(__GNUC__)
    __attribute__((noreturn))
#endif
    ;

/** pt_abort at the caller's file and line, for faults that must never happen. */
#define PT_ABORT(...) pt_abort(__FILE__, __LINE__, __VA_ARGS__)

/** Propagates a non-zero error code to the caller (PETSc's PetscCall style). */
#define PT_TRY(expr)               \
  do {                             \
    int pt_try_err_ = (expr);      \
    if (pt_try_err_) return pt_try_err_; \
  } while (0)

/** Calls an MPI function and returns PT_ERR_MPI with its error string on failure. */
#define PT_MPI(call)                                                   \
  do {                                                                 \
    int pt_mpi_err_ = (call);                                          \
    if (pt_mpi_err_ != MPI_SUCCESS)                                    \
      return pt_error_mpi(pt_mpi_err_, #call, __FILE__, __LINE__);     \
  } while (0)

/** PT_MPI as an expression: PT_OK, or PT_ERR_MPI with the same message, for code that must
 * free or agree before it returns: `err = PT_MPI_CHECK(MPI_Allreduce(...));`. */
#define PT_MPI_CHECK(call) pt_error_mpi((call), #call, __FILE__, __LINE__)

#ifdef __cplusplus
}
#endif
#endif
