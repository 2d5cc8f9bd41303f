/** @file
 * pt_cli: the command line shared by every Partita app:
 * ~~~
 *   prog [INPUT] [--set section.key=value]... [--output DIR] [--report FILE.json]
 *        [--restart FILE|latest] [--max-walltime SECONDS] [--dry-run] [-v|-q] [--help]
 *        [--help-keys] [--version]
 * ~~~
 * Options the app declares as pass-through (single-dash, e.g. PETSc's -ksp_type cg)
 * are collected for the app. */
#ifndef PT_CLI_H
#define PT_CLI_H

#include <mpi.h>

#include "pt_config.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The parsed command line (pt_cli_parse). */
typedef struct pt_cli {
  const char *prog;          /**< program name for messages ("partita-heat") */
  const char *input;         /**< deck path or NULL */
  int nset;                  /**< `--set` overrides, in command-line order */
  const char **sets;         /**< the `nset` "section.key=value" strings */
  const char *output_dir;    /**< default "." */
  const char *report;        /**< JSON report path or NULL */
  const char *restart;       /**< checkpoint file, "latest", or NULL */
  double max_walltime;       /**< seconds, 0 = none */
  int verbosity;             /**< PT_LOG_* level, default PT_LOG_INFO */
  int dry_run;               /**< `--dry-run`: check everything, print the plan, compute nothing */
  int help_keys;             /**< `--help-keys`: print the deck keys after reading the deck */
  int npass;                 /**< pass-through arguments (argv[0] first) */
  char **pass;               /**< NULL-terminated, like argv */
  int argc;                  /**< the whole command line, for the run report */
  char **argv;               /**< the `argc` arguments of the whole command line */
} pt_cli;

/** Parses argv. Returns PT_OK, PT_EXIT after printing `--help`/`--version` (rank 0 only),
 * or PT_ERR_INPUT with a message ("--max-walltime: must be a number of seconds >= 0
 * (got 'abc')"); on error cli holds nothing to free.
 * `usage` is the app's one-paragraph description for `--help`. If `passthrough` is
 * nonzero, unknown single-dash options and their values go to cli->pass instead of
 * being errors. Not collective (argv is the same on every rank). */
int pt_cli_parse(pt_cli *cli, int argc, char **argv, const char *prog, const char *usage,
                 int passthrough);

/** Starts a Partita program: MPI_Init_thread with MPI_THREAD_FUNNELED (OpenMP threads
 * compute, the main thread calls MPI), MPI errors returned instead of aborting on
 * MPI_COMM_WORLD (so every failure reaches pt_cli_end as a message), then pt_cli_parse
 * and pt_log_init at the verbosity asked for. Returns PT_OK, PT_EXIT or the error, the
 * same on every rank; on PT_EXIT or an error the caller goes straight to pt_cli_end.
 * Collective over MPI_COMM_WORLD. */
int pt_cli_begin(pt_cli *cli, int *argc, char ***argv, const char *prog, const char *usage,
                 int passthrough);

/** Makes the `--output` directory and the `--report` file's directory, with their missing
 * parents (mkdir -p, on rank 0: a shared file system is assumed), once the deck has been
 * checked, so a typo costs seconds, not a run, and leaves nothing behind. Errors
 * (PT_ERR_INPUT, agreed): "--output a/b: cannot create directory 'a': Permission denied",
 * "... 'a' exists and is not a directory", "... cannot write to directory ...".
 * Collective over comm. */
int pt_cli_prepare_output(const pt_cli *cli, MPI_Comm comm);

/** Ends a run: agrees on err across comm (the lowest failing rank's message wins, see
 * pt_agree), prints that message once unless err is PT_OK, PT_EXIT or PT_STOP, and
 * returns the agreed code for pt_error_exit_code after the caller's clean-up.
 * Collective over comm. */
int pt_cli_end(MPI_Comm comm, const char *prog, int err);

/** `--dry-run`'s output check: the nearest existing directory at or above `--output` must be
 * writable and hold `bytes` (the run's output volume) in free space; rank 0 checks and
 * every rank gets *free_bytes (-1 if unknown) and *exists (`--output` exists already).
 * Creates nothing. Errors (PT_ERR_INPUT, agreed): "--output DIR: cannot write to
 * directory 'D': ...", "--output DIR: the run writes about X GiB, Y GiB free".
 * Collective over comm. */
int pt_cli_check_space(const pt_cli *cli, MPI_Comm comm, double bytes, double *free_bytes,
                       int *exists);

/** `--help-keys`: once the app's getters have read the deck (`cfg`), rank 0 prints every
 * key with its type, default, allowed values and this run's value, and PT_EXIT is
 * returned; without `--help-keys`, PT_OK. Collective over comm. */
int pt_cli_help_keys(const pt_cli *cli, const pt_config *cfg, MPI_Comm comm);

/** Frees what pt_cli_parse allocated; the strings themselves belong to argv. */
void pt_cli_free(pt_cli *cli);

#ifdef __cplusplus
}
#endif
#endif
