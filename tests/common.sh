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
