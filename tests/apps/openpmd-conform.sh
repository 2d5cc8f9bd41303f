#!/bin/sh
# openPMD 1.1.0 conformance (tests/apps/openpmd_check.py, the standard's rules) of what
# every app writes, at 1 and 4 ranks: partita-heat 2D and 3D, partita-nbody, the I/O
# driver (meshes and particles in one file), outputs and checkpoints. Then the checker is
# shown able to fail (openpmd_defects.py: one defect per file, each must be refused), and
# a species whose particlePatches do not add up is refused as an initial state.
. "$(dirname "$0")/../common.sh"
[ -n "${PT_PYTHON:-}" ] || { echo "no Python with h5py: skipped"; exit 77; }
check="$top_srcdir/tests/apps/openpmd_check.py"
heat="$top_builddir/apps/heat/partita-heat"
nbody="$top_builddir/apps/nbody/partita-nbody"
driver="$top_builddir/tests/apps/io_driver"

run() { # DIR NP PROGRAM ARGS...: one quiet run writing into DIR
  d=$1 np=$2; shift 2
  mkdir -p "$d"
  mpirun_t 120 "$np" --quiet "$@" --output "$d" >"$d/log" 2>&1 || { cat "$d/log"; fail "run in $d failed: $*"; }
}

files=""
for np in 1 4; do
  d="$PT_TMP/heat2d-$np"
  run "$d" "$np" "$heat" "$top_srcdir/input/heat2d.ini" -q --set grid.nx=40 --set grid.ny=36 \
    --set time.steps=20 --set output.every=10 --set output.checkpoint_every=20
  files="$files $d/heat.h5 $d/partita-heat-checkpoint.h5"
  d="$PT_TMP/heat3d-$np"
  run "$d" "$np" "$heat" "$top_srcdir/input/heat3d.ini" -q --set grid.nx=12 --set grid.ny=10 \
    --set grid.nz=14 --set time.steps=10 --set output.every=5
  files="$files $d/heat.h5"
  d="$PT_TMP/nbody-$np"
  run "$d" "$np" "$nbody" "$top_srcdir/input/nbody-plummer.ini" -q --set nbody.n=301 \
    --set time.steps=10 --set output.every=5 --set output.checkpoint_every=10
  files="$files $d/nbody.h5 $d/partita-nbody-checkpoint.h5"
  d="$PT_TMP/driver-$np"
  run "$d" "$np" "$driver" --set driver.steps=4 --set driver.output_every=2 --set driver.checkpoint_every=4
  for f in "$d"/*.h5; do files="$files $f"; done
done
# One body per rank: each patch box holds a single position.
d="$PT_TMP/kepler-2"
run "$d" 2 "$nbody" "$top_srcdir/input/nbody-kepler.ini" -q --set time.end_time=0.05 --set output.every=4
files="$files $d/nbody.h5"
# shellcheck disable=SC2086
"$PT_PYTHON" "$check" $files || fail "an app's file does not conform"

w="$PT_TMP/defects" && mkdir -p "$w"
"$PT_PYTHON" "$top_srcdir/tests/apps/openpmd_defects.py" "$PT_TMP/heat2d-4/heat.h5" \
  "$PT_TMP/nbody-4/nbody.h5" "$w" || fail "the checker missed a defect"

# The reader checks the patches too: defect 13 ("patches that do not add up").
bad="$w/defect13.h5"
d="$PT_TMP/nbody-bad" && mkdir -p "$d"
printf '[initial]\ntype = file\n' >"$d/file.ini"
mpirun_t 60 2 --quiet "$nbody" "$d/file.ini" -q --set initial.file="$bad" --set initial.step=0 --set time.steps=1 \
  --output "$d" >"$d/log" 2>&1 &&
  fail "a species with inconsistent particlePatches was read"
grep -q "particlePatches: patch 1 starts at" "$d/log" || { cat "$d/log"; fail "no particlePatches message"; }
[ "$(wc -l <"$d/log")" -eq 1 ] || { cat "$d/log"; fail "expected one line"; }
echo "ok: inconsistent particlePatches refused as an initial state: $(cat "$d/log")"
