#!/bin/sh
# Replays every fuzzing input kept in the repository (the seed corpus and every crash
# ever found, tests/fuzz/regress/) through the harnesses, built here without libFuzzer:
# a crash fixed once stays fixed. The fuzz lane (tests/lanes/run-lane fuzz) mutates them.
. "$(dirname "$0")/../common.sh"
for h in config cli restart; do
  set --
  for f in "$top_srcdir/tests/fuzz/corpus/$h"/* "$top_srcdir/tests/fuzz/regress/$h"/*; do
    [ -f "$f" ] && set -- "$@" "$f"
  done
  # The restart harness initialises MPI: one rank under the launcher, like the apps.
  mpirun_t 120 1 "$top_builddir/tests/fuzz/replay_$h" "$@" >"$PT_TMP/$h.log" 2>&1 ||
    { cat "$PT_TMP/$h.log"; fail "replaying $# $h input(s)"; }
  echo "ok: $h harness on $# input(s)"
done
