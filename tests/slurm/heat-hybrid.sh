#!/bin/bash
# shellcheck source-path=SCRIPTDIR
# job-scripts/heat-hybrid.sbatch on a real Slurm: one rank with 2 cores runs 2 OpenMP
# threads (threads, binding and srun's cpus-per-task derived from the allocation), under
# srun and under mpirun (mapped onto the task's cores); the field is bitwise the one of
# a 1-rank, 1-thread run outside Slurm.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# shellcheck source=../common.sh
. "$(dirname "$0")/../common.sh"
# shellcheck source=fixture.sh
. "$(dirname "$0")/fixture.sh"
slurm_up heat

small=(--set grid.nx=24 --set grid.ny=20 --set grid.nz=16 --set time.steps=60 --set output.every=30)
a=$(slurm_submit --nodes=1 --ntasks-per-node=1 --cpus-per-task=2 \
  "$top_srcdir/job-scripts/heat-hybrid.sbatch" "${small[@]}")
b=$(slurm_submit --nodes=1 --ntasks-per-node=1 --cpus-per-task=2 --export=ALL,MPI_LAUNCHER=mpirun \
  "$top_srcdir/job-scripts/heat-hybrid.sbatch" "${small[@]}")
mkdir ref
OMP_NUM_THREADS=1 mpirun_t 60 1 "$top_builddir/apps/heat/partita-heat" "$top_srcdir/input/heat3d.ini" \
  "${small[@]}" --output ref -q || fail "reference run failed"
slurm_wait "$a" 120; slurm_wait "$b" 120
for id in "$a" "$b"; do
  cat "heat-hybrid-$id.out"
  slurm_expect_completed "$id"
  expect_log "heat-hybrid-$id.out" '^OMP_NUM_THREADS=2$' '^SRUN_CPUS_PER_TASK=2$' '^OMP_PROC_BIND=close$' \
    '^OMP_PLACES=cores$' '1 rank\(s\) .*2 thread\(s\) each' 'exited with code 0$'
  d="heat-hybrid-$id"
  [ "$(report_get "$d/report.json" run.omp_threads)" = 2 ] || fail "job $id: report does not say 2 threads"
  "$H5DIFF" ref/heat.h5 "$d/heat.h5" /data/60/meshes/temperature /data/60/meshes/temperature ||
    fail "job $id: the 2-thread field differs from the 1-thread one"
done
expect_log "heat-hybrid-$a.out" '^launcher: srun --mpi=pmix --cpu-bind=cores --kill-on-bad-exit=1$'
expect_log "heat-hybrid-$b.out" '^launcher: mpirun --map-by slot:PE=2 --bind-to core$'
echo "ok: heat-hybrid.sbatch runs 2 threads per rank under srun and mpirun, same field as 1 thread"
