#!/bin/sh
# shellcheck source-path=SCRIPTDIR
# partita-nbody's OpenCL back-end on whatever OpenCL platform is installed (POCL on CI):
# positions and velocities after 12 steps are run.backend = cpu's bit for bit (h5diff, no
# tolerance) in FP64 for every strategy at 1, 2, 3 and 4 ranks, and so is the final
# energy (OpenCL rounds double operations correctly, the kernels contract nothing, and
# nor does the CPU's exact kernel); within 1e-5 in FP32 (bitwise where the device has
# correctly rounded FP32 division and sqrt, as POCL does: said, not required); a cpu
# checkpoint continued on opencl, and an opencl one on the cpu, end bitwise as the cpu
# run does; SIGUSR1 sent to mpiexec stops an OpenCL run with exit 3 and a checkpoint;
# --dry-run names the device; a small run is clean under valgrind memcheck; the bad input (no platform, a device out of range, a failed build, the fast
# kernel) is one line naming the key, exit 1 on every rank. Skipped (exit 77) without
# OpenCL in the build or without a platform with a device.
# shellcheck source=../common.sh
. "$(dirname "$0")/../common.sh"
nb="$top_builddir/apps/nbody/partita-nbody"
[ -n "${H5DIFF:-}" ] || H5DIFF=h5diff
XDG_CACHE_HOME="$PT_TMP/cache"; export XDG_CACHE_HOME
deck="$top_srcdir/input/nbody-plummer.ini"
base="--set nbody.n=301 --set nbody.eps=0.01 --set time.steps=12 --set output.every=12 --set output.diagnostics_every=6"

"$nb" --version | grep -q "no OpenCL in this build" && { echo "skip: no OpenCL in this build"; exit 77; }
mkdir -p "$PT_TMP/probe"
# shellcheck disable=SC2086
mpirun_t 60 1 "$nb" -q "$deck" $base --set time.steps=0 --set run.backend=opencl --output "$PT_TMP/probe" \
  >"$PT_TMP/probe/log" 2>&1 || {
  grep -q "needs a usable OpenCL device" "$PT_TMP/probe/log" && { echo "skip: $(head -n 1 "$PT_TMP/probe/log")"; exit 77; }
  cat "$PT_TMP/probe/log"; fail "partita-nbody --set run.backend=opencl failed where a platform exists"
}

run() { # DIR NP ARGS...
  d=$1 np=$2; shift 2
  mkdir -p "$d"
  # shellcheck disable=SC2086
  mpirun_t 120 "$np" "$nb" -v --output "$d" "$deck" $base "$@" >"$d/log" 2>&1 || { cat "$d/log"; fail "run in $d failed"; }
}
close() { # A B STEP TOL WHAT: positions and velocities within TOL (relative; 0: bitwise)
  for rec in position/x position/y position/z velocity/x velocity/y velocity/z; do
    if [ "$4" = 0 ]; then tol=; else tol="-p $4"; fi
    # shellcheck disable=SC2086
    "$H5DIFF" $tol "$1/nbody.h5" "$2/nbody.h5" "/data/$3/particles/bodies/$rec" \
      "/data/$3/particles/bodies/$rec" >"$2/diff" 2>&1 || { head -n 20 "$2/diff"; fail "$5: $rec differs (tolerance $4)"; }
  done
}
energy() { # LOG: the final total energy
  sed -n 's/^final: .* E \([^ ]*\) .*/\1/p' "$1"
}
for np in 1 2 3 4; do
  for st in allgather ring rma; do
    run "$PT_TMP/cpu-$np-$st" "$np" --set nbody.strategy=$st
    run "$PT_TMP/ocl-$np-$st" "$np" --set nbody.strategy=$st --set run.backend=opencl
    close "$PT_TMP/cpu-$np-$st" "$PT_TMP/ocl-$np-$st" 12 0 "opencl, $st, $np rank(s)"
    grep -q "backend opencl (rank 0 on device" "$PT_TMP/ocl-$np-$st/log" ||
      { cat "$PT_TMP/ocl-$np-$st/log"; fail "opencl, $st, $np rank(s): the run does not name its device"; }
  done
done
e_cpu=$(energy "$PT_TMP/cpu-3-rma/log") e_ocl=$(energy "$PT_TMP/ocl-3-rma/log")
if [ -z "$e_cpu" ] || [ "$e_cpu" != "$e_ocl" ]; then fail "final energy $e_ocl on opencl, $e_cpu on the CPU"; fi
echo "ok: n-body opencl FP64 is bitwise the CPU at 1-4 ranks, every strategy, energy too"
run "$PT_TMP/cpu-f32" 2 --set nbody.precision=fp32
run "$PT_TMP/ocl-f32" 2 --set nbody.precision=fp32 --set run.backend=opencl
close "$PT_TMP/cpu-f32" "$PT_TMP/ocl-f32" 12 1e-5 "opencl FP32, 2 ranks"
if "$H5DIFF" -q "$PT_TMP/cpu-f32/nbody.h5" "$PT_TMP/ocl-f32/nbody.h5" /data/12/particles/bodies/velocity/x \
  /data/12/particles/bodies/velocity/x; then
  echo "ok: n-body opencl FP32 agrees with the CPU to 1e-5 (bitwise on this device)"
else
  echo "ok: n-body opencl FP32 agrees with the CPU to 1e-5 (not bitwise on this device)"
fi

# Restart across back-ends: 12 steps as 6 + 6, the second half on the other back-end.
for pair in "cpu opencl" "opencl cpu"; do
  set -- $pair
  d="$PT_TMP/restart-$1-$2"
  run "$d" 2 --set time.steps=6 --set output.checkpoint_every=6 --set run.backend="$1"
  run "$d" 3 --set run.backend="$2" --restart latest
  close "$PT_TMP/cpu-2-allgather" "$d" 12 0 "a $1 checkpoint continued on $2"
  echo "ok: a checkpoint of $1 continued on $2 ends bitwise as the CPU run"
done

# A stop request through mpiexec reaches OpenCL ranks (POCL's LLVM has a SIGUSR1 handler).
d="$PT_TMP/sig"
mkdir -p "$d"
# shellcheck disable=SC2086
"$MPIEXEC" --timeout 60 -n 2 "$nb" "$deck" $base --set time.steps=100000000 --set output.every=0 \
  --set run.backend=opencl --set nbody.n=64 --output "$d" >"$d/log" 2>&1 &
pid=$!
for _ in $(seq 1 150); do grep -q "^step " "$d/log" 2>/dev/null && break; sleep 0.2; done
kill -USR1 "$pid"
wait "$pid"; rc=$?
[ "$rc" -eq 3 ] || { cat "$d/log"; fail "SIGUSR1 to an OpenCL run: exit $rc, expected 3"; }
grep -q "stopped by SIGUSR1 at step" "$d/log" || { cat "$d/log"; fail "SIGUSR1: no stop message"; }
[ -f "$d/partita-nbody-checkpoint.h5" ] || fail "SIGUSR1: no checkpoint"
echo "ok: SIGUSR1 through mpiexec stops an OpenCL run with exit 3 and a checkpoint"

mpirun_t 60 2 "$nb" --dry-run "$deck" --set run.backend=opencl --output "$PT_TMP/dry" >"$PT_TMP/dry.log" 2>&1 ||
  { cat "$PT_TMP/dry.log"; fail "--dry-run with opencl failed"; }
grep -q "backend opencl (rank 0: .*: .*); nothing computed" "$PT_TMP/dry.log" ||
  { cat "$PT_TMP/dry.log"; fail "--dry-run does not name the OpenCL device"; }
echo "ok: --dry-run names the OpenCL device"

# Device memory: POCL's kernels run in this process, so memcheck sees their accesses too.
# A sanitizer build cannot run under valgrind (its own runtime checks this one).
if "$top_builddir/libtool" --mode=execute grep -qa -e __asan_init -e __tsan_init "$nb"; then
  echo "note: a sanitizer build: the memcheck run is left to the normal build"
elif command -v valgrind >/dev/null 2>&1; then
  d="$PT_TMP/memcheck"
  mkdir -p "$d"
  supp=$(ls /usr/share/openmpi/openmpi-valgrind.supp 2>/dev/null | head -n 1)
  # shellcheck disable=SC2086
  mpirun_t 300 1 "$top_builddir/libtool" --mode=execute valgrind -q --error-exitcode=99 --leak-check=no \
    ${supp:+--suppressions="$supp"} --suppressions="$top_srcdir/tests/lanes/valgrind.supp" \
    "$nb" -q --output "$d" "$deck" $base --set nbody.n=40 --set time.steps=3 --set output.every=3 \
    --set run.backend=opencl >"$d/log" 2>&1 ||
    { grep -m 40 "==" "$d/log"; fail "memcheck reports errors in an OpenCL n-body run"; }
  echo "ok: an OpenCL n-body run is clean under valgrind memcheck"
else
  echo "note: no valgrind: the memcheck run is skipped"
fi

# bad NP NAME PATTERN ARGS...: exit 1 on every rank, one line on stderr matching PATTERN.
bad() {
  np=$1 name=$2 pat=$3; shift 3
  d="$PT_TMP/bad-$name-$np"
  mkdir -p "$d"
  rc=0
  # shellcheck disable=SC2086
  mpirun_t 60 "$np" "$nb" -q --output "$d" "$deck" $base "$@" >"$d/out" 2>"$d/err" || rc=$?
  [ "$rc" = 1 ] || { cat "$d/out" "$d/err"; fail "$name on $np rank(s): exit $rc, not 1"; }
  lines=$(grep -c '^partita-nbody: ' "$d/err")
  [ "$lines" = 1 ] || { cat "$d/err"; fail "$name on $np rank(s): $lines error lines, not 1"; }
  grep '^partita-nbody: ' "$d/err" | grep -q -- "$pat" || { cat "$d/err"; fail "$name on $np rank(s): no '$pat'"; }
  [ ! -e "$d/nbody.h5" ] || fail "$name on $np rank(s) wrote output"
}
mkdir -p "$PT_TMP/no-vendors"
for np in 1 3; do
  OCL_ICD_VENDORS="$PT_TMP/no-vendors" bad "$np" no-platform \
    "run.backend: 'opencl' needs a usable OpenCL device (no OpenCL platform" --set run.backend=opencl
  bad "$np" device "opencl.device: device 99 does not exist" --set run.backend=opencl --set opencl.device=99
  bad "$np" build "opencl.build_options: building nbody_opencl.cl with options .*-cl-no-such-option.* failed (CL_" \
    --set run.backend=opencl --set opencl.build_options=-cl-no-such-option
  bad "$np" fast "nbody.kernel: 'fast' is a CPU kernel; run.backend = opencl" --set run.backend=opencl \
    --set nbody.kernel=fast
done
echo "ok: no platform, a device out of range, a failed build, the fast kernel: one line, exit 1"
