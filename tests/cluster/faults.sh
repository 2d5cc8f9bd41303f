#!/bin/bash
# shellcheck source-path=SCRIPTDIR
# Faults on the simulated cluster, each bounded in time. During an 8-rank heat run on 4
# hosts (checkpoints every 100 steps): one host's link goes down, and separately one
# host's ranks are killed with SIGKILL. Each time the job must end non-zero within 60 s
# with a line naming the lost host or rank, the newest checkpoint must be whole (its
# checksums verify when it is read), and --restart latest on the surviving hosts must
# finish the run bitwise like an uninterrupted one. A hostfile naming a host that never
# came up must fail within 60 s with a clear line.
# shellcheck source=../common.sh
. "$(dirname "$0")/../common.sh"
# shellcheck source=cluster.sh
. "$(dirname "$0")/cluster.sh"
heat="$top_builddir/apps/heat/partita-heat"
[ -x "$heat" ] || { echo "SKIP: partita-heat is not built"; exit 77; }
[ -n "${H5DIFF:-}" ] || { echo "SKIP: h5diff not found"; exit 77; }
trap 'cluster_down; rm -rf "$PT_TMP"' EXIT
cluster_start 5
# Hosts 1-4 run the job; host 5 is the one that "never comes up" (its link stays down).
head -n 4 "$CLUSTER_HOSTFILE" >"$PT_TMP/hosts4"
ip link set "${CLUSTER_ID}v5" down

deck="$top_srcdir/input/heat2d.ini"
run=(--set grid.nx=128 --set grid.ny=96 --set time.steps=800 --set output.every=0 -q)
mpirun_t 300 1 "$heat" "$deck" "${run[@]}" --output "$PT_TMP/ref" || fail "the uninterrupted run failed"

# fault NAME ACTION: starts the 8-rank run, waits for its second checkpoint, does ACTION
# (a function of the victim host's number, 3) and checks how the job ends.
fault() {
  local name=$1 action=$2 d="$PT_TMP/$1"
  mkdir -p "$d"
  timeout -k 10 200 mpirun --hostfile "$PT_TMP/hosts4" -n 8 "$heat" "$deck" "${run[@]}" \
    --set output.checkpoint_every=100 --output "$d" >"$d/log" 2>&1 &
  local pid=$! i=0
  until [ -f "$d/partita-heat-checkpoint.h5.1" ]; do
    i=$((i + 1)); [ $i -le 600 ] || { kill "$pid"; cat "$d/log"; fail "$name: no second checkpoint within 60 s"; }
    kill -0 "$pid" 2>/dev/null || { cat "$d/log"; fail "$name: the run ended before the fault"; }
    sleep 0.1
  done
  local t0=$SECONDS
  "$action" 3
  wait "$pid"
  local rc=$? took=$((SECONDS - t0))
  [ "$rc" -ne 0 ] || fail "$name: the job exited 0"
  [ "$took" -le 60 ] || fail "$name: the job took ${took}s to end (limit 60 s)"
  grep -q "${CLUSTER_HOSTS[2]}" "$d/log" || { cat "$d/log"; fail "$name: no line names the lost host ${CLUSTER_HOSTS[2]}"; }
  echo "ok: $name: exit $rc after ${took}s: $(grep -m1 -E "lost communication|exited on signal|noticed" "$d/log" | sed 's/^ *//')"
  # The newest whole checkpoint, on the three hosts left (6 ranks): bitwise the same end.
  grep -v "${CLUSTER_HOSTS[2]}" "$PT_TMP/hosts4" >"$d/alive"
  timeout -k 10 200 mpirun --timeout 180 --hostfile "$d/alive" -n 6 "$heat" "$deck" "${run[@]}" --restart latest \
    --output "$d" >"$d/restart.log" 2>&1 || { cat "$d/restart.log"; fail "$name: --restart latest on the surviving hosts failed"; }
  "$H5DIFF" -q "$PT_TMP/ref/heat.h5" "$d/heat.h5" /data/800/meshes/temperature /data/800/meshes/temperature ||
    fail "$name: the restarted run differs from the uninterrupted one"
  echo "ok: $name: --restart latest on 3 hosts finished bitwise like the uninterrupted run"
}

link_down() { ip link set "${CLUSTER_ID}v$1" down; }
kill_ranks() {
  local p
  for p in $(ip netns pids "${CLUSTER_ID}h$1"); do
    case $(readlink "/proc/$p/exe" 2>/dev/null) in *partita-heat) kill -KILL "$p" ;; esac
  done
}
fault link-down link_down
ip link set "${CLUSTER_ID}v3" up
fault sigkill kill_ranks

# A host that never came up: refused within 60 s, naming it.
t0=$SECONDS
timeout -k 10 120 mpirun --hostfile "$CLUSTER_HOSTFILE" -n 10 "$heat" "$deck" "${run[@]}" --output "$PT_TMP/dead" \
  >"$PT_TMP/dead.log" 2>&1 && fail "a job with a dead host succeeded"
took=$((SECONDS - t0))
[ "$took" -le 60 ] || fail "a dead host took ${took}s to be noticed (limit 60 s)"
grep -q "${CLUSTER_HOSTS[4]}" "$PT_TMP/dead.log" || { cat "$PT_TMP/dead.log"; fail "the dead host is not named"; }
echo "ok: a dead host in the hostfile fails after ${took}s: $(grep -m1 -iE "unable|daemon|failed" "$PT_TMP/dead.log" | sed 's/^ *//')"
