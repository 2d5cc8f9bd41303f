# Shared by the shell tests: paths, a temporary directory removed on exit, and a
# time-limited MPI launcher. Automake's test environment exports top_srcdir,
# top_builddir, MPIEXEC and the OpenMPI variables.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${MPIEXEC:=mpiexec}"
PT_TMP=$(mktemp -d "${TMPDIR:-/tmp}/partita-test.XXXXXX")
trap 'rm -rf "$PT_TMP"' EXIT

# mpirun_t SECONDS NP PROGRAM ARGS...: run under mpiexec with a time limit.
mpirun_t() {
  t=$1; np=$2; shift 2
  timeout -k 10 $((t + 20)) "$MPIEXEC" --timeout "$t" -n "$np" "$@"
}

fail() { echo "FAIL: $*" >&2; exit 1; }

# pv_run LOG SCRIPT ARGS...: runs a ParaView Python script with pvbatch on an X server of
# its own, output in LOG. Xvfb picks a free display itself (-displayfd) and names it only
# once it accepts connections, so neither a display-number race (xvfb-run -a) nor a
# server still starting on a loaded machine can hand pvbatch a dead display. A pvbatch
# that still cannot set up its X window is retried with a fresh server, twice. Returns
# pvbatch's status, or 77 when no usable X display could be had (LOG says why).
pv_run() {
  pv_log=$1; shift
  for pv_attempt in 1 2 3; do
    : >"$PT_TMP/xvfb.display"
    Xvfb -displayfd 1 -screen 0 1280x1024x24 -nolisten tcp >"$PT_TMP/xvfb.display" 2>"$PT_TMP/xvfb.log" &
    pv_x=$!
    pv_wait=0
    while [ ! -s "$PT_TMP/xvfb.display" ] && kill -0 "$pv_x" 2>/dev/null && [ $pv_wait -lt 300 ]; do
      sleep 0.1; pv_wait=$((pv_wait + 1))
    done
    pv_display=$(head -n 1 "$PT_TMP/xvfb.display")
    if [ -n "$pv_display" ]; then
      DISPLAY=":$pv_display" timeout -k 10 120 pvbatch "$@" >"$pv_log" 2>&1
      pv_rc=$?
    else
      { echo "Xvfb gave no display within 30 s:"; cat "$PT_TMP/xvfb.log"; } >"$pv_log"
      pv_rc=77
    fi
    kill "$pv_x" 2>/dev/null; wait "$pv_x" 2>/dev/null
    [ $pv_rc -eq 77 ] || grep -q -e "bad X server connection" -e "CreateAWindow" "$pv_log" || return $pv_rc
    echo "pvbatch could not set up an X window (attempt $pv_attempt of 3)" >&2
  done
  return 77
}
