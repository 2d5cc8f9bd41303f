/* partita-commbench: MPI micro-benchmarks of the machine Partita runs on: point-to-point,
 * collectives, one-sided and the halo exchange of each pt_halo back-end. Tables in the
 * OSU micro-benchmarks' layout on stdout, every figure in the JSON report. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cb_coll.h"
#include "cb_halo.h"
#include "cb_p2p.h"
#include "cb_params.h"
#include "cb_rma.h"
#include "partita.h"

static const char *const prog = "partita-commbench";

static const char *const usage =
    "Measures MPI on this machine: ping-pong latency, bandwidth and bidirectional\n"
    "bandwidth (1 B to 16 MiB), the collectives over sizes and rank counts, MPI_Put and\n"
    "MPI_Get with fence, post-start-complete-wait and passive-target synchronisation, and\n"
    "the halo exchange of a 2D and 3D field through each pt_halo back-end. Each figure\n"
    "is the best of commbench.trials timed loops after a warm-up, with min/avg/max across\n"
    "ranks. Keys ([commbench] section, all optional) are documented in\n"
    "input/commbench.ini; e.g. --set commbench.tests=pingpong,allreduce.";

/* Number of shared-memory nodes the ranks of `comm` run on. */
static int count_nodes(MPI_Comm comm, int *nodes) {
  MPI_Comm node;
  int rank, leader;
  PT_MPI(MPI_Comm_split_type(comm, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node));
  PT_MPI(MPI_Comm_rank(node, &rank));
  leader = rank == 0;
  MPI_Comm_free(&node);
  PT_MPI(MPI_Allreduce(&leader, nodes, 1, MPI_INT, MPI_SUM, comm));
  return PT_OK;
}

/* Rank 0: the run section, then the report file (temp file, then rename). */
static int write_report(cJSON *root, int ranks, int nodes, const char *deck, const char *path) {
  char host[256] = "", date[32] = "", lib[MPI_MAX_LIBRARY_VERSION_STRING] = "";
  int len;
  gethostname(host, sizeof host - 1);
  time_t now = time(NULL);
  strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
  MPI_Get_library_version(lib, &len);
  lib[strcspn(lib, ",\n")] = '\0';
  cJSON *run = cJSON_AddObjectToObject(root, "run");
  if (!run) return PT_ERROR(PT_ERR_NOMEM, "out of memory for the report");
  cJSON_AddStringToObject(run, "software", "Partita " PACKAGE_VERSION);
  cJSON_AddStringToObject(run, "date", date);
  cJSON_AddStringToObject(run, "host", host);
  cJSON_AddNumberToObject(run, "mpi_ranks", ranks);
  cJSON_AddNumberToObject(run, "nodes", nodes);
  cJSON_AddStringToObject(run, "mpi_library", lib);
  if (deck) cJSON_AddStringToObject(run, "input_deck", deck);
  char tmp[PT_PATH_MAX];
  PT_TRY(pt_io_path(tmp, sizeof tmp, "--report", "%s.tmp", path));
  char *text = cJSON_Print(root);
  if (!text) return PT_ERROR(PT_ERR_NOMEM, "out of memory for the report");
  FILE *f = fopen(tmp, "w");
  int err = PT_OK;
  if (!f || fputs(text, f) < 0 || fputc('\n', f) == EOF) err = PT_ERR_IO;
  if (f && fclose(f) != 0) err = PT_ERR_IO;
  if (!err && rename(tmp, path) != 0) err = PT_ERR_IO;
  if (err) {
    remove(tmp);
    err = PT_ERROR(PT_ERR_IO, "cannot write report '%s'", path);
  }
  free(text);
  return err;
}

static int setup(pt_cli *cli, MPI_Comm comm, pt_config **cfg, cb_params *p, char **deck) {
  PT_TRY(pt_config_load(comm, cli->input, cli->nset, cli->sets, cfg));
  int err = cb_params_read(*cfg, p);
  if (!err) err = pt_config_finish(*cfg);
  if (!err) err = pt_cli_help_keys(cli, *cfg, comm);
  PT_TRY(pt_agree(comm, err));
  PT_TRY(pt_cli_prepare_output(cli, comm));
  *deck = pt_config_resolved(*cfg);
  return PT_OK;
}

static int run(const cb_params *p, MPI_Comm comm, cJSON *benchmarks) {
  int size, nodes;
  PT_MPI(MPI_Comm_size(comm, &size));
  PT_TRY(count_nodes(comm, &nodes));
  pt_log(PT_LOG_INFO, "%s: %d rank(s) on %d node(s); best of %lld trial(s) per figure, "
         "min/avg/max across ranks", prog, size, nodes, (long long)p->trials);
  PT_TRY(cb_p2p_run(p, comm, benchmarks));
  PT_TRY(cb_coll_run(p, comm, benchmarks));
  PT_TRY(cb_rma_run(p, comm, benchmarks));
  PT_TRY(cb_halo_run(p, comm, benchmarks));
  return PT_OK;
}

int main(int argc, char **argv) {
  pt_cli cli;
  int err = pt_cli_begin(&cli, &argc, &argv, prog, usage, 0);
  MPI_Comm comm = MPI_COMM_WORLD;
  int rank, size, nodes = 0;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  pt_config *cfg = NULL;
  cb_params p;
  char *deck = NULL;
  cJSON *root = NULL, *benchmarks = NULL;
  if (!err) err = setup(&cli, comm, &cfg, &p, &deck);
  if (!err && rank == 0) {
    root = cJSON_CreateObject();
    benchmarks = root && cJSON_AddStringToObject(root, "app", prog)
                     ? cJSON_AddArrayToObject(root, "benchmarks") : NULL;
    if (!benchmarks) err = PT_ERROR(PT_ERR_NOMEM, "out of memory");
  }
  err = pt_agree(comm, err);
  if (!err) err = run(&p, comm, benchmarks);
  if (!err) err = count_nodes(comm, &nodes);
  if (!err && cli.report && rank == 0) err = write_report(root, size, nodes, deck, cli.report);
  if (!err && cli.report) pt_log(PT_LOG_INFO, "\n%s: report written to %s", prog, cli.report);
  err = pt_cli_end(comm, prog, err);
  cJSON_Delete(root);
  free(deck);
  pt_config_destroy(&cfg);
  pt_cli_free(&cli);
  MPI_Finalize();
  return pt_error_exit_code(err);
}
