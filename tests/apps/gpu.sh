#!/bin/sh
# The CUDA back-end on a real GPU: the GPU unit suite (test_gpu: heat field bitwise the
# CPU's, n-body forces and short runs against the CPU's, device selection) at 1 and 2
# ranks, then partita-heat end to end: the HDF5 output of backend = cuda at 1 and 2
# ranks equals backend = cpu's (h5diff, no tolerance); and partita-nbody end to end:
# positions after 20 steps within 1e-10 of the CPU's (h5diff -d). Skipped (exit 77) where no GPU is visible: no nvidia-smi, no GPU listed,
# or pt_device finds no usable device (a CPU-only build, a missing driver).
. "$(dirname "$0")/../common.sh"
heat="$top_builddir/apps/heat/partita-heat"
suite="$top_builddir/tests/unit/test_gpu"

command -v nvidia-smi >/dev/null 2>&1 || { echo "skip: no nvidia-smi, no GPU visible"; exit 77; }
nvidia-smi -L 2>/dev/null | grep -q '^GPU' || { echo "skip: nvidia-smi lists no GPU"; exit 77; }
mpirun_t 60 1 "$heat" -q --set run.backend=cuda --set time.steps=0 --output "$PT_TMP" \
  >"$PT_TMP/probe" 2>&1 || {
  grep -q "needs a usable CUDA device" "$PT_TMP/probe" && { echo "skip: $(head -n 1 "$PT_TMP/probe")"; exit 77; }
  cat "$PT_TMP/probe"; fail "partita-heat --set run.backend=cuda failed on a GPU machine"
}
nvidia-smi -L

for np in 1 2; do
  mpirun_t 300 "$np" "$suite" || fail "test_gpu on $np rank(s)"
done

[ -n "$H5DIFF" ] || { echo "h5diff not found: end-to-end comparison skipped"; exit 0; }
run() { # DIR NP ARGS...
  d=$1 np=$2; shift 2
  mkdir -p "$d"
  mpirun_t 120 "$np" "$heat" -q --output "$d" "$@" >"$d/log" 2>&1 || { cat "$d/log"; fail "run in $d failed"; }
}
for deck in heat2d heat3d; do
  set -- "$top_srcdir/input/$deck.ini" --set time.steps=60 --set output.every=60
  run "$PT_TMP/$deck-cpu" 2 "$@" --set run.backend=cpu
  for np in 1 2; do
    d="$PT_TMP/$deck-cuda-$np"
    run "$d" "$np" "$@" --set run.backend=cuda
    "$H5DIFF" "$PT_TMP/$deck-cpu/heat.h5" "$d/heat.h5" /data/60/meshes/temperature \
      /data/60/meshes/temperature >"$d/diff" 2>&1 ||
      { cat "$d/diff"; fail "$deck: backend cuda on $np rank(s) differs from the CPU"; }
  done
  echo "ok: $deck on the GPU (1 and 2 ranks) is bitwise the CPU's"
done

nb="$top_builddir/apps/nbody/partita-nbody"
set -- "$top_srcdir/input/nbody-plummer.ini" --set nbody.n=2048 --set time.steps=20 --set output.every=20
mkdir -p "$PT_TMP/nbody-cpu"
mpirun_t 120 2 "$nb" -q --output "$PT_TMP/nbody-cpu" "$@" >"$PT_TMP/nbody-cpu/log" 2>&1 ||
  { cat "$PT_TMP/nbody-cpu/log"; fail "partita-nbody on the CPU failed"; }
for run in "1 allgather" "2 allgather" "2 ring" "2 rma"; do
  set -- $run "$@"
  np=$1 strategy=$2; shift 2
  d="$PT_TMP/nbody-cuda-$np-$strategy"
  mkdir -p "$d"
  mpirun_t 120 "$np" "$nb" -q --output "$d" "$@" --set run.backend=cuda --set nbody.strategy="$strategy" \
    >"$d/log" 2>&1 || { cat "$d/log"; fail "partita-nbody backend cuda, $np rank(s), $strategy failed"; }
  "$H5DIFF" -d 1e-10 "$PT_TMP/nbody-cpu/nbody.h5" "$d/nbody.h5" /data/20/particles/bodies/position \
    /data/20/particles/bodies/position >"$d/diff" 2>&1 ||
    { cat "$d/diff"; fail "nbody: backend cuda on $np rank(s), $strategy differs from the CPU by > 1e-10"; }
done
echo "ok: partita-nbody on the GPU (1 and 2 ranks, every strategy) matches the CPU within 1e-10"
