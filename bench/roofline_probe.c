/* roofline_probe: the ceilings of the roofline model on this machine: STREAM copy and
 * triad bandwidth and the peak FMA rate in FP64 and FP32, on one core and on every
 * OpenMP thread of the process. bench/roofline runs it and places the apps under it. */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench_peak.h"
#include "bench_stream.h"
#include "partita.h"

static const char *const prog = "roofline_probe";
static const char *const usage =
    "Measures the roofline ceilings: STREAM copy/triad (GB/s) and peak FMA GFLOP/s in FP64\n"
    "and FP32, on 1 thread and on OMP_NUM_THREADS threads. Keys: probe.stream_n (doubles\n"
    "per array), probe.ntimes (repetitions, best kept), probe.fma_iterations.";

static int measure(pt_report *rep, const char *section, int threads, int64_t n, int ntimes,
                   int64_t fma_iters) {
  omp_set_num_threads(threads);
  bench_stream s;
  bench_peak pk;
  PT_TRY(bench_stream_run(MPI_COMM_SELF, n, ntimes, &s));
  bench_peak_run(fma_iters, ntimes, &pk);
  pt_log(PT_LOG_INFO, "%d thread(s): STREAM copy %.1f GB/s, triad %.1f GB/s; peak FP64 %.1f "
         "GFLOP/s, FP32 %.1f GFLOP/s (%s%s)", pk.threads, s.copy, s.triad, pk.fp64, pk.fp32,
         pk.isa, pk.fma ? ", FMA" : ", no FMA");
  pt_report_add_int(rep, section, "threads", pk.threads);
  pt_report_add_double(rep, section, "stream_copy_GBs", s.copy);
  pt_report_add_double(rep, section, "stream_copy_GBs_worst", s.copy_worst);
  pt_report_add_double(rep, section, "stream_triad_GBs", s.triad);
  pt_report_add_double(rep, section, "stream_triad_GBs_worst", s.triad_worst);
  pt_report_add_double(rep, section, "peak_fp64_GFLOPs", pk.fp64);
  pt_report_add_double(rep, section, "peak_fp32_GFLOPs", pk.fp32);
  pt_report_add_string(rep, section, "isa", pk.isa);
  pt_report_add_int(rep, section, "fma", pk.fma);
  return PT_OK;
}

static int run(pt_cli *cli, MPI_Comm comm) {
  pt_config *cfg;
  PT_TRY(pt_config_load(comm, cli->input, cli->nset, cli->sets, &cfg));
  int64_t n, ntimes, fma_iters;
  int err = pt_config_get_int(cfg, "probe.stream_n", INT64_C(1) << 25, 1024, INT64_C(1) << 34, &n);
  if (!err) err = pt_config_get_int(cfg, "probe.ntimes", 10, 1, 1000, &ntimes);
  if (!err) err = pt_config_get_int(cfg, "probe.fma_iterations", INT64_C(1) << 24, 1, INT64_C(1) << 40, &fma_iters);
  if (!err) err = pt_config_finish(cfg);
  char *deck = err ? NULL : pt_config_resolved(cfg);
  pt_config_destroy(&cfg);
  PT_TRY(pt_agree(comm, err));
  pt_report *rep = NULL;
  pt_timers *timers = NULL;
  const int maxthreads = omp_get_max_threads();
  err = pt_report_create(prog, &rep);
  if (!err) err = pt_timers_create(&timers);
  if (!err) err = measure(rep, "core", 1, n, (int)ntimes, fma_iters);
  if (!err && maxthreads > 1) err = measure(rep, "node", maxthreads, n, (int)ntimes, fma_iters);
  omp_set_num_threads(maxthreads);
  if (!err && cli->report) err = pt_report_write(rep, timers, comm, deck, cli->report);
  pt_report_destroy(&rep);
  pt_timers_destroy(&timers);
  free(deck);
  return err;
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  MPI_Comm comm = MPI_COMM_SELF;
  pt_cli cli;
  int err = pt_cli_parse(&cli, argc, argv, prog, usage, 0);
  pt_log_init(comm, cli.verbosity);
  if (!err) err = run(&cli, comm);
  if (err && err != PT_EXIT) pt_error_report(comm, prog);
  pt_cli_free(&cli);
  MPI_Finalize();
  return pt_error_exit_code(err);
}
