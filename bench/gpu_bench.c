/* gpu_bench: the CUDA back-end against this GPU's own copy bandwidth, measured in the
 * same run. Usage (see bench/gpu-bench):
 *   gpu_bench copy|heat2d|heat3d|halo|nbody [N] [STEPS]
 *   copy    device-to-device cudaMemcpy of 1 GiB: 2 x bytes / time (read + write)
 *   heat2d  partita-heat's explicit FP64 step on N^2 cells (default 16384), heat3d on N^3
 *           (default 512): lattice updates/s, and LUP/s x 16 B over the copy bandwidth
 *           (16 B per cell: one read and one write, the least an out-of-place step moves)
 *   halo    (2 or more ranks) heat 2D N^2: step time with the exchange over the time
 *           with it switched off (run.halo_off)
 *   nbody   partita-nbody's leapfrog step on N bodies (default 262144, a Plummer sphere,
 *           eps 0.01), FP32 then FP64 forces: interactions/s = N^2 / step time (the
 *           self pair counted, as partita-nbody reports), target >= 1.5e12 in FP32
 * Prints one JSON line per measurement on rank 0. Exit 77 with "no CUDA device: nothing
 * to measure (...)" where some rank has no usable device. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heat_params.h"
#include "heat_solver.h"
#include "nbody_ic.h"
#include "nbody_params.h"
#include "nbody_sim.h"
#include "partita.h"
#ifdef PT_HAVE_CUDA
#include <cuda_runtime_api.h>
#endif

enum { EXIT_SKIP = 77 };

/* Best of 5 rounds of 10 copies of 1 GiB, GB/s counting read and write. */
static int copy_bandwidth(double *gbs) {
#ifdef PT_HAVE_CUDA
  const size_t bytes = (size_t)1 << 30;
  void *a = NULL, *b = NULL;
  cudaEvent_t t0, t1;
  PT_CUDA(cudaMalloc(&a, bytes));
  PT_CUDA(cudaMalloc(&b, bytes));
  PT_CUDA(cudaMemset(a, 1, bytes));
  PT_CUDA(cudaEventCreate(&t0));
  PT_CUDA(cudaEventCreate(&t1));
  PT_CUDA(cudaMemcpy(b, a, bytes, cudaMemcpyDeviceToDevice));
  *gbs = 0;
  for (int round = 0; round < 5; ++round) {
    float ms;
    PT_CUDA(cudaEventRecord(t0, 0));
    for (int k = 0; k < 10; ++k) PT_CUDA(cudaMemcpyAsync(b, a, bytes, cudaMemcpyDeviceToDevice, 0));
    PT_CUDA(cudaEventRecord(t1, 0));
    PT_CUDA(cudaEventSynchronize(t1));
    PT_CUDA(cudaEventElapsedTime(&ms, t0, t1));
    double g = 2.0 * 10 * (double)bytes / (ms * 1e-3) * 1e-9;
    *gbs = g > *gbs ? g : *gbs;
  }
  PT_CUDA(cudaEventDestroy(t0));
  PT_CUDA(cudaEventDestroy(t1));
  PT_CUDA(cudaFree(a));
  PT_CUDA(cudaFree(b));
  return PT_OK;
#else
  (void)gbs;
  return PT_ERROR(PT_ERR_RUNTIME, "no CUDA support in this build");
#endif
}

/* Seconds per step of heat on the device, best of 3 rounds of `steps` after 5 warm-up
 * steps (the first uploads the field). Every step ends with the device idle, so the
 * wall clock is the step. Collective. */
static int heat_step_time(MPI_Comm comm, int ndim, long n, int halo_off, int steps, double *sec) {
  char deck[512];
  snprintf(deck, sizeof deck,
           "[grid]\nndim = %d\nnx = %ld\nny = %ld\nnz = %ld\n[initial]\ntype = gaussian\n"
           "[output]\ndiagnostics_every = 0\n[run]\nbackend = cuda\nhalo_off = %s\n",
           ndim, n, n, n, halo_off ? "true" : "false");
  pt_config *cfg = NULL;
  heat_params p;
  pt_timers *t = NULL;
  heat_solver *s = NULL;
  int err = pt_config_parse_string("gpu-bench", deck, 0, NULL, &cfg);
  if (!err) err = heat_params_read(cfg, &p);
  if (!err) err = pt_config_finish(cfg);
  if (!err) err = pt_timers_create(&t);
  err = pt_agree(comm, err);
  if (!err) err = heat_solver_create(comm, &p, t, &s);
  if (!err) {
    heat_solver_init(s);
    for (int k = 0; k < 5 && !err; ++k) err = heat_solver_step(s);
    *sec = 1e30;
    for (int round = 0; round < 3 && !err; ++round) {
      MPI_Barrier(comm);
      double t0 = MPI_Wtime();
      for (int k = 0; k < steps && !err; ++k) err = heat_solver_step(s);
      double dt = (MPI_Wtime() - t0) / steps, slowest;
      MPI_Allreduce(&dt, &slowest, 1, MPI_DOUBLE, MPI_MAX, comm);
      *sec = slowest < *sec ? slowest : *sec;
    }
  }
  heat_solver_destroy(&s);
  pt_timers_destroy(&t);
  pt_config_destroy(&cfg);
  return err;
}

/* Seconds per leapfrog step of partita-nbody on the device (allgather: on one rank no
 * block travels), best of 3 rounds of `steps` after one warm-up step, no potential (as
 * between diagnostics). Each step ends with the device idle. Collective. */
static int nbody_step_time(MPI_Comm comm, int precision, long n, int steps, double *sec) {
  nbody_params prm;
  memset(&prm, 0, sizeof prm);
  prm.n = n, prm.G = 1, prm.eps = 0.01, prm.strategy = NBODY_ALLGATHER, prm.precision = precision;
  prm.init = NBODY_INIT_PLUMMER, prm.seed = 42, prm.radius = 1, prm.mass = 1, prm.dt = 1e-4;
  prm.integrator = NBODY_LEAPFROG, prm.backend = PT_BACKEND_CUDA;
  pt_particles *p = NULL;
  nbody_sim *s = NULL;
  int err = nbody_ic_create(comm, &prm, &p);
  if (!err) err = nbody_sim_create(&prm, p, NULL, &s);
  if (!err) err = nbody_sim_start(s);
  if (!err) err = nbody_sim_step(s, 0);
  *sec = 1e30;
  for (int round = 0; round < 3 && !err; ++round) {
    MPI_Barrier(comm);
    double t0 = MPI_Wtime();
    for (int k = 0; k < steps && !err; ++k) err = nbody_sim_step(s, 0);
    double dt = (MPI_Wtime() - t0) / steps, slowest;
    MPI_Allreduce(&dt, &slowest, 1, MPI_DOUBLE, MPI_MAX, comm);
    *sec = slowest < *sec ? slowest : *sec;
  }
  nbody_sim_destroy(&s);
  return err;
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  MPI_Comm comm = MPI_COMM_WORLD;
  MPI_Comm_set_errhandler(comm, MPI_ERRORS_RETURN);
  int rank, size, rc = 0;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  pt_log_init(comm, PT_LOG_QUIET);
  const char *what = argc > 1 ? argv[1] : "copy";
  const int is2d = !strcmp(what, "heat2d") || !strcmp(what, "halo"), nbody = !strcmp(what, "nbody");
  const long n = argc > 2 ? atol(argv[2]) : nbody ? 262144 : is2d ? 16384 : 512;
  const int steps = argc > 3 ? atoi(argv[3]) : nbody ? 10 : is2d ? 100 : 50;
  if (strcmp(what, "copy") && strcmp(what, "heat2d") && strcmp(what, "heat3d") && strcmp(what, "halo") &&
      !nbody) {
    if (!rank) fprintf(stderr, "usage: gpu_bench copy|heat2d|heat3d|halo|nbody [N] [STEPS]\n");
    MPI_Finalize();
    return 1;
  }
  pt_device_info dev;
  int err = pt_device_select(comm, PT_BACKEND_CUDA, &dev);
  if (err) {
    if (!rank) printf("no CUDA device: nothing to measure (%s)\n", pt_error_message());
    MPI_Finalize();
    return EXIT_SKIP;
  }
  double gbs = 0;
  err = pt_agree(comm, copy_bandwidth(&gbs));
  if (!err && !strcmp(what, "copy") && !rank)
    printf("{\"bench\": \"copy\", \"device\": \"%s\", \"d2d_GBps\": %.1f}\n", dev.name, gbs);
  if (!err && strncmp(what, "heat", 4) == 0) {
    const int ndim = is2d ? 2 : 3;
    double sec, cells = (double)n * (double)n * (ndim == 3 ? (double)n : 1.0);
    err = heat_step_time(comm, ndim, n, 0, steps, &sec);
    if (!err && !rank)
      printf("{\"bench\": \"%s\", \"device\": \"%s\", \"ranks\": %d, \"n\": %ld, \"lups\": %.4g, "
             "\"d2d_GBps\": %.1f, \"ratio_16B\": %.3f, \"target\": 0.85}\n",
             what, dev.name, size, n, cells / sec, gbs, cells / sec * 16.0 * 1e-9 / gbs);
  }
  if (!err && !strcmp(what, "halo")) {
    double on, off;
    err = heat_step_time(comm, 2, n, 0, steps, &on);
    if (!err) err = heat_step_time(comm, 2, n, 1, steps, &off);
    if (!err && !rank)
      printf("{\"bench\": \"halo\", \"device\": \"%s\", \"ranks\": %d, \"n\": %ld, \"step_s_exchange\": %.4g, "
             "\"step_s_no_exchange\": %.4g, \"overhead\": %.3f}\n", dev.name, size, n, on, off, on / off);
  }
  static const int precisions[2] = {NBODY_FP32, NBODY_FP64};
  for (int k = 0; nbody && !err && k < 2; ++k) {
    const int precision = precisions[k];
    double sec, pairs = (double)n * (double)n;
    err = nbody_step_time(comm, precision, n, precision == NBODY_FP32 ? steps : (steps + 1) / 2, &sec);
    if (!err && !rank)
      printf("{\"bench\": \"nbody\", \"device\": \"%s\", \"ranks\": %d, \"n\": %ld, \"precision\": \"%s\", "
             "\"step_s\": %.4g, \"interactions_per_s\": %.4g, \"gflops_20\": %.1f%s}\n", dev.name, size, n,
             nbody_precision_names[precision], sec, pairs / sec, pairs / sec * 20e-9,
             precision == NBODY_FP32 ? ", \"target\": 1.5e12" : "");
  }
  if (err) {
    pt_error_report(comm, "gpu_bench");
    rc = pt_error_exit_code(err);
  }
  MPI_Finalize();
  return rc;
}
