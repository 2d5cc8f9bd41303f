#!/bin/sh
# partita-heat checkpoint/restart and stops:
#  - 100 steps, checkpoint, restart on a different rank count, 100 more == 200 straight,
#    bitwise (h5diff, no tolerance);
#  - SIGUSR1 (forwarded by mpiexec, as Slurm's signal reaches every task) and
#    --max-walltime stop all ranks at the same step with exit 3 and a loadable
#    checkpoint that a restart continues to the same answer.
. "$(dirname "$0")/../common.sh"
heat="$top_builddir/apps/heat/partita-heat"
[ -n "$H5DIFF" ] || { echo "h5diff not found: skipped"; exit 77; }
deck="$top_srcdir/input/heat2d.ini"
common="--set grid.nx=41 --set grid.ny=29 --set output.every=0"

same_field() { # FILE_A FILE_B STEP
  "$H5DIFF" "$1" "$2" "/data/$3/meshes/temperature" "/data/$3/meshes/temperature" ||
    fail "fields at step $3 differ: $1 vs $2"
}

mkdir -p "$PT_TMP/straight" "$PT_TMP/chain"
mpirun_t 60 2 --quiet "$heat" "$deck" $common --set time.steps=200 -q --output "$PT_TMP/straight" ||
  fail "straight run failed"

mpirun_t 60 3 --quiet "$heat" "$deck" $common --set time.steps=100 --set output.checkpoint_every=100 \
  -q --output "$PT_TMP/chain" || fail "first half failed"
[ -f "$PT_TMP/chain/partita-heat-checkpoint.h5" ] || fail "no checkpoint written"
mpirun_t 60 4 --quiet "$heat" "$deck" $common --set time.steps=200 --restart latest \
  -q --output "$PT_TMP/chain" || fail "restart on 4 ranks failed"
same_field "$PT_TMP/straight/heat.h5" "$PT_TMP/chain/heat.h5" 200
echo "ok: 100 steps on 3 ranks + restart on 4 ranks == 200 steps on 2 ranks, bitwise"

# A restart file of the wrong grid is refused with one line and exit 1.
mpirun_t 60 2 --quiet "$heat" "$deck" $common --set grid.nx=40 --set time.steps=200 \
  --restart "$PT_TMP/chain/partita-heat-checkpoint.h5" -q --output "$PT_TMP/chain" \
  >"$PT_TMP/out" 2>"$PT_TMP/err"
rc=$?
[ "$rc" -eq 1 ] || { cat "$PT_TMP/err"; fail "wrong-grid restart exited $rc, not 1"; }
[ "$(wc -l <"$PT_TMP/err")" -eq 1 ] || { cat "$PT_TMP/err"; fail "wrong-grid restart: not one line"; }
echo "ok: wrong-grid restart refused: $(cat "$PT_TMP/err")"

# Stops: a long run, interrupted by SIGUSR1 through mpiexec, then by the walltime.
long="--set time.steps=2000000"
mkdir -p "$PT_TMP/sig"
# mpiexec itself is signalled (no `timeout` wrapper in between): it forwards SIGUSR1 to
# every rank, as Slurm does; its own --timeout still bounds the run.
"$MPIEXEC" --timeout 50 -n 2 "$heat" "$deck" $common $long \
  --output "$PT_TMP/sig" >"$PT_TMP/sig/log" 2>&1 &
pid=$!
# Wait until it is stepping (the progress line appears every 2 s), then signal.
for _ in $(seq 1 100); do grep -q "^step " "$PT_TMP/sig/log" 2>/dev/null && break; sleep 0.2; done
kill -USR1 "$pid"
wait "$pid"; rc=$?
cat "$PT_TMP/sig/log"
[ "$rc" -eq 3 ] || fail "SIGUSR1: exit $rc, expected 3"
grep -q "stopped by SIGUSR1 at step" "$PT_TMP/sig/log" || fail "SIGUSR1: no stop message"
step=$(sed -n 's/.*stopped by SIGUSR1 at step \([0-9]*\).*/\1/p' "$PT_TMP/sig/log")
echo "ok: SIGUSR1 stopped both ranks at step $step with exit 3"

# The checkpoint loads and continues to the same answer as a straight run.
mpirun_t 60 1 --quiet "$heat" "$deck" $common --set time.steps=$((step + 7)) --restart latest \
  -q --output "$PT_TMP/sig" || fail "restart after SIGUSR1 failed"
mkdir -p "$PT_TMP/ref2"
mpirun_t 120 2 --quiet "$heat" "$deck" $common --set time.steps=$((step + 7)) -q \
  --output "$PT_TMP/ref2" || fail "reference run failed"
same_field "$PT_TMP/ref2/heat.h5" "$PT_TMP/sig/heat.h5" $((step + 7))
echo "ok: restart after SIGUSR1 matches a straight run bitwise"

mkdir -p "$PT_TMP/wall"
mpirun_t 60 2 --quiet "$heat" "$deck" $common $long --max-walltime 1 --output "$PT_TMP/wall" \
  >"$PT_TMP/wall/log" 2>&1
rc=$?
[ "$rc" -eq 3 ] || { cat "$PT_TMP/wall/log"; fail "--max-walltime: exit $rc, expected 3"; }
grep -q "stopped by the wall-time limit" "$PT_TMP/wall/log" || fail "--max-walltime: no stop message"
[ -f "$PT_TMP/wall/partita-heat-checkpoint.h5" ] || fail "--max-walltime: no checkpoint"
echo "ok: --max-walltime 1 stopped with exit 3 and a checkpoint"
