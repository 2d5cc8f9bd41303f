#!/bin/sh
# The CUDA back-end on a real GPU: the GPU unit suite (test_gpu: heat field bitwise the
# CPU's, n-body forces and short runs against the CPU's, device selection) at 1 and 2
# ranks, then partita-heat end to end: the HDF5 output of backend = cuda at 1 and 2
# ranks equals backend = cpu's (h5diff, no tolerance); and partita-nbody end to end:
# positions after 20 steps within 1e-10 of the CPU's (h5diff -d); and partita-grayscott
# end to end: u and v of backend = cuda bitwise backend = cpu's, 2D and 3D, periodic and
# zero-flux, 1 and 2 ranks, p2p and neighbor, checkpoints crossing between the back-ends,
# auto choosing the GPU and the one-sided halos refused. Skipped (exit 77) where no GPU is
# visible: no nvidia-smi, no GPU listed, or pt_device finds no usable device (a CPU-only
# build, a missing driver).
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

gs="$top_builddir/apps/grayscott/partita-grayscott"
gsrun() { # DIR NP ARGS...
  d=$1 np=$2; shift 2
  mkdir -p "$d"
  mpirun_t 120 "$np" "$gs" --output "$d" "$@" >"$d/log" 2>&1 ||
    { cat "$d/log"; fail "grayscott run in $d failed"; }
}
gssame() { # CPU-DIR DIR STEP WHAT
  for q in u v; do
    "$H5DIFF" "$1/grayscott.h5" "$2/grayscott.h5" "/data/$3/meshes/$q" "/data/$3/meshes/$q" \
      >"$2/diff" 2>&1 ||
      { cat "$2/diff"; fail "grayscott $4: $q differs from the CPU"; }
  done
}
for dim in 2 3; do
  if [ $dim = 2 ]; then
    small="--set grid.nx=61 --set grid.ny=47 --set time.steps=60 --set output.every=30"
    small="$small --set initial.size=0.3" st=60
  else
    small="--set grid.nx=23 --set grid.ny=19 --set grid.nz=17 --set time.steps=30"
    small="$small --set output.every=15"
    small="$small --set initial.size=0.4" st=30
  fi
  for bc in periodic neumann; do
    set -- "$top_srcdir/input/grayscott${dim}d.ini" -q $small --set boundary.type=$bc
    ref="$PT_TMP/gs$dim-$bc-cpu"
    gsrun "$ref" 2 "$@" --set run.backend=cpu
    for np in 1 2; do
      for halo in p2p neighbor; do
        d="$PT_TMP/gs$dim-$bc-cuda-$np-$halo"
        gsrun "$d" "$np" "$@" --set run.backend=cuda --set run.halo=$halo
        gssame "$ref" "$d" $st "${dim}D $bc, backend cuda on $np rank(s), $halo"
      done
    done
  done
done
echo "ok: partita-grayscott on the GPU (2D/3D, periodic/zero-flux, 1/2 ranks, p2p/neighbor) is bitwise the CPU's"

# Checkpoints cross between the back-ends: 40 steps on one, 40 more from its checkpoint on
# the other (the restart's fields go up to the device once), against 80 on the CPU.
set -- "$top_srcdir/input/grayscott2d.ini" -q --set grid.nx=61 --set grid.ny=47 --set initial.size=0.3 \
  --set time.steps=80 --set output.every=80
gsrun "$PT_TMP/gs-straight" 2 "$@"
for first in cpu cuda; do
  second=cuda
  [ $first = cuda ] && second=cpu
  d="$PT_TMP/gs-chain-$first"
  gsrun "$d" 2 "$@" --set time.steps=40 --set output.checkpoint_every=40 --set run.backend=$first
  gsrun "$d" 1 "$@" --set run.backend=$second --restart latest
  gssame "$PT_TMP/gs-straight" "$d" 80 "40 steps on $first + 40 on $second"
done
echo "ok: partita-grayscott checkpoints continue bitwise from cpu on cuda and from cuda on cpu"

# auto takes the GPU; a one-sided halo is refused on it, naming run.halo (exit 1).
gsrun "$PT_TMP/gs-auto" 1 "$top_srcdir/input/grayscott2d.ini" --set time.steps=10 --set run.backend=auto
grep -q "backend cuda" "$PT_TMP/gs-auto/log" || { cat "$PT_TMP/gs-auto/log"; fail "grayscott: auto did not take the GPU"; }
for backend in cuda auto; do
  mpirun_t 60 2 --quiet "$gs" "$top_srcdir/input/grayscott2d.ini" --set time.steps=10 --set run.backend=$backend \
    --set run.halo=rma --output "$PT_TMP/gs-rma" >"$PT_TMP/gs-rma.out" 2>"$PT_TMP/gs-rma.err"
  rc=$?
  [ "$rc" -eq 1 ] && [ "$(wc -l <"$PT_TMP/gs-rma.err")" -eq 1 ] && grep -q "run.halo: 'rma'" "$PT_TMP/gs-rma.err" ||
    { cat "$PT_TMP/gs-rma.err"; fail "grayscott: run.backend=$backend with run.halo=rma: exit $rc, not one line naming run.halo"; }
done
echo "ok: partita-grayscott: auto takes the GPU; run.halo=rma refused on it ($(cat "$PT_TMP/gs-rma.err"))"
