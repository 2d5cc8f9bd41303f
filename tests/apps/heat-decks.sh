#!/bin/sh
# Every shipped partita-heat deck runs as-is (shortened), writes its HDF5 series, XDMF
# sidecar and run report; the eigenmode deck's final maximum matches g^k exactly enough.
. "$(dirname "$0")/../common.sh"
heat="$top_builddir/apps/heat/partita-heat"
for deck in "$top_srcdir"/input/heat*.ini; do
  name=$(basename "$deck" .ini)
  d="$PT_TMP/$name"; mkdir -p "$d"
  mpirun_t 120 4 --quiet "$heat" "$deck" --set time.steps=20 --set output.every=10 \
    --output "$d" --report "$d/run.json" >"$d/log" 2>&1
  rc=$?
  if [ "$rc" -ne 0 ] && grep -q "needs PETSc" "$d/log"; then echo "skip: $name (no PETSc)"; continue; fi
  [ "$rc" -eq 0 ] || { cat "$d/log"; fail "$name exited $rc"; }
  for f in heat.h5 heat.xmf run.json; do [ -s "$d/$f" ] || fail "$name: no $f"; done
  grep -q '"lattice_updates_per_s"' "$d/run.json" || fail "$name: report lacks lattice updates"
  for key in git_revision configure_args mpi_library hdf5 cuda command_line hosts; do
    grep -q "\"$key\"" "$d/run.json" || fail "$name: report lacks $key"
  done
  # The resolved deck (in the file and the report) lists what the run used: no z keys in 2D.
  if [ -z "${H5DUMP:-}" ]; then
    :
  elif "$H5DUMP" -a /inputDeck "$d/heat.h5" | grep -q "ndim = 2"; then
    ! "$H5DUMP" -a /inputDeck "$d/heat.h5" | grep -Eq "^ *(nz|lz|z_lo|z_hi|z_lo_value|z_hi_value|mode_z|center_z) =" ||
      fail "$name: the resolved 2D deck lists 3D keys"
  else
    "$H5DUMP" -a /inputDeck "$d/heat.h5" | grep -Eq "^ *nz =" || fail "$name: the resolved 3D deck lacks grid.nz"
  fi
  echo "ok: $name ($(grep -c '<Grid Name=' "$d/heat.xmf") grids in the sidecar)"
done
# --version: the version, git revision, configure options and the libraries found.
"$heat" --version >"$PT_TMP/version" 2>&1 || { cat "$PT_TMP/version"; fail "--version failed"; }
for want in "partita-heat (Partita " "git revision: " "configured with: " "MPI " "HDF5 " "CUDA"; do
  grep -q "$want" "$PT_TMP/version" || { cat "$PT_TMP/version"; fail "--version lacks '$want'"; }
done
echo "ok: --version and the run report name the build (revision, options, MPI, HDF5, CUDA)"

# --dry-run: the plan, from the checked deck, without computing or writing anything.
mpirun_t 60 3 --quiet "$heat" "$top_srcdir/input/heat3d.ini" --dry-run --output "$PT_TMP/dry/new" \
  >"$PT_TMP/dry.log" 2>&1 || { cat "$PT_TMP/dry.log"; fail "--dry-run failed"; }
for want in "3D grid 64 x 64 x 64 (262144 cells) on 3 rank(s), process grid 1 x 3 x 1" \
  "cells per rank: 86016 to 90112" "output: 4 step(s) of 2 MiB" "(to be created)" "nothing computed, nothing written"; do
  grep -qF "$want" "$PT_TMP/dry.log" || { cat "$PT_TMP/dry.log"; fail "--dry-run plan lacks '$want'"; }
done
[ ! -e "$PT_TMP/dry" ] || fail "--dry-run created its output directory"
mpirun_t 60 2 --quiet "$heat" "$top_srcdir/input/heat2d.ini" --dry-run --output "$PT_TMP" --set grid.nx=400000 \
  --set grid.ny=400000 --set output.every=1 >"$PT_TMP/dry.log" 2>&1 && fail "--dry-run accepted a run that cannot fit the disk"
grep -q "the run writes about .* GiB free" "$PT_TMP/dry.log" || { cat "$PT_TMP/dry.log"; fail "--dry-run: no free-space message"; }
echo "ok: --dry-run prints the plan (decomposition, memory, output volume), writes nothing, refuses a full disk"

# Output by simulation time: at the first step at or past each multiple of
# output.every_time (dt 0.001, every 0.0025: steps 0, 3, 5, 8, 10), beside output by step.
mpirun_t 60 2 --quiet "$heat" "$top_srcdir/input/heat2d.ini" --set grid.nx=16 --set grid.ny=16 \
  --set time.dt=0.0001 --set time.steps=10 --set output.every=0 --set output.every_time=0.00025 \
  --output "$PT_TMP/bytime" >"$PT_TMP/bytime.log" 2>&1 || { cat "$PT_TMP/bytime.log"; fail "output.every_time run failed"; }
got=$("$PT_PYTHON" -c 'import h5py, sys; print(" ".join(sorted(h5py.File(sys.argv[1])["data"], key=int)))' "$PT_TMP/bytime/heat.h5")
[ "$got" = "0 3 5 8 10" ] || fail "output.every_time 0.00025 at dt 0.0001 wrote steps '$got', expected '0 3 5 8 10'"
# The progress line: output.progress_interval = 0 silences it; the last step always
# shows otherwise.
mpirun_t 60 2 "$heat" "$top_srcdir/input/heat2d.ini" --set grid.nx=16 --set grid.ny=16 --set time.steps=50 \
  --set output.progress_interval=0 --output "$PT_TMP/quiet" >"$PT_TMP/quiet.log" 2>&1 || fail "progress_interval=0 run failed"
! grep -q "^step " "$PT_TMP/quiet.log" || { cat "$PT_TMP/quiet.log"; fail "output.progress_interval = 0 still printed progress"; }
mpirun_t 60 2 "$heat" "$top_srcdir/input/heat2d.ini" --set grid.nx=16 --set grid.ny=16 --set time.steps=50 \
  --set output.progress_interval=1000 --output "$PT_TMP/quiet" >"$PT_TMP/quiet.log" 2>&1 || fail "progress_interval=1000 run failed"
[ "$(grep -c "^step " "$PT_TMP/quiet.log")" -eq 1 ] && grep -q "^step 50/50 " "$PT_TMP/quiet.log" ||
  { cat "$PT_TMP/quiet.log"; fail "output.progress_interval = 1000: expected one progress line, at the last step"; }
# The phase table adds up: the whole first, "other" last, one call per step for compute.
grep -q "^total  *1 " "$PT_TMP/quiet.log" && grep -q "^compute  *50 " "$PT_TMP/quiet.log" &&
  grep -q "^other  *- " "$PT_TMP/quiet.log" || { cat "$PT_TMP/quiet.log"; fail "phase table: total, compute calls or other row wrong"; }
echo "ok: output by simulation time (steps $got), progress interval, phase table with other"

# One file per output step, from the deck: the same fields as the one-file series.
for enc in one per; do
  mpirun_t 60 2 --quiet "$heat" "$top_srcdir/input/heat2d.ini" --set grid.nx=16 --set grid.ny=16 \
    --set time.steps=20 --set output.every=10 --set output.file_per_step=$([ $enc = per ] && echo true || echo false) \
    --output "$PT_TMP/enc-$enc" >"$PT_TMP/enc.log" 2>&1 || { cat "$PT_TMP/enc.log"; fail "output.file_per_step run failed"; }
done
[ "$(cd "$PT_TMP/enc-per" && echo heat_*.h5)" = "heat_0.h5 heat_10.h5 heat_20.h5" ] ||
  fail "output.file_per_step wrote $(ls "$PT_TMP/enc-per"), expected heat_0.h5 heat_10.h5 heat_20.h5"
[ "$(grep -c '<Grid Name="temperature"' "$PT_TMP/enc-per/heat.xmf")" -eq 3 ] || fail "file-per-step sidecar lacks steps"
if [ -n "${H5DIFF:-}" ]; then
  for st in 0 10 20; do
    "$H5DIFF" -q "$PT_TMP/enc-one/heat.h5" "$PT_TMP/enc-per/heat_$st.h5" "/data/$st/meshes/temperature" \
      "/data/$st/meshes/temperature" || fail "file-per-step step $st differs from the one-file series"
  done
fi
echo "ok: output.file_per_step writes heat_STEP.h5 files with the one-file series' fields"
