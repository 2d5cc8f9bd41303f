#!/bin/sh
# partita-nbody on bad input, at 1 and 4 ranks: exit 1, one line on stderr naming the
# file, line and key (or the option), no output files, no hang.
. "$(dirname "$0")/../common.sh"
nb="$top_builddir/apps/nbody/partita-nbody"
deck="$PT_TMP/deck.ini"
printf '[nbody]\nn = 64\neps = 0.01\n[time]\nsteps = 2\n' > "$deck"
negeps="$PT_TMP/negeps.ini"
printf '[nbody]\nn = 64\neps = -0.1\n' > "$negeps"
nodeck="$PT_TMP/file.ini"   # initial.type = file takes the body count from the file
printf '[initial]\ntype = file\n' > "$nodeck"

# bad NP EXPECTED ARGS...: exit 1 and exactly one stderr line containing EXPECTED.
bad() {
  np=$1; want=$2; shift 2
  out="$PT_TMP/out"; rm -rf "$out"; mkdir -p "$out"
  # -q: mpiexec's own note about a non-zero exit is not the app's message.
  mpirun_t 30 "$np" -q "$nb" --output "$out" "$@" >"$PT_TMP/stdout" 2>"$PT_TMP/stderr"
  rc=$?
  [ "$rc" -eq 1 ] || { cat "$PT_TMP/stdout" "$PT_TMP/stderr"; fail "np $np $*: exit $rc, expected 1"; }
  lines=$(grep -c . "$PT_TMP/stderr")
  [ "$lines" -eq 1 ] || { cat "$PT_TMP/stderr"; fail "np $np $*: $lines lines on stderr, expected 1"; }
  grep -qF -- "$want" "$PT_TMP/stderr" || { cat "$PT_TMP/stderr"; fail "np $np $*: stderr lacks '$want'"; }
  [ -z "$(ls "$out")" ] || fail "np $np $*: wrote $(ls "$out") despite bad input"
}

for np in 1 4; do
  bad $np "--set nbody.n=0: nbody.n: must be >= 1 (got 0)" "$deck" --set nbody.n=0
  bad $np "negeps.ini:3: nbody.eps: must be >= 0" "$negeps"
  bad $np "nbody.strategy:" "$deck" --set nbody.strategy=tree
  bad $np "--set nbody.kernel=quick: nbody.kernel: must be one of exact, fast (got 'quick')" "$deck" --set nbody.kernel=quick
  bad $np "nbody.kernel: 'fast' is a CPU kernel; run.backend = cuda computes forces with its own kernel (use exact)" "$deck" --set nbody.kernel=fast --set run.backend=cuda
  bad $np "time.end_time: give time.steps or time.end_time, not both" "$deck" --set time.end_time=1
  bad $np "missing.h5" "$nodeck" --set initial.file="$PT_TMP/missing.h5"
  # Without a GPU (or without CUDA in the build) the CUDA back-end is an input error;
  # where nvidia-smi lists a GPU the run would be valid (tests/apps/gpu.sh covers it).
  if nvidia-smi -L 2>/dev/null | grep -q '^GPU'; then
    echo "note: a GPU is visible: run.backend=cuda not checked as bad input"
  else
    bad $np "run.backend: 'cuda' needs a usable CUDA device (" "$deck" --set run.backend=cuda
  fi
done
# The rest is checked before any communication, so one rank shows it as well as four.
bad 1 "nbody.precision:" "$deck" --set nbody.precision=fp16
bad 1 "time.integrator:" "$deck" --set time.integrator=euler
bad 1 "nbody.nn: unknown key" "$deck" --set nbody.nn=3
bad 1 "file.ini: initial.file: required when initial.type = file" "$nodeck"
bad 1 "nosuch.ini" "$PT_TMP/nosuch.ini"
bad 1 "--bogus" "$deck" --bogus
# Fewer bodies than ranks: a rank count problem, so only at 4 ranks.
bad 4 "nbody.n: 3 bodies cannot be split over 4 ranks (at least one body per rank)" "$deck" --set nbody.n=3
bad 4 "initial.type: 2 bodies cannot be split over 4 ranks" --set initial.type=kepler
echo "ok: bad input exits 1 with one message at 1 and 4 ranks"
