#!/bin/sh
# Meta-test of the MPI-aware test main: a suite with an assertion failing on rank 1 only
# (non-fatal, and fatal before a collective) must exit non-zero within its time limit and
# name rank 1. Passes only if the harness catches both.
. "$(dirname "$0")/../common.sh"
bin="$top_builddir/tests/unit/test_meta_fail"

run_case() { # NAME EXTRA_ENV: checks one run of the failing suite on 2 ranks
  start=$(date +%s)
  env $2 timeout -k 5 60 "$MPIEXEC" --timeout 40 -n 2 "$bin" >"$PT_TMP/out" 2>&1
  rc=$?
  took=$(( $(date +%s) - start ))
  cat "$PT_TMP/out"
  [ "$rc" -ne 0 ] || fail "$1: failing suite exited 0"
  [ "$rc" -ne 124 ] && [ "$rc" -ne 137 ] || fail "$1: failing suite hit the outer time limit"
  [ "$took" -lt 40 ] || fail "$1: took ${took}s: the harness waited for the timeout"
  grep -q "rank 1" "$PT_TMP/out" || fail "$1: output does not name rank 1"
  echo "ok: $1 (exit $rc after ${took}s)"
}
run_case non-fatal "PT_META_SKIP_FATAL=1"
grep -q "failure(s) on rank 1" "$PT_TMP/out" || fail "non-fatal: rank 0 did not report rank 1's failure"
run_case fatal-before-collective ""
grep -q "\[rank 1\] fatal assertion failed" "$PT_TMP/out" || fail "fatal: no abort message from rank 1"
