#!/bin/sh
# partita-grayscott: u and v bitwise the 1-rank fields at 2, 3, 4 and 6 ranks on every
# halo back-end, 2D and 3D, periodic and zero-flux, 2 threads; a checkpoint on 4 ranks
# continues on 3 bitwise; --max-walltime stops with exit 3 and a checkpoint that a
# restart carries on; the linearised check (tests/apps/grayscott_check.py); bad input
# is one line and exit 1 on every rank; run.backend without a GPU; the run report.
. "$(dirname "$0")/../common.sh"
gs="$top_builddir/apps/grayscott/partita-grayscott"
[ -x "$gs" ] || { echo "partita-grayscott not built: skipped"; exit 77; }
[ -n "$H5DIFF" ] || { echo "h5diff not found: skipped"; exit 77; }
d2="$top_srcdir/input/grayscott2d.ini"
d3="$top_srcdir/input/grayscott3d.ini"
s2="--set grid.nx=37 --set grid.ny=29 --set time.steps=60 --set output.every=60 --set initial.size=0.3"
s3="--set grid.nx=17 --set grid.ny=14 --set grid.nz=11 --set time.steps=30 --set output.every=30 --set initial.size=0.4"

same() { # A B STEP WHAT
  for q in u v; do
    "$H5DIFF" "$1" "$2" "/data/$3/meshes/$q" "/data/$3/meshes/$q" || fail "$4: $q differs from the reference"
  done
}

for dim in 2 3; do
  if [ $dim = 2 ]; then deck=$d2 small=$s2 step=60; else deck=$d3 small=$s3 step=30; fi
  for bc in periodic neumann; do
    ref="$PT_TMP/ref$dim-$bc"
    mpirun_t 60 1 "$gs" "$deck" -q $small --set boundary.type=$bc --output "$ref" || fail "${dim}D $bc on 1 rank failed"
    for np in 2 3 4 6; do
      for halo in p2p neighbor rma rma-pscw; do
        # Zero-flux walls: every back-end at 4 ranks, p2p at the others.
        [ $bc = neumann ] && [ $halo != p2p ] && [ $np != 4 ] && continue
        d="$PT_TMP/r$dim-$bc-$np-$halo"
        mpirun_t 60 $np "$gs" "$deck" -q $small --set boundary.type=$bc --set run.halo=$halo --output "$d" ||
          fail "${dim}D $bc $halo on $np ranks failed"
        same "$ref/grayscott.h5" "$d/grayscott.h5" $step "${dim}D $bc $halo on $np ranks"
      done
    done
    OMP_NUM_THREADS=2 mpirun_t 60 2 "$gs" "$deck" -q $small --set boundary.type=$bc --output "$PT_TMP/t$dim-$bc" ||
      fail "${dim}D $bc with 2 threads failed"
    same "$ref/grayscott.h5" "$PT_TMP/t$dim-$bc/grayscott.h5" $step "${dim}D $bc, 2 ranks x 2 threads"
  done
done
echo "ok: 2D and 3D, periodic and zero-flux, 2/3/4/6 ranks, p2p/neighbor/rma/rma-pscw, 2 threads = 1 rank bitwise"

# The 2D pattern from the seeded square is not trivial: v grew spots away from the square.
"$PT_PYTHON" -c 'import h5py, sys
v = h5py.File(sys.argv[1], "r")["/data/60/meshes/v"][()]
assert v.max() > 0.2 and v.min() > -1e-3, (v.min(), v.max())' "$PT_TMP/ref2-periodic/grayscott.h5" 2>/dev/null ||
  [ -z "${PT_PYTHON:-}" ] || fail "the 2D field is not a Gray-Scott pattern"

# A checkpoint written on 4 ranks continues on 3 to the uninterrupted run's fields.
long="$s2 --set time.steps=80 --set output.every=80"
mpirun_t 60 2 "$gs" "$d2" -q $long --output "$PT_TMP/straight" || fail "straight run failed"
mpirun_t 60 4 "$gs" "$d2" -q $long --set time.steps=40 --set output.checkpoint_every=40 --output "$PT_TMP/chain" ||
  fail "first half failed"
mpirun_t 60 3 "$gs" "$d2" -q $long --restart latest --output "$PT_TMP/chain" || fail "restart on 3 ranks failed"
same "$PT_TMP/straight/grayscott.h5" "$PT_TMP/chain/grayscott.h5" 80 "40 steps on 4 ranks + 40 on 3"
echo "ok: a checkpoint of 4 ranks continues on 3 bitwise"

# --max-walltime: exit 3, a checkpoint, and a restart that ends where a straight run does.
mkdir -p "$PT_TMP/wall"
mpirun_t 60 2 "$gs" "$d2" $s2 --set time.steps=100000000 --set output.every=0 --max-walltime 1 \
  --output "$PT_TMP/wall" >"$PT_TMP/wall/log" 2>&1
rc=$?
[ "$rc" -eq 3 ] || { cat "$PT_TMP/wall/log"; fail "--max-walltime: exit $rc, expected 3"; }
step=$(sed -n 's/.*stopped by the wall-time limit at step \([0-9]*\).*/\1/p' "$PT_TMP/wall/log")
[ -n "$step" ] || { cat "$PT_TMP/wall/log"; fail "--max-walltime: no stop message with its step"; }
mpirun_t 60 1 "$gs" "$d2" -q $s2 --set time.steps=$((step + 5)) --set output.every=0 --restart latest \
  --output "$PT_TMP/wall" || fail "restart after the wall-time stop failed"
mpirun_t 120 2 "$gs" "$d2" -q $s2 --set time.steps=$((step + 5)) --set output.every=0 --output "$PT_TMP/wref" ||
  fail "reference for the wall-time stop failed"
same "$PT_TMP/wref/grayscott.h5" "$PT_TMP/wall/grayscott.h5" $((step + 5)) "wall-time stop at $step + restart"
echo "ok: --max-walltime stopped at step $step (exit 3); the restart ends bitwise where a straight run does"

# The linearised check, 2D and 3D, on 4 ranks.
if [ -n "${PT_PYTHON:-}" ]; then
  lin="--set initial.type=mode --set initial.amplitude=1e-5 --set output.every=20 --set time.steps=20"
  mpirun_t 60 4 "$gs" "$d2" -q $lin --set grid.nx=48 --set grid.ny=40 --set initial.mode_x=3 \
    --set initial.mode_y=2 --output "$PT_TMP/lin2" || fail "2D mode run failed"
  "$PT_PYTHON" "$top_srcdir/tests/apps/grayscott_check.py" "$PT_TMP/lin2/grayscott.h5" 20 1e-5 0.035 0.065 \
    0.16 0.08 1 2 3 40 48 || fail "2D linearised check"
  mpirun_t 60 4 "$gs" "$d3" -q $lin --set grid.nx=16 --set grid.ny=12 --set grid.nz=10 --set initial.mode_x=2 \
    --set initial.mode_y=1 --set initial.mode_z=1 --output "$PT_TMP/lin3" || fail "3D mode run failed"
  "$PT_PYTHON" "$top_srcdir/tests/apps/grayscott_check.py" "$PT_TMP/lin3/grayscott.h5" 20 1e-5 0.035 0.065 \
    0.16 0.08 1 1 1 2 10 12 16 || fail "3D linearised check"
fi

# Bad input: one line naming the file, line and key; exit 1 on 1 and on 4 ranks.
printf '[grayscott]\nF = 2\n' >"$PT_TMP/badF.ini"
printf '[time]\ndt = 3\n' >"$PT_TMP/baddt.ini"
printf '[grayscot]\nF = 0.03\n' >"$PT_TMP/typo.ini"
for np in 1 4; do
  for case in "badF.ini:grayscott.F" "baddt.ini:time.dt" "typo.ini:grayscot"; do
    f=${case%%:*} key=${case#*:}
    mpirun_t 60 $np --quiet "$gs" "$PT_TMP/$f" --output "$PT_TMP/bad-$np" >"$PT_TMP/out" 2>"$PT_TMP/err"
    rc=$?
    [ "$rc" -eq 1 ] || { cat "$PT_TMP/err"; fail "$f on $np ranks: exit $rc, expected 1"; }
    [ "$(wc -l <"$PT_TMP/err")" -eq 1 ] || { cat "$PT_TMP/err"; fail "$f on $np ranks: not one line"; }
    grep -q "$f:2.*$key" "$PT_TMP/err" || { cat "$PT_TMP/err"; fail "$f: the message names no line 2 and key $key"; }
    [ ! -e "$PT_TMP/bad-$np" ] || fail "$f: the output directory was created for a run that never started"
  done
done
echo "ok: bad F, an unstable dt and a typo in a section name: one line, exit 1, at 1 and 4 ranks ($(cat "$PT_TMP/err"))"

# run.backend without a GPU (this machine, or a build without the CUDA back-end): cuda is
# one input error naming the key, exit 1 on 1 and 4 ranks, nothing written; auto runs on
# the CPU (with pt_device_select's one notice where CUDA or OpenCL is built) to the CPU's
# fields.
if nvidia-smi -L 2>/dev/null | grep -q '^GPU'; then
  echo "note: a GPU is visible: run.backend=cuda and auto are checked by tests/apps/gpu.sh"
else
  for np in 1 4; do
    mpirun_t 60 $np --quiet "$gs" "$d2" $s2 --set run.backend=cuda --output "$PT_TMP/cuda-$np" \
      >"$PT_TMP/out" 2>"$PT_TMP/err"
    rc=$?
    [ "$rc" -eq 1 ] || { cat "$PT_TMP/err"; fail "run.backend=cuda, $np ranks: exit $rc, expected 1"; }
    [ "$(wc -l <"$PT_TMP/err")" -eq 1 ] || { cat "$PT_TMP/err"; fail "run.backend=cuda, $np ranks: not one line"; }
    grep -q "run.backend: 'cuda' needs a usable CUDA device (" "$PT_TMP/err" ||
      { cat "$PT_TMP/err"; fail "run.backend=cuda: the message does not name the key"; }
    [ ! -e "$PT_TMP/cuda-$np" ] || fail "run.backend=cuda: an output directory was created"
  done
  # auto falls back to the CPU with one notice where the build has a device back-end;
  # OpenCL platforms are hidden (OCL_ICD_VENDORS naming an empty directory), as
  # tests/apps/opencl.sh checks auto taking OpenCL.
  notices=1
  grep -q "no CUDA back-end" "$PT_TMP/err" && "$gs" --version | grep -q "no OpenCL in this build" && notices=0
  mkdir -p "$PT_TMP/no-opencl"
  for bc in periodic:p2p neumann:rma; do # a one-sided halo is fine where auto means the CPU
    halo=${bc#*:} bc=${bc%:*} log="$PT_TMP/auto-$bc.log"
    OCL_ICD_VENDORS="$PT_TMP/no-opencl" mpirun_t 60 2 "$gs" "$d2" $s2 --set boundary.type=$bc --set run.backend=auto \
      --set run.halo=$halo --output "$PT_TMP/auto-$bc" >"$log" 2>&1 || { cat "$log"; fail "run.backend=auto ($bc) failed"; }
    n=$(grep -c "^backend auto: no usable .*; running on the CPU$" "$log")
    [ "$n" -eq $notices ] || { cat "$log"; fail "run.backend=auto: $n notices, expected $notices"; }
    grep -q "halo $halo, backend cpu" "$log" || { cat "$log"; fail "run.backend=auto: not on the CPU"; }
    same "$PT_TMP/ref2-$bc/grayscott.h5" "$PT_TMP/auto-$bc/grayscott.h5" 60 "run.backend=auto ($bc)"
  done
  echo "ok: run.backend=cuda without a GPU: one line, exit 1 at 1 and 4 ranks ($(cat "$PT_TMP/err"));"
  echo "ok: run.backend=auto runs on the CPU, bitwise the cpu fields (periodic p2p, zero-flux rma)"
fi

# The run report and --help.
mpirun_t 60 2 "$gs" "$d2" -q $s2 --output "$PT_TMP/rep" --report "$PT_TMP/rep/run.json" || fail "report run failed"
grep -q '"lattice_updates_per_s"' "$PT_TMP/rep/run.json" || fail "the report has no rate"
grep -q '"backend":[[:space:]]*"cpu"' "$PT_TMP/rep/run.json" || fail "the report has no layout.backend"
"$gs" --help | grep -q "Gray-Scott" || fail "--help says nothing of Gray-Scott"
echo "ok: run report and --help"
