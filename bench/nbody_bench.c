/* nbody_bench: the force kernel of partita-nbody against the peak FMA rate of the same
 * core, measured in the same run. Usage (see bench/nbody-bench):
 *   nbody_bench N fp64|fp32 exact|fast allgather|ring|rma EVALS REPS
 * REPS rounds, each a peak measurement (bench_peak, rank 0's core) followed by EVALS
 * force evaluations, so a burst of outside load slows both; prints one JSON line: the
 * best and worst interactions/s, GFLOP/s at 20 flops per interaction, the best and
 * worst peak FMA GFLOP/s of this precision, the best rate over the best peak and the
 * seconds per force evaluation (slowest rank, best round); and the range over the
 * rounds of each round's rate over its own peak. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_peak.h"
#include "nbody_force.h"
#include "nbody_ic.h"
#include "nbody_kernel.h"
#include "nbody_kernel_fast.h"
#include "partita.h"

static int choice(const char *arg, const char *const names[]) {
  for (int k = 0; names[k]; ++k)
    if (strcmp(arg, names[k]) == 0) return k;
  return -1;
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  MPI_Comm comm = MPI_COMM_WORLD;
  int rank, size;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  nbody_params prm;
  memset(&prm, 0, sizeof prm);
  int evals = 0, reps = 0;
  if (argc == 7) {
    prm.n = atoll(argv[1]);
    prm.precision = choice(argv[2], nbody_precision_names);
    prm.kernel = choice(argv[3], nbody_kernel_names);
    prm.strategy = choice(argv[4], nbody_strategy_names);
    evals = atoi(argv[5]);
    reps = atoi(argv[6]);
  }
  if (prm.n < size || prm.precision < 0 || prm.kernel < 0 || prm.strategy < 0 || evals < 1 || reps < 1) {
    if (rank == 0)
      fprintf(stderr, "usage: nbody_bench N fp64|fp32 exact|fast allgather|ring|rma EVALS REPS\n");
    MPI_Finalize();
    return 1;
  }
  prm.G = 1;
  prm.eps = 0.01;
  prm.seed = 1;
  prm.init = NBODY_INIT_PLUMMER;
  pt_particles *p;
  nbody_force *f;
  double *acc[3];
  int err = nbody_ic_create(comm, &prm, &p);
  if (!err) err = nbody_force_create(p, prm.strategy, prm.precision, prm.kernel, 1.0, prm.eps, NULL, &f);
  for (int c = 0; !err && c < 3; ++c) err = pt_particles_alloc(p, sizeof(double), (void **)&acc[c]);
  if (err) {
    pt_error_report(comm, "nbody_bench");
    MPI_Abort(comm, 2);
  }
  nbody_force_compute(f, acc, NULL);  /* warm-up: pages, caches, clone resolution */
  const double flops_per_eval = (double)prm.n * (double)prm.n * NBODY_FLOPS_PER_INTERACTION;
  double best = 1e300, worst = 0, pk_best = 0, pk_worst = 1e300, fr_min = 1e300, fr_max = 0;
  for (int k = 0; k < reps; ++k) {
    double g = 0;
    if (rank == 0) {
      bench_peak pk;
      bench_peak_run(20000000, 1, &pk);
      g = prm.precision == NBODY_FP32 ? pk.fp32 : pk.fp64;
      pk_best = g > pk_best ? g : pk_best;
      pk_worst = g < pk_worst ? g : pk_worst;
    }
    MPI_Barrier(comm);
    double t = MPI_Wtime();
    for (int e = 0; e < evals; ++e) nbody_force_compute(f, acc, NULL);
    t = MPI_Wtime() - t;
    double tmax;
    MPI_Allreduce(&t, &tmax, 1, MPI_DOUBLE, MPI_MAX, comm);
    best = tmax < best ? tmax : best;
    worst = tmax > worst ? tmax : worst;
    /* The kernel over the peak of its own round: how far the pairing of the best of
     * each (below) is from what one round saw. */
    const double fr = flops_per_eval * evals / tmax * 1e-9 / size / g;
    fr_min = fr < fr_min ? fr : fr_min;
    fr_max = fr > fr_max ? fr : fr_max;
  }
  if (rank == 0) {
    const double n = (double)prm.n, ips = n * n * evals / best, ips_worst = n * n * evals / worst;
    const double gf = ips * NBODY_FLOPS_PER_INTERACTION * 1e-9;
    const int native = prm.kernel == NBODY_KERNEL_FAST && nbody_kernel_fast_native();
    printf("{\"n\": %lld, \"precision\": \"%s\", \"kernel\": \"%s\", \"fast_kernel_native\": %d, "
           "\"strategy\": \"%s\", \"ranks\": %d, \"rounds\": %d, \"seconds_per_eval\": %.6g, "
           "\"interactions_per_s\": %.4g, \"interactions_per_s_worst\": %.4g, \"gflops\": %.4g, "
           "\"peak_fma_gflops_per_core\": %.4g, \"peak_fma_gflops_per_core_worst\": %.4g, "
           "\"fraction_of_peak_per_core\": %.3f, \"fraction_of_peak_per_round_min\": %.3f, "
           "\"fraction_of_peak_per_round_max\": %.3f}\n",
           (long long)prm.n, argv[2], argv[3], native, argv[4], size, reps, best / evals, ips, ips_worst,
           gf, pk_best, pk_worst, gf / size / pk_best, fr_min, fr_max);
  }
  for (int c = 0; c < 3; ++c) free(acc[c]);
  nbody_force_destroy(&f);
  pt_particles_destroy(&p);
  MPI_Finalize();
  return 0;
}
