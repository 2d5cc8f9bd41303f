#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "pt_cli.h"

#include <errno.h>
#include <libgen.h>
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "pt_error.h"
#include "pt_h5.h"
#include "pt_io.h"
#include "pt_log.h"
#include "pt_version.h"

/* --help and --version may come before MPI_Init in a tool; then this process prints.
 * Unchecked: a failed query leaves rank 0, and the text is printed rather than lost. */
static int is_rank0(void) {
  int init = 0, fin = 0, rank = 0;
  MPI_Initialized(&init);
  MPI_Finalized(&fin);
  if (init && !fin) MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  return rank == 0;
}

static void print_usage(const char *prog, const char *usage, int passthrough) {
  printf("usage: %s [INPUT] [options]\n\n", prog);
  if (usage && *usage) printf("%s\n\n", usage);
  printf("arguments:\n"
         "  INPUT                    input deck (INI file); optional if --set gives every key\n"
         "\noptions:\n"
         "  --set SECTION.KEY=VALUE  override a deck key, or add one (repeatable)\n"
         "  --output DIR             directory for output files (default: .)\n"
         "  --report FILE            write the JSON run report to FILE\n"
         "  --restart FILE|latest    restart from checkpoint FILE, or from the newest one\n"
         "  --max-walltime SECONDS   checkpoint and stop before SECONDS of wall time\n"
         "  --dry-run                check the deck, ranks and output, print the plan, exit\n"
         "  -v, --verbose            print more (debug messages)\n"
         "  -q, --quiet              print only warnings and errors\n"
         "  -h, --help               print this help and exit\n"
         "  --help-keys              print every input deck key: type, default, allowed values\n"
         "                           and the value this run would use (with INPUT), and exit\n"
         "  --version                print the version, git revision, configure options and\n"
         "                           the MPI, HDF5, CUDA, OpenCL (and PETSc) versions, and exit\n");
  if (passthrough)
    printf("  -NAME [VALUE]            passed to the solver library (e.g. -ksp_type cg)\n");
  printf("\nexit codes:\n"
         "  0  success\n"
         "  1  bad input deck or command line\n"
         "  2  runtime failure\n"
         "  3  stopped early (signal or --max-walltime) after writing a checkpoint\n");
  fflush(stdout);
}

/* The value of option `name` at argv[*i]: "--name=VALUE" or "--name VALUE". */
static int option_value(int argc, char **argv, int *i, const char *name, const char **value) {
  const char *arg = argv[*i];
  size_t n = strlen(name);
  if (arg[n] == '=')
    *value = arg + n + 1;
  else if (*i + 1 < argc)
    *value = argv[++*i];
  else
    *value = "";
  if (!**value) return PT_ERROR(PT_ERR_INPUT, "%s: missing value", name);
  return PT_OK;
}

/* argv[i] is option `name`, alone or as "--name=VALUE". */
static int is_option(const char *arg, const char *name) {
  size_t n = strlen(name);
  return strncmp(arg, name, n) == 0 && (arg[n] == '\0' || arg[n] == '=');
}

static int parse_walltime(const char *s, double *out) {
  char *end;
  double x = strtod(s, &end);
  if (end == s || *end || !isfinite(x) || x < 0)
    return PT_ERROR(PT_ERR_INPUT, "--max-walltime: must be a number of seconds >= 0 (got '%s')",
                    s);
  *out = x;
  return PT_OK;
}

enum { OPT_SET, OPT_OUTPUT, OPT_REPORT, OPT_RESTART, OPT_WALLTIME, OPT_COUNT };

static int parse_args(pt_cli *cli, int argc, char **argv, const char *usage, int passthrough) {
  static const char *const with_value[OPT_COUNT] = {"--set", "--output", "--report",
                                                    "--restart", "--max-walltime"};
  int positional_only = 0;
  for (int i = 1; i < argc; ++i) {
    const char *arg = argv[i];
    if (positional_only || arg[0] != '-' || arg[1] == '\0') {
      if (cli->input) return PT_ERROR(PT_ERR_INPUT, "unexpected argument '%s'", arg);
      cli->input = arg;
      continue;
    }
    if (strcmp(arg, "--") == 0) {
      positional_only = 1;
      continue;
    }
    if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
      if (is_rank0()) print_usage(cli->prog, usage, passthrough);
      return PT_EXIT;
    }
    if (strcmp(arg, "--version") == 0) {
      if (is_rank0()) pt_version_print(stdout, cli->prog);
      return PT_EXIT;
    }
    if (strcmp(arg, "-v") == 0 || strcmp(arg, "--verbose") == 0) {
      cli->verbosity = PT_LOG_DEBUG;
      continue;
    }
    if (strcmp(arg, "--dry-run") == 0) {
      cli->dry_run = 1;
      continue;
    }
    if (strcmp(arg, "--help-keys") == 0) {
      cli->help_keys = 1;
      continue;
    }
    if (strcmp(arg, "-q") == 0 || strcmp(arg, "--quiet") == 0) {
      cli->verbosity = PT_LOG_QUIET;
      continue;
    }
    int opt = -1;
    for (int k = 0; k < OPT_COUNT && opt < 0; ++k)
      if (is_option(arg, with_value[k])) opt = k;
    if (opt >= 0) {
      const char *v;
      PT_TRY(option_value(argc, argv, &i, with_value[opt], &v));
      switch (opt) {
        case OPT_SET: cli->sets[cli->nset++] = v; break;
        case OPT_OUTPUT: cli->output_dir = v; break;
        case OPT_REPORT: cli->report = v; break;
        case OPT_RESTART: cli->restart = v; break;
        default: PT_TRY(parse_walltime(v, &cli->max_walltime)); break;
      }
      continue;
    }
    if (arg[1] == '-' || !passthrough)
      return PT_ERROR(PT_ERR_INPUT, "unknown option '%.*s' (see --help)",
                      (int)strcspn(arg, "="), arg);
    /* PETSc's convention: an option's value is the next argument unless that is an
     * option itself. */
    cli->pass[cli->npass++] = argv[i];
    if (i + 1 < argc && argv[i + 1][0] != '-') cli->pass[cli->npass++] = argv[++i];
  }
  return PT_OK;
}

int pt_cli_parse(pt_cli *cli, int argc, char **argv, const char *prog, const char *usage,
                 int passthrough) {
  *cli = (pt_cli){
      .prog = prog, .output_dir = ".", .verbosity = PT_LOG_INFO, .argc = argc, .argv = argv};
  /* Each argument is at most one override or pass-through item; +1 for argv[0] and a
   * terminating NULL, as PETSc-style consumers of an argv expect. */
  cli->sets = calloc((size_t)argc + 1, sizeof *cli->sets);
  cli->pass = calloc((size_t)argc + 2, sizeof *cli->pass);
  if (!cli->sets || !cli->pass) {
    pt_cli_free(cli);
    return PT_ERROR(PT_ERR_NOMEM, "pt_cli_parse: out of memory");
  }
  if (argc > 0) cli->pass[cli->npass++] = argv[0];
  int err = parse_args(cli, argc, argv, usage, passthrough);
  if (err) pt_cli_free(cli);
  return err;
}

void pt_cli_free(pt_cli *cli) {
  free(cli->sets);
  free(cli->pass);
  cli->sets = NULL;
  cli->pass = NULL;
  cli->nset = 0;
  cli->npass = 0;
}

int pt_cli_begin(pt_cli *cli, int *argc, char ***argv, const char *prog, const char *usage,
                 int passthrough) {
  int provided;
  pt_h5_mpi_io_defaults();
  /* No agreement is possible without MPI, nor a returned error before errors return. */
  if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
    PT_ABORT("MPI_Init_thread failed");
  if (MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN) != MPI_SUCCESS)
    PT_ABORT("MPI_Comm_set_errhandler failed");
  int err = pt_cli_parse(cli, *argc, *argv, prog, usage, passthrough);
  /* OpenMP threads compute between MPI calls of the main thread: FUNNELED at least. */
  if (!err && provided < MPI_THREAD_FUNNELED)
    err = PT_ERROR(PT_ERR_RUNTIME, "this MPI provides thread level %d, below MPI_THREAD_FUNNELED",
                   provided);
  pt_log_init(MPI_COMM_WORLD, cli->verbosity);
  err = pt_agree(MPI_COMM_WORLD, err);
  if (err && err != PT_EXIT) pt_cli_free(cli);
  return err;
}

/* mkdir -p for option `opt` given `value`: creates `dir` and any missing parent, then
 * checks the directory can be written. Rank 0 only. */
static int make_dirs(const char *opt, const char *value, const char *dir) {
  char path[PT_PATH_MAX];
  PT_TRY(pt_io_path(path, sizeof path, opt, "%s", dir));
  for (char *p = path + 1;; ++p) {
    int end = *p == '\0';
    if (*p != '/' && !end) continue;
    *p = '\0';
    struct stat st;
    if (mkdir(path, 0777) != 0 && errno != EEXIST)
      return PT_ERROR(PT_ERR_INPUT, "%s %s: cannot create directory '%s': %s", opt, value, path,
                      strerror(errno));
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
      return PT_ERROR(PT_ERR_INPUT, "%s %s: '%s' exists and is not a directory", opt, value, path);
    if (end) break;
    *p = '/';
  }
  if (access(dir, W_OK | X_OK) != 0)
    return PT_ERROR(PT_ERR_INPUT, "%s %s: cannot write to directory '%s': %s", opt, value, dir,
                    strerror(errno));
  return PT_OK;
}

int pt_cli_prepare_output(const pt_cli *cli, MPI_Comm comm) {
  int rank, err = PT_OK;
  PT_MPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0) {
    /* --report's path is checked first: a refused run must leave no directory behind. */
    char buf[PT_PATH_MAX];
    if (cli->report) err = pt_io_path(buf, sizeof buf, "--report", "%s", cli->report);
    if (!err) err = make_dirs("--output", cli->output_dir, cli->output_dir);
    if (!err && cli->report) err = make_dirs("--report", cli->report, dirname(buf));
  }
  return pt_agree(comm, err);
}

/* The nearest existing directory at or above `dir` ("." for a relative path). */
static int existing_ancestor(const char *dir, char *out, size_t len) {
  PT_TRY(pt_io_path(out, len, "--output", "%s", dir));
  struct stat st;
  while (stat(out, &st) != 0) {
    char *slash = strrchr(out, '/');
    if (!slash) return pt_io_path(out, len, NULL, ".");
    if (slash == out) slash[1] = '\0';
    else *slash = '\0';
  }
  return PT_OK;
}

int pt_cli_check_space(const pt_cli *cli, MPI_Comm comm, double bytes, double *free_bytes,
                       int *exists) {
  int rank, err = PT_OK;
  double info[2] = {-1, 0};
  PT_MPI(MPI_Comm_rank(comm, &rank));
  char where[PT_PATH_MAX];
  if (rank == 0) err = existing_ancestor(cli->output_dir, where, sizeof where);
  if (rank == 0 && !err) {
    struct statvfs fs;
    if (statvfs(where, &fs) == 0) info[0] = (double)fs.f_bavail * (double)fs.f_frsize;
    info[1] = strcmp(where, cli->output_dir) == 0;
    if (access(where, W_OK | X_OK) != 0)
      err = PT_ERROR(PT_ERR_INPUT, "--output %s: cannot write to directory '%s': %s",
                     cli->output_dir, where, strerror(errno));
    else if (info[0] >= 0 && bytes > info[0])
      err = PT_ERROR(PT_ERR_INPUT, "--output %s: the run writes about %.3g GiB, %.3g GiB free",
                     cli->output_dir, bytes / 1073741824.0, info[0] / 1073741824.0);
  }
  PT_TRY(pt_agree(comm, err));
  PT_MPI(MPI_Bcast(info, 2, MPI_DOUBLE, 0, comm));
  *free_bytes = info[0];
  *exists = info[1] != 0;
  return PT_OK;
}

int pt_cli_help_keys(const pt_cli *cli, const pt_config *cfg, MPI_Comm comm) {
  if (!cli->help_keys) return PT_OK;
  int rank;
  PT_MPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0) {
    printf("%s: input deck keys (%s)\n", cli->prog,
           cli->input || cli->nset ? "this run: the deck and --set as given"
                                   : "this run: the defaults");
    pt_config_print_keys(cfg, stdout);
  }
  return PT_EXIT;
}

int pt_cli_end(MPI_Comm comm, const char *prog, int err) {
  err = pt_agree(comm, err);
  if (err && err != PT_EXIT && err != PT_STOP) pt_error_report(comm, prog);
  return err;
}
