#!/bin/bash
# shellcheck source-path=SCRIPTDIR
# job-scripts/heat-mpi.sbatch on a real Slurm, launched by srun --mpi=pmix and by
# MPI_LAUNCHER=mpirun: both complete, write the same field, a report and a job log
# with the environment and versions.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# shellcheck source=../common.sh
. "$(dirname "$0")/../common.sh"
# shellcheck source=fixture.sh
. "$(dirname "$0")/fixture.sh"
slurm_up heat

small=(--set grid.nx=64 --set grid.ny=48 --set time.steps=200 --set output.every=100)
a=$(slurm_submit --nodes=1 --ntasks-per-node=2 "$top_srcdir/job-scripts/heat-mpi.sbatch" "${small[@]}")
b=$(slurm_submit --nodes=1 --ntasks-per-node=2 --export=ALL,MPI_LAUNCHER=mpirun \
  "$top_srcdir/job-scripts/heat-mpi.sbatch" "${small[@]}")
slurm_wait "$a" 120; slurm_wait "$b" 120
for id in "$a" "$b"; do
  cat "heat-mpi-$id.out"
  slurm_expect_completed "$id"
  expect_log "heat-mpi-$id.out" '^=== Partita job '"$id" '^app .*partita-heat \(Partita ' '^slurm(-wlm)? [0-9]' \
    '^mpirun \(Open MPI\)' '^SLURM_NTASKS=2$' '^OMP_NUM_THREADS=1$' '^SRUN_CPUS_PER_TASK=1$' \
    'exited with code 0$'
  d="heat-mpi-$id"
  expect_dataset "$d/heat.h5" /data/200/meshes/temperature
  [ "$(report_get "$d/report.json" run.mpi_ranks)" = 2 ] || fail "job $id: report does not say 2 ranks"
done
expect_log "heat-mpi-$a.out" '^launcher: srun --mpi=pmix'
expect_log "heat-mpi-$b.out" '^launcher: mpirun$'
"$H5DIFF" "heat-mpi-$a/heat.h5" "heat-mpi-$b/heat.h5" /data/200/meshes/temperature \
  /data/200/meshes/temperature || fail "srun and mpirun runs differ"
echo "ok: heat-mpi.sbatch runs under srun --mpi=pmix and mpirun with the same result"
