#include "pt_error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One message per process: library calls are made by the MPI-funnelled main thread. */
#define PT_MSG_MAX 1024
static char pt_msg[PT_MSG_MAX];

/* Unchecked: a message must not fail for want of its rank, which then reads 0. */
static int world_rank(void) {
  int init = 0, fin = 0, rank = 0;
  MPI_Initialized(&init);
  MPI_Finalized(&fin);
  if (init && !fin) MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  return rank;
}

static const char *basename_of(const char *path) {
  const char *s = strrchr(path, '/');
  return s ? s + 1 : path;
}

int pt_error_vset(int code, const char *file, int line, const char *fmt, va_list ap) {
  size_t off = 0;
  if (code != PT_ERR_INPUT && file) {
    int n =
        snprintf(pt_msg, PT_MSG_MAX, "[rank %d] %s:%d: ", world_rank(), basename_of(file), line);
    off = n > 0 && n < PT_MSG_MAX ? (size_t)n : 0;
  }
  vsnprintf(pt_msg + off, PT_MSG_MAX - off, fmt, ap);
  /* Messages are one line: a stray newline would split the user's error line. */
  for (char *p = pt_msg; *p; ++p)
    if (*p == '\n' || *p == '\r') *p = ' ';
  return code;
}

int pt_error_set(int code, const char *file, int line, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  pt_error_vset(code, file, line, fmt, ap);
  va_end(ap);
  return code;
}

const char *pt_error_message(void) { return pt_msg; }

void pt_error_clear(void) { pt_msg[0] = '\0'; }

int pt_agree(MPI_Comm comm, int err) {
  int rank, size;
  /* pt_agree is how failures are reported, so its own MPI failures can only abort. */
  if (MPI_Comm_rank(comm, &rank) != MPI_SUCCESS || MPI_Comm_size(comm, &size) != MPI_SUCCESS)
    PT_ABORT("pt_agree: not a valid communicator");
  /* The lowest failing rank speaks for all: deterministic, and one message only. */
  int mine = err ? rank : size, first;
  if (MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, comm) != MPI_SUCCESS)
    PT_ABORT("pt_agree: MPI_Allreduce failed");
  if (first == size) return PT_OK;
  int code = err;
  char buf[PT_MSG_MAX];
  if (rank == first) memcpy(buf, pt_msg, PT_MSG_MAX);
  if (MPI_Bcast(&code, 1, MPI_INT, first, comm) != MPI_SUCCESS ||
      MPI_Bcast(buf, PT_MSG_MAX, MPI_CHAR, first, comm) != MPI_SUCCESS)
    PT_ABORT("pt_agree: MPI_Bcast failed");
  buf[PT_MSG_MAX - 1] = '\0';
  memcpy(pt_msg, buf, PT_MSG_MAX);
  return code;
}

void pt_error_report(MPI_Comm comm, const char *prog) {
  int rank = 0;
  /* Unchecked: should it fail, rank stays 0 and the message is printed, not lost. */
  MPI_Comm_rank(comm, &rank);
  if (rank == 0 && pt_msg[0]) {
    fprintf(stderr, "%s: %s\n", prog, pt_msg);
    fflush(stderr);
  }
}

int pt_error_exit_code(int err) {
  switch (err) {
    case PT_OK:
    case PT_EXIT: return PT_EXIT_OK;
    case PT_ERR_INPUT: return PT_EXIT_INPUT;
    case PT_STOP: return PT_EXIT_STOPPED;
    default: return PT_EXIT_RUNTIME;
  }
}

#if defined(__GNUC__)
__attribute__((noreturn))
#endif
static void abort_job(void);

void pt_abort(const char *file, int line, const char *fmt, ...) {
  char buf[PT_MSG_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  fprintf(stderr, "[rank %d] %s:%d: %s\n", world_rank(), basename_of(file), line, buf);
  abort_job();
}

void pt_abort_recorded(void) {
  fprintf(stderr, "%s\n", pt_error_message());
  abort_job();
}

/* The end of both: the whole job goes, MPI or not. */
static void abort_job(void) {
  fflush(stderr);
  int init = 0;
  /* Unchecked: nothing is left to report to, and exit() follows if MPI_Abort returns. */
  MPI_Initialized(&init);
  if (init) MPI_Abort(MPI_COMM_WORLD, PT_EXIT_RUNTIME);
  exit(PT_EXIT_RUNTIME);
}

int pt_error_mpi(int mpierr, const char *call, const char *file, int line) {
  if (mpierr == MPI_SUCCESS) return PT_OK;
  char s[MPI_MAX_ERROR_STRING];
  int len = 0;
  if (MPI_Error_string(mpierr, s, &len) != MPI_SUCCESS) snprintf(s, sizeof s, "error %d", mpierr);
  /* Keep just the function name of the call for a short message. */
  char name[64];
  size_t n = strcspn(call, "(");
  if (n >= sizeof name) n = sizeof name - 1;
  memcpy(name, call, n);
  name[n] = '\0';
  return pt_error_set(PT_ERR_MPI, file, line, "%s failed: %s", name, s);
}
