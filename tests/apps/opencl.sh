#!/bin/sh
# shellcheck source-path=SCRIPTDIR
# The OpenCL back-end on whatever OpenCL platform is installed (POCL on CI): partita-heat's
# field with run.backend = opencl is bitwise backend = cpu's (h5diff without tolerance) in
# 2D (Dirichlet and Neumann faces) and 3D (Dirichlet, Neumann and periodic faces, a
# source term), at 1, 2, 3 and 4 ranks, halo p2p and neighbor; partita-grayscott's u and
# v likewise, 2D periodic and 3D zero-flux; a cpu checkpoint continued
# on opencl, and an opencl one continued on the cpu, end bitwise as the cpu run does; the
# bad input: no OpenCL platform (OCL_ICD_VENDORS naming an empty directory), a device
# index out of range, a program that does not build (a forced bad build option), the
# one-sided halos: each one line naming the key, exit 1 on every rank; auto without a
# platform runs on the CPU and says so. Skipped (exit 77) without OpenCL in the build or
# without a platform with a device.
# shellcheck source=../common.sh
. "$(dirname "$0")/../common.sh"
heat="$top_builddir/apps/heat/partita-heat"
[ -n "${H5DIFF:-}" ] || H5DIFF=h5diff
# POCL's kernel cache lives under $HOME: a private one keeps runs from sharing state.
XDG_CACHE_HOME="$PT_TMP/cache"; export XDG_CACHE_HOME

"$heat" --version | grep -q "no OpenCL in this build" && { echo "skip: no OpenCL in this build"; exit 77; }
mpirun_t 60 1 "$heat" -q --set run.backend=opencl --set time.steps=0 --output "$PT_TMP/probe" \
  >"$PT_TMP/probe.log" 2>&1 || {
  grep -q "needs a usable OpenCL device" "$PT_TMP/probe.log" && { echo "skip: $(head -n 1 "$PT_TMP/probe.log")"; exit 77; }
  cat "$PT_TMP/probe.log"; fail "partita-heat --set run.backend=opencl failed where a platform exists"
}

run() { # DIR NP ARGS...
  d=$1 np=$2; shift 2
  mkdir -p "$d"
  mpirun_t 120 "$np" "$heat" -q --output "$d" "$@" >"$d/log" 2>&1 || { cat "$d/log"; fail "run in $d failed"; }
}
same() { # A B STEP WHAT
  "$H5DIFF" "$1/heat.h5" "$2/heat.h5" "/data/$3/meshes/temperature" "/data/$3/meshes/temperature" \
    >"$2/diff" 2>&1 || { cat "$2/diff"; fail "$4 differs from the CPU"; }
}

# The matrix: a small grid, so that the time is the back-end's set-up and the exchanges.
d2="$top_srcdir/input/heat2d.ini"
d3="$top_srcdir/input/heat3d.ini"
set2="--set grid.nx=40 --set grid.ny=30 --set time.steps=40 --set output.every=40"
set3="--set grid.nx=14 --set grid.ny=12 --set grid.nz=10 --set time.steps=30 --set output.every=30 --set physics.source=0.5"
for deck in 2 3; do
  if [ "$deck" = 2 ]; then file=$d2 sets=$set2 last=40; else file=$d3 sets=$set3 last=30; fi
  # shellcheck disable=SC2086
  run "$PT_TMP/h$deck-cpu" 1 "$file" $sets
  for np in 1 2 3 4; do
    for halo in p2p neighbor; do
      [ "$np" = 1 ] && [ "$halo" = neighbor ] && continue  # one rank exchanges nothing
      d="$PT_TMP/h$deck-ocl-$np-$halo"
      # shellcheck disable=SC2086
      run "$d" "$np" "$file" $sets --set run.backend=opencl --set run.halo="$halo"
      same "$PT_TMP/h$deck-cpu" "$d" "$last" "heat ${deck}D opencl, $np rank(s), $halo"
    done
  done
  echo "ok: heat ${deck}D opencl is bitwise the CPU's at 1-4 ranks, p2p and neighbor"
done

# partita-grayscott: u and v bitwise, 2D periodic and 3D zero-flux, 1-4 ranks.
gs="$top_builddir/apps/grayscott/partita-grayscott"
gsame() { # A B WHAT
  for q in u v; do
    "$H5DIFF" "$1/grayscott.h5" "$2/grayscott.h5" "/data/30/meshes/$q" "/data/30/meshes/$q" \
      >"$2/diff" 2>&1 || { cat "$2/diff"; fail "$3: $q differs from the CPU"; }
  done
}
grun() { # DIR NP ARGS...
  d=$1 np=$2; shift 2
  mkdir -p "$d"
  mpirun_t 120 "$np" "$gs" -q --output "$d" "$@" >"$d/log" 2>&1 || { cat "$d/log"; fail "run in $d failed"; }
}
g2="$top_srcdir/input/grayscott2d.ini --set grid.nx=32 --set grid.ny=24 --set time.steps=30 --set output.every=30"
g3="$top_srcdir/input/grayscott3d.ini --set grid.nx=12 --set grid.ny=10 --set grid.nz=8 --set time.steps=30 --set output.every=30 --set boundary.type=neumann"
for deck in 2 3; do
  if [ "$deck" = 2 ]; then args=$g2; else args=$g3; fi
  # shellcheck disable=SC2086
  grun "$PT_TMP/g$deck-cpu" 1 $args
  for run in "1 p2p" "2 neighbor" "3 p2p" "4 p2p" "4 neighbor"; do
    set -- $run
    d="$PT_TMP/g$deck-ocl-$1-$2"
    # shellcheck disable=SC2086
    grun "$d" "$1" $args --set run.backend=opencl --set run.halo="$2"
    gsame "$PT_TMP/g$deck-cpu" "$d" "grayscott ${deck}D opencl, $1 rank(s), $2"
  done
  echo "ok: grayscott ${deck}D opencl is bitwise the CPU's at 1-4 ranks, p2p and neighbor"
done

# Restart across back-ends: 40 steps in two halves, the second on the other back-end.
rs="--set grid.nx=40 --set grid.ny=30 --set time.steps=40 --set output.every=20 --set output.checkpoint_every=20"
for pair in "cpu opencl" "opencl cpu"; do
  set -- $pair
  d="$PT_TMP/restart-$1-$2"
  # shellcheck disable=SC2086
  run "$d" 2 "$d2" $rs --set time.steps=20 --set run.backend="$1"
  # shellcheck disable=SC2086
  run "$d" 3 "$d2" $rs --set run.backend="$2" --restart latest
  same "$PT_TMP/h2-cpu" "$d" 40 "a $1 checkpoint continued on $2"
  echo "ok: a $1 checkpoint continued on $2 ends bitwise"
done

# bad NP NAME PATTERN ARGS...: exit 1 on every rank, one line on stderr matching PATTERN.
bad() {
  np=$1 name=$2 pat=$3; shift 3
  d="$PT_TMP/bad-$name-$np"
  mkdir -p "$d"
  rc=0
  mpirun_t 60 "$np" "$heat" -q --output "$d" "$d2" $set2 "$@" >"$d/out" 2>"$d/err" || rc=$?
  [ "$rc" = 1 ] || { cat "$d/out" "$d/err"; fail "$name on $np rank(s): exit $rc, not 1"; }
  lines=$(grep -c '^partita-heat: ' "$d/err")
  [ "$lines" = 1 ] || { cat "$d/err"; fail "$name on $np rank(s): $lines error lines, not 1"; }
  grep '^partita-heat: ' "$d/err" | grep -q -- "$pat" || { cat "$d/err"; fail "$name on $np rank(s): no '$pat'"; }
  [ ! -e "$d/heat.h5" ] || fail "$name on $np rank(s) wrote output"
}
mkdir -p "$PT_TMP/no-vendors"
for np in 1 4; do
  OCL_ICD_VENDORS="$PT_TMP/no-vendors" bad "$np" no-platform \
    "run.backend: 'opencl' needs a usable OpenCL device (no OpenCL platform" --set run.backend=opencl
  bad "$np" device "opencl.device: device 99 does not exist" --set run.backend=opencl --set opencl.device=99
  bad "$np" platform "opencl.platform: platform 9 does not exist" --set run.backend=opencl --set opencl.platform=9
  bad "$np" build "opencl.build_options: building heat_opencl.cl with options .*-cl-no-such-option.* failed (CL_" \
    --set run.backend=opencl --set opencl.build_options=-cl-no-such-option
  bad "$np" rma "run.halo: 'rma' does not exist with run.backend = opencl" --set run.backend=opencl --set run.halo=rma
done
echo "ok: no platform, a device or platform out of range, a failed build, rma: one line, exit 1"

d="$PT_TMP/auto"
OCL_ICD_VENDORS="$PT_TMP/no-vendors" run "$d" 2 "$d2" $set2 --set run.backend=auto -v
grep -q "^backend auto: .*no usable OpenCL device on rank 0 (no OpenCL platform.*; running on the CPU$" "$d/log" ||
  { cat "$d/log"; fail "auto without a platform: no notice"; }
same "$PT_TMP/h2-cpu" "$d" 40 "auto without a platform"
# POCL's device is this host's CPU: auto leaves it to the CPU back-end, saying so.
run "$PT_TMP/auto-ocl" 2 "$d2" $set2 --set run.backend=auto -v
grep -q "^backend auto: .*is this host's CPU, which the CPU back-end serves better.*; running on the CPU$" \
  "$PT_TMP/auto-ocl/log" || { cat "$PT_TMP/auto-ocl/log"; fail "auto with POCL's CPU device: no notice"; }
same "$PT_TMP/h2-cpu" "$PT_TMP/auto-ocl" 40 "auto with POCL's CPU device"
echo "ok: auto leaves a CPU OpenCL device (POCL) and a machine without a platform to the CPU back-end, with a notice"

# Device memory: POCL's kernels run in this process, so memcheck sees every access of
# theirs, of the runtime and of the back-end's host code. Skipped without valgrind.
if command -v valgrind >/dev/null 2>&1; then
  d="$PT_TMP/memcheck"
  mkdir -p "$d"
  supp=$(ls /usr/share/openmpi/openmpi-valgrind.supp 2>/dev/null | head -n 1)
  mpirun_t 300 1 "$top_builddir/libtool" --mode=execute valgrind -q --error-exitcode=99 --leak-check=no \
    ${supp:+--suppressions="$supp"} --suppressions="$top_srcdir/tests/lanes/valgrind.supp" \
    "$heat" -q --output "$d" "$d2" --set grid.nx=20 --set grid.ny=16 --set time.steps=5 \
    --set output.every=5 --set run.backend=opencl >"$d/log" 2>&1 ||
    { grep -m 40 "==" "$d/log"; fail "memcheck reports errors in an OpenCL run"; }
  echo "ok: an OpenCL run is clean under valgrind memcheck"
else
  echo "note: no valgrind: the memcheck run is skipped"
fi
