#include "pt_signal.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "pt_error.h"

static volatile sig_atomic_t received;

/* Only an assignment: async-signal-safe, and harmless whatever the program is doing. */
static void record(int sig) { received = sig; }

int pt_signal_install(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = record;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  /* SIGINT too: Ctrl-C on a run started without a launcher (or signalled rank by rank)
   * stops it like Slurm's signals, with a checkpoint and exit 3. */
  if (sigaction(SIGUSR1, &sa, NULL) != 0 || sigaction(SIGTERM, &sa, NULL) != 0 ||
      sigaction(SIGINT, &sa, NULL) != 0)
    return PT_ERROR(PT_ERR_RUNTIME, "sigaction failed: cannot catch SIGUSR1/SIGTERM/SIGINT");
  return PT_OK;
}

void pt_signal_reset(void) { received = 0; }

int pt_signal_should_stop(MPI_Comm comm, double max_walltime, double start, int *stop) {
  /* Clocks are not synchronised across nodes: each rank measures its own elapsed time
   * and the reduction makes the verdict common. */
  int local[2] = {received, max_walltime > 0 && MPI_Wtime() - start >= max_walltime}, all[2];
  *stop = 0;
  PT_MPI(MPI_Allreduce(local, all, 2, MPI_INT, MPI_MAX, comm));
  *stop = all[0] ? all[0] : (all[1] ? PT_STOP_WALLTIME : 0);
  return PT_OK;
}

const char *pt_signal_describe(int stop) {
  static char buf[32];
  switch (stop) {
    case PT_STOP_WALLTIME: return "the wall-time limit";
    case SIGUSR1: return "SIGUSR1";
    case SIGTERM: return "SIGTERM";
    case SIGINT: return "SIGINT";
    default: snprintf(buf, sizeof buf, "signal %d", stop); return buf;
  }
}
