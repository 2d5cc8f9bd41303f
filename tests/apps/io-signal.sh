#!/bin/sh
# Stops: SIGUSR1 sent to one rank only, SIGTERM during the checkpoint write, and
# --max-walltime all end the run at an agreed step with exit 3 and a loadable checkpoint.
. "$(dirname "$0")/../common.sh"
drv="$top_builddir/tests/apps/io_driver"
ck() { echo "$1/io_driver-checkpoint.h5"; }
slow="--set driver.steps=1000000 --set driver.sleep_ms=20 --set driver.output_every=0"

wait_for() { # FILE: up to 20 s
  i=0
  while [ ! -s "$1" ]; do
    i=$((i + 1)); [ $i -le 200 ] || fail "timed out waiting for $1"; sleep 0.1
  done
}

# restart_ok DIR STEP: the checkpoint loads (on 3 ranks) and continues 2 steps.
restart_ok() {
  mpirun_t 60 3 "$drv" --output "$1" --set driver.steps=$(($2 + 2)) --set driver.output_every=0 \
    --restart latest >"$1/restart.log" 2>&1 || { cat "$1/restart.log"; fail "restart from $1 failed"; }
  grep -q "restarted from $(ck "$1") at step $2" "$1/restart.log" || { cat "$1/restart.log"; fail "restart is not at step $2"; }
}

stopped_step() { sed -n 's/.*stopped by .* at step \([0-9]*\);.*/\1/p' "$1"; }

# 1. SIGUSR1 to rank 1 only: both ranks stop at the same step.
d="$PT_TMP/usr1"; mkdir -p "$d"
mpirun_t 60 2 "$drv" --output "$d" $slow >"$d/log" 2>&1 &
job=$!
wait_for "$d/pid.1"; sleep 0.5
t0=$(date +%s)
kill -USR1 "$(cat "$d/pid.1")"
wait $job; rc=$?
took=$(( $(date +%s) - t0 ))
cat "$d/log"
[ "$rc" -eq 3 ] || fail "SIGUSR1: exit $rc, expected 3"
[ "$took" -le 5 ] || fail "SIGUSR1: took ${took}s to stop"
grep -q "stopped by SIGUSR1 at step [0-9]*; restart with --restart $(ck "$d")" "$d/log" || fail "SIGUSR1: no restart hint"
restart_ok "$d" "$(stopped_step "$d/log")"
echo "ok: SIGUSR1 on one rank stops all ranks with exit 3 and a loadable checkpoint"

# 1b. SIGINT (Ctrl-C reaching the ranks) is a stop like the others: exit 3, checkpoint.
d="$PT_TMP/int"; mkdir -p "$d"
mpirun_t 60 2 "$drv" --output "$d" $slow >"$d/log" 2>&1 &
job=$!
wait_for "$d/pid.1"; sleep 0.5
kill -INT "$(cat "$d/pid.0")" "$(cat "$d/pid.1")"
wait $job; rc=$?
cat "$d/log"
[ "$rc" -eq 3 ] || fail "SIGINT: exit $rc, expected 3"
grep -q "stopped by SIGINT at step [0-9]*; restart with --restart $(ck "$d")" "$d/log" || fail "SIGINT: no restart hint"
restart_ok "$d" "$(stopped_step "$d/log")"
echo "ok: SIGINT stops all ranks with exit 3 and a loadable checkpoint"

# 2. A second signal (SIGTERM to every rank) while the checkpoint is being written.
d="$PT_TMP/term"; mkdir -p "$d"
PT_CHECKPOINT_FAULT=pause mpirun_t 60 2 "$drv" --output "$d" $slow >"$d/log" 2>&1 &
job=$!
wait_for "$d/pid.0"; wait_for "$d/pid.1"; sleep 0.5
kill -USR1 "$(cat "$d/pid.0")"
wait_for "$(ck "$d").tmp"
kill -TERM "$(cat "$d/pid.0")" "$(cat "$d/pid.1")"
wait $job; rc=$?
cat "$d/log"
[ "$rc" -eq 3 ] || fail "SIGTERM during the checkpoint: exit $rc, expected 3"
[ ! -e "$(ck "$d").tmp" ] || fail "SIGTERM during the checkpoint: temp file left behind"
restart_ok "$d" "$(stopped_step "$d/log")"
echo "ok: a second signal during the checkpoint write does not corrupt it"

# 3. --max-walltime.
d="$PT_TMP/wall"; mkdir -p "$d"
mpirun_t 60 2 "$drv" --output "$d" $slow --max-walltime 1 >"$d/log" 2>&1
rc=$?
cat "$d/log"
[ "$rc" -eq 3 ] || fail "--max-walltime: exit $rc, expected 3"
grep -q "stopped by the wall-time limit at step" "$d/log" || fail "--max-walltime: wrong message"
restart_ok "$d" "$(stopped_step "$d/log")"
echo "ok: --max-walltime checkpoints and exits 3"
