#!/bin/sh
# shellcheck source-path=SCRIPTDIR
# ShellCheck (default checks, style included) on the job scripts, their helper and the
# Slurm, launch and cluster tests, following sourced files.
# shellcheck source=../common.sh
. "$(dirname "$0")/../common.sh"
command -v shellcheck >/dev/null 2>&1 || { echo "SKIP: shellcheck not installed"; exit 77; }
shellcheck --version | sed -n 's/^version: /shellcheck /p'
cd "$top_srcdir" || exit 1
shellcheck -x job-scripts/*.sbatch job-scripts/partita-job.sh tests/slurm/*.sh \
  tests/apps/mpirun-launch.sh tests/cluster/*.sh tests/cluster/up tests/cluster/down tests/cluster/agent ||
  fail "shellcheck found problems"
echo "ok: job scripts and tests pass shellcheck"
