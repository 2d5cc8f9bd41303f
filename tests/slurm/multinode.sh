#!/bin/bash
# shellcheck source-path=SCRIPTDIR
# The job scripts across nodes: a Slurm of 4 simulated hosts (one slurmd each, TCP
# between them). heat-mpi.sbatch with sbatch -N 2 (srun --mpi=pmix and mpirun) and -N 4,
# heat-hybrid.sbatch, nbody-gpu.sbatch and grayscott.sbatch with -N 2: the ranks run on 2
# and 4 nodes (the run report's host names) and the fields equal a 1-rank run (n-body:
# the same ranks under mpirun); a 4-task sweep-array.sbatch spreads over the nodes. A fifth node never comes
# up (no slurmd): jobs run on the others.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# shellcheck source=../common.sh
. "$(dirname "$0")/../common.sh"
# shellcheck source=fixture.sh
. "$(dirname "$0")/fixture.sh"
SLURM_DEAD_NODES=1 slurm_up heat 5

hosts_of() { report_get "$1" run.hosts | tr ',' '\n' | sed 's/^ *//' | sort -u | wc -l; }

small=(--set grid.nx=64 --set grid.ny=48 --set time.steps=100 --set output.every=50)
mkdir ref
mpirun_t 60 1 "$top_builddir/apps/heat/partita-heat" "$top_srcdir/input/heat2d.ini" "${small[@]}" --output ref -q ||
  fail "reference run failed"
a=$(slurm_submit --nodes=2 --ntasks-per-node=2 "$top_srcdir/job-scripts/heat-mpi.sbatch" "${small[@]}")
b=$(slurm_submit --nodes=2 --ntasks-per-node=2 --export=ALL,MPI_LAUNCHER=mpirun \
  "$top_srcdir/job-scripts/heat-mpi.sbatch" "${small[@]}")
c=$(slurm_submit --nodes=4 --ntasks-per-node=2 "$top_srcdir/job-scripts/heat-mpi.sbatch" "${small[@]}")
for id in "$a" "$b" "$c"; do
  slurm_wait "$id" 240
  slurm_expect_completed "$id"
  d="heat-mpi-$id"
  want=2; [ "$id" = "$c" ] && want=4
  got=$(hosts_of "$d/report.json")
  [ "$got" -eq "$want" ] || { cat "heat-mpi-$id.out"; fail "job $id: ranks on $got node(s), asked for $want"; }
  [ "$(report_get "$d/report.json" run.mpi_ranks)" -eq $((2 * want)) ] || fail "job $id: not $((2 * want)) ranks"
  "$H5DIFF" ref/heat.h5 "$d/heat.h5" /data/100/meshes/temperature /data/100/meshes/temperature ||
    fail "job $id: the field on $want nodes differs from the 1-rank run"
  echo "ok: heat-mpi.sbatch job $id: $((2 * want)) ranks on $want nodes ($(report_get "$d/report.json" run.hosts)), field bitwise the 1-rank one"
done
expect_log "heat-mpi-$b.out" '^launcher: mpirun$'
expect_log "heat-mpi-$c.out" '^SLURM_PMIX_FENCE=ring$'

small3=(--set grid.nx=24 --set grid.ny=20 --set grid.nz=16 --set time.steps=40 --set output.every=20)
OMP_NUM_THREADS=1 mpirun_t 60 1 "$top_builddir/apps/heat/partita-heat" "$top_srcdir/input/heat3d.ini" \
  "${small3[@]}" --output ref3 -q || fail "3D reference run failed"
h=$(slurm_submit --nodes=2 --ntasks-per-node=1 --cpus-per-task=2 "$top_srcdir/job-scripts/heat-hybrid.sbatch" "${small3[@]}")
slurm_wait "$h" 240
slurm_expect_completed "$h"
[ "$(hosts_of "heat-hybrid-$h/report.json")" -eq 2 ] || fail "heat-hybrid job $h did not use 2 nodes"
"$H5DIFF" ref3/heat.h5 "heat-hybrid-$h/heat.h5" /data/40/meshes/temperature /data/40/meshes/temperature ||
  fail "heat-hybrid job $h: the field on 2 nodes x 2 threads differs from 1 rank x 1 thread"
echo "ok: heat-hybrid.sbatch on 2 nodes x 2 threads, field bitwise the 1-rank one"

# A sweep whose tasks each fill a node: Slurm spreads them over the nodes.
s=$(slurm_submit --array=0-3 --ntasks=2 --nodes=1 --export="ALL,SWEEP_VALUES=0.5 1 1.5 2" \
  "$top_srcdir/job-scripts/sweep-array.sbatch" --set grid.nx=32 --set grid.ny=32 --set time.steps=400 --set output.every=0)
slurm_wait "$s" 240
slurm_expect_completed "$s"
nodes=$(for t in 0 1 2 3; do report_get "heat-sweep-$s/task-$t/report.json" run.hosts; done | sort -u | wc -l)
[ "$nodes" -ge 2 ] || fail "the 4 sweep tasks all ran on one node"
echo "ok: sweep-array.sbatch: 4 tasks on $nodes nodes"

# nbody-gpu.sbatch on 2 nodes x 2 stand-in GPUs: each task gets a GPU of its own node
# (two tasks of one node, two different GPUs), and the bodies are bitwise those of the
# same 4 ranks started with mpirun (with no GPU, both run the CPU back-end).
export PATH="$top_builddir/apps/nbody:$top_builddir/apps/grayscott:$PATH"  # for the jobs too
nb=(--set nbody.n=200 --set time.steps=10 --set output.every=10)
mpirun_t 60 4 "$top_builddir/apps/nbody/partita-nbody" "$top_srcdir/input/nbody-plummer.ini" "${nb[@]}" \
  --output nbref -q || fail "n-body reference run failed"
g=$(slurm_submit --nodes=2 --ntasks-per-node=2 --cpus-per-task=1 --gpus-per-task=1 \
  "$top_srcdir/job-scripts/nbody-gpu.sbatch" "${nb[@]}")
slurm_wait "$g" 240
slurm_expect_completed "$g"
log="nbody-gpu-$g.out"
expect_log "$log" '^task 3 on .*: CUDA_VISIBLE_DEVICES=[0-9]+$'
[ "$(sed -n 's/^task [0-3] on \(.*\): CUDA_VISIBLE_DEVICES=.*/\1/p' "$log" | sort -u | wc -l)" -eq 2 ] ||
  { cat "$log"; fail "nbody-gpu job $g: the 4 tasks are not on 2 nodes"; }
pairs=$(sed -n 's/^task [0-3] on \(.*\): CUDA_VISIBLE_DEVICES=\([0-9]*\)$/\1 \2/p' "$log" | sort -u | wc -l)
[ "$pairs" -eq 4 ] || { cat "$log"; fail "nbody-gpu job $g: two tasks of one node share a GPU"; }
[ "$(hosts_of "nbody-gpu-$g/report.json")" -eq 2 ] || fail "nbody-gpu job $g: the report does not name 2 hosts"
for axis in x y z; do
  "$H5DIFF" nbref/nbody.h5 "nbody-gpu-$g/nbody.h5" /data/10/particles/bodies/position/$axis \
    /data/10/particles/bodies/position/$axis || fail "nbody-gpu job $g: position/$axis differs from the mpirun run"
done
echo "ok: nbody-gpu.sbatch on 2 nodes: one GPU per task on each node, bodies bitwise the mpirun run's"

# grayscott.sbatch on 2 nodes x 2 ranks: u and v bitwise the 1-rank fields.
gsd=(--set grid.nx=48 --set grid.ny=40 --set time.steps=100 --set output.every=100 --set initial.size=0.3)
mpirun_t 60 1 "$top_builddir/apps/grayscott/partita-grayscott" "$top_srcdir/input/grayscott2d.ini" "${gsd[@]}" \
  --output gsref -q || fail "Gray-Scott reference run failed"
k=$(slurm_submit --nodes=2 --ntasks-per-node=2 "$top_srcdir/job-scripts/grayscott.sbatch" "${gsd[@]}")
slurm_wait "$k" 240
slurm_expect_completed "$k"
[ "$(hosts_of "grayscott-$k/report.json")" -eq 2 ] || fail "grayscott job $k did not use 2 nodes"
for q in u v; do
  "$H5DIFF" gsref/grayscott.h5 "grayscott-$k/grayscott.h5" /data/100/meshes/$q /data/100/meshes/$q ||
    fail "grayscott job $k: $q on 2 nodes differs from the 1-rank run"
done
echo "ok: grayscott.sbatch on 2 nodes x 2 ranks, u and v bitwise the 1-rank fields"

# The node that never came up holds no job, and a 2-node job still runs on the others.
dead=${SLURM_NODES[4]}
for rep in heat-mpi-{"$a","$b","$c"}/report.json "heat-hybrid-$h/report.json" "nbody-gpu-$g/report.json" \
  "grayscott-$k/report.json"; do
  hosts=$(report_get "$rep" run.hosts) || fail "no $rep"
  [[ $hosts != *"$dead"* ]] || fail "$rep: ran on the dead node $dead"
done
echo "ok: the node that never came up ($dead, $(sinfo -h -n "$dead" -o %T)) got no job; 2- and 4-node jobs ran on the others"
