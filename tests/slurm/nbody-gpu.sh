#!/bin/bash
# shellcheck source-path=SCRIPTDIR
# job-scripts/nbody-gpu.sbatch on a real Slurm whose node has two stand-in GPUs: two
# tasks with --gpus-per-task=1 each get a different GPU (CUDA_VISIBLE_DEVICES, recorded
# in the job log), the run completes with its HDF5 series and report, and the bodies
# are bitwise those of the same run started with mpirun outside Slurm.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# shellcheck source=../common.sh
. "$(dirname "$0")/../common.sh"
nbody="$top_builddir/apps/nbody/partita-nbody"
[ -x "$nbody" ] || { echo "SKIP: partita-nbody is not built"; exit 77; }
# shellcheck source=fixture.sh
. "$(dirname "$0")/fixture.sh"
slurm_up nbody

mkdir -p "$sub/ref"
small=(--set nbody.n=300 --set time.steps=20 --set output.every=10)
id=$(slurm_submit --nodes=1 --ntasks-per-node=2 --cpus-per-task=1 --gpus-per-task=1 \
  "$top_srcdir/job-scripts/nbody-gpu.sbatch" "${small[@]}")
mpirun_t 60 2 "$nbody" "$top_srcdir/input/nbody-plummer.ini" "${small[@]}" --output ref -q ||
  fail "the reference run failed"
slurm_wait "$id" 120
log="nbody-gpu-$id.out"
cat "$log"
slurm_expect_completed "$id"
expect_log "$log" '^SLURM_GPUS_PER_TASK=1$' '^task 0 on .*: CUDA_VISIBLE_DEVICES=[0-9]+$' \
  '^task 1 on .*: CUDA_VISIBLE_DEVICES=[0-9]+$' 'exited with code 0$'
gpus=$(sed -n 's/^task [01] on .*: CUDA_VISIBLE_DEVICES=//p' "$log" | sort -u | wc -l)
[ "$gpus" -eq 2 ] || fail "the two tasks did not get two different GPUs"
d="nbody-gpu-$id"
expect_dataset "$d/nbody.h5" /data/20/particles/bodies/position/x
[ "$(report_get "$d/report.json" run.mpi_ranks)" = 2 ] || fail "report does not say 2 ranks"
for c in x y z; do
  "$H5DIFF" ref/nbody.h5 "$d/nbody.h5" /data/20/particles/bodies/position/$c \
    /data/20/particles/bodies/position/$c || fail "position/$c differs from the mpirun run"
done
echo "ok: nbody-gpu.sbatch: one GPU per task, same bodies as a direct mpirun run"
