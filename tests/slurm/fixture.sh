# shellcheck shell=bash source-path=SCRIPTDIR
# A real single-node Slurm cluster on localhost for the job-script tests (bash, sourced
# after tests/common.sh). It runs as root with its own munged (own key and socket),
# slurmctld and slurmd on free ports, and every file (slurm.conf, state, spool, logs)
# in a temporary directory; clients find it through SLURM_CONF. Nothing under /etc is
# written. Teardown (on EXIT, also after a failure) cancels the cluster's jobs
# and stops only the daemons this fixture started, by the process ids it recorded.
#
#   slurm_up APP [NODES]             start the cluster (exits 77 if it cannot: no Slurm,
#                                    no munge, not root); sets SLURM_PARTITION, puts
#                                    apps/APP of the build on PATH (the job scripts find
#                                    partita-APP there), makes and enters $sub, the
#                                    test's submit directory. With NODES, the nodes are
#                                    that many simulated hosts (tests/cluster/cluster.sh),
#                                    one slurmd each, and ranks talk TCP between them;
#                                    without, one node: this machine. The last
#                                    $SLURM_DEAD_NODES nodes get no slurmd (hosts that
#                                    never came up).
#   slurm_submit ARGS...             sbatch --parsable into the test partition; prints the id
#   slurm_wait ID [SECONDS]          wait until job ID (every task of an array) has ended
#   slurm_job_field ID FIELD         a field of `scontrol show job` (JobState, ExitCode, ...)
#   slurm_expect_completed ID        fail unless every task of ID is COMPLETED with 0:0
#
# Slurm tests run one at a time on a machine (a lock in /tmp), so the job ids, CPUs and
# cgroup directories of two test clusters never meet.

slurm_skip() { echo "SKIP: $*"; exit 77; }

[ "$(id -u)" -eq 0 ] || slurm_skip "the Slurm fixture runs slurmd as root"
for _c in munged slurmctld slurmd sbatch squeue scontrol srun flock; do
  command -v "$_c" >/dev/null 2>&1 || slurm_skip "$_c not installed (Debian: slurm-wlm munge)"
done

SLURM_PARTITION=partita
SLURM_DIR="$PT_TMP/slurm"
SLURM_NODE=$(hostname -s)
_slurm_pids=()          # daemons started here, stopped in reverse order
_slurm_cgroup_made=()   # cgroup directories created by our slurmd, removed if empty

_slurm_teardown() {
  local rc=$?
  set +e
  if [ -n "${SLURM_CONF:-}" ] && [ ${#_slurm_pids[@]} -ge 2 ]; then
    local ids
    ids=$(squeue -h -o %i 2>/dev/null)
    # shellcheck disable=SC2086
    [ -z "$ids" ] || scancel $ids 2>/dev/null
    local i=0
    while [ $i -lt 60 ] && [ -n "$(squeue -h -o %i 2>/dev/null)" ]; do sleep 0.5; i=$((i + 1)); done
  fi
  local k pid
  for ((k = ${#_slurm_pids[@]} - 1; k >= 0; k--)); do
    pid=${_slurm_pids[k]}
    kill -TERM "$pid" 2>/dev/null || continue
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  # slurmstepd of this cluster's jobs (ids from our FirstJobId on) if one outlived slurmd.
  if [ -n "${_slurm_first_id:-}" ]; then
    local p cmd id
    for p in /proc/[0-9]*; do
      cmd=$({ tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null) || continue
      case $cmd in "slurmstepd: ["*) ;; *) continue ;; esac
      id=${cmd#slurmstepd: [}; id=${id%%[.\]]*}
      [ "$id" -ge "$_slurm_first_id" ] 2>/dev/null && [ "$id" -lt $((_slurm_first_id + 100000)) ] &&
        kill -KILL "${p#/proc/}" 2>/dev/null
    done
  fi
  for ((k = ${#_slurm_cgroup_made[@]} - 1; k >= 0; k--)); do
    find "${_slurm_cgroup_made[k]}" -depth -type d -exec rmdir {} + 2>/dev/null
  done
  [ -z "${CLUSTER_DIR:-}" ] || cluster_down
  if [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ] && [ -d "$SLURM_DIR/log" ]; then
    echo "--- Slurm daemon logs (last lines) ---"
    tail -n 25 "$SLURM_DIR"/log/* 2>/dev/null
  fi
  rm -rf "$PT_TMP"
  exit "$rc"
}
trap _slurm_teardown EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

_slurm_free_ports() { # two free TCP ports on localhost
  "${PT_PYTHON:-python3}" - <<'EOF'
import socket
socks = [socket.socket() for _ in range(2)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))
EOF
}

# Sets _slurm_proctrack: proctrack/cgroup needs a writable cgroup v1 freezer hierarchy
# (cgroup v2 needs systemd in Slurm 22.05); without one, proctrack/linuxproc.
_slurm_pick_proctrack() {
  local f=/sys/fs/cgroup/freezer probe
  if [ -d "$f" ] && [ -w "$f" ] && [ "$(stat -f -c %T "$f" 2>/dev/null)" = cgroupfs ]; then
    probe="$f/partita-probe.$$"
    if mkdir "$probe" 2>/dev/null; then
      rmdir "$probe"
      local c n
      for c in /sys/fs/cgroup/*/; do
        for n in slurm "slurm_$SLURM_NODE"; do [ -e "$c$n" ] || _slurm_cgroup_made+=("$c$n"); done
      done
      _slurm_proctrack=cgroup
      return
    fi
  fi
  _slurm_proctrack=linuxproc
}

slurm_up() {
  export PATH="${top_builddir:?source tests/common.sh first}/apps/${1:?slurm_up APP}:$PATH"
  local nodes=${2:-0}
  exec {_slurm_lock}>"${TMPDIR:-/tmp}/partita-slurm-test.lock"
  flock -w 600 "$_slurm_lock" || fail "another Slurm test cluster held the lock for 10 minutes"
  local d=$SLURM_DIR
  mkdir -p "$d/munge" "$d/state" "$d/spool" "$d/log" "$d/gpu"
  chmod 755 "$d" "$d/munge"

  # munge: a fresh key and our own socket; AuthInfo points Slurm at it.
  dd if=/dev/urandom of="$d/munge/munge.key" bs=1024 count=1 status=none
  chmod 400 "$d/munge/munge.key"
  munged -F --force --socket="$d/munge/munge.socket" --key-file="$d/munge/munge.key" \
    --pid-file="$d/munge/munged.pid" --log-file="$d/log/munged.log" \
    --seed-file="$d/munge/munged.seed" >"$d/log/munged.out" 2>&1 {_slurm_lock}>&- &
  _slurm_pids+=($!)
  local i=0
  while [ ! -S "$d/munge/munge.socket" ]; do
    i=$((i + 1)); [ $i -le 100 ] || { cat "$d/log/munged.out"; fail "munged did not start"; }
    sleep 0.1
  done

  local node hw ctld_addr=127.0.0.1
  read -r _slurm_ctld_port _slurm_d_port <<<"$(_slurm_free_ports)" || fail "no free ports"
  # The node as slurmd sees it (CPUs, sockets, cores, memory).
  hw=$(slurmd -C | head -n 1)
  case $hw in NodeName=*) ;; *) fail "slurmd -C: unexpected output '$hw'" ;; esac
  hw=${hw#NodeName=* }
  SLURM_NODES=("$SLURM_NODE")
  node="NodeName=$SLURM_NODE $hw NodeAddr=127.0.0.1 Gres=gpu:2 State=UNKNOWN"
  local gres="NodeName=$SLURM_NODE Name=gpu File=$d/gpu/gpu[0-1]"
  _slurm_proctrack=
  if [ "$nodes" -gt 0 ]; then
    # shellcheck source=../cluster/cluster.sh
    . "$(dirname "${BASH_SOURCE[0]}")/../cluster/cluster.sh"
    cluster_start "$nodes"
    SLURM_NODES=("${CLUSTER_HOSTS[@]}")
    ctld_addr=$CLUSTER_GATEWAY
    node='' gres=''
    local i
    for i in "${!CLUSTER_HOSTS[@]}"; do
      node+="NodeName=${CLUSTER_HOSTS[i]} $hw NodeAddr=${CLUSTER_ADDRS[i]} Gres=gpu:2 State=UNKNOWN"$'\n'
      gres+="NodeName=${CLUSTER_HOSTS[i]} Name=gpu File=$d/gpu/gpu[0-1]"$'\n'
    done
    # Every slurmd would make the same job cgroups in the one hierarchy the hosts share.
    _slurm_proctrack=linuxproc
  fi
  [ -n "$_slurm_proctrack" ] || _slurm_pick_proctrack
  # Job ids start high and differ per run, so a stray process can be told apart.
  _slurm_first_id=$(( (RANDOM % 500 + 100) * 100000 ))  # below MaxJobId (67043328)
  # Two stand-in GPUs (device nodes with /dev/null's numbers): enough for Slurm's
  # --gpus-per-task bookkeeping and CUDA_VISIBLE_DEVICES; nothing opens them.
  mknod "$d/gpu/gpu0" c 1 3 || fail "mknod failed"
  mknod "$d/gpu/gpu1" c 1 3 || fail "mknod failed"
  cat >"$d/gres.conf" <<EOF
AutoDetect=off
$gres
EOF
  cat >"$d/cgroup.conf" <<EOF
CgroupPlugin=cgroup/v1
CgroupAutomount=no
ConstrainCores=no
ConstrainDevices=no
ConstrainRAMSpace=no
EOF
  cat >"$d/slurm.conf" <<EOF
# Generated by tests/slurm/fixture.sh for one test run.
ClusterName=partita-test
SlurmctldHost=$(hostname -s)($ctld_addr)
SlurmctldPort=$_slurm_ctld_port
SlurmdPort=$_slurm_d_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$d/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$d/state
SlurmdSpoolDir=$d/spool/%n
SlurmctldPidFile=$d/slurmctld.pid
SlurmdPidFile=$d/slurmd-%n.pid
SlurmctldLogFile=$d/log/slurmctld.log
SlurmdLogFile=$d/log/slurmd-%n.log
SlurmctldDebug=info
SlurmdDebug=info
FirstJobId=$_slurm_first_id
MpiDefault=pmix
ProctrackType=proctrack/$_slurm_proctrack
TaskPlugin=task/affinity
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
GresTypes=gpu
EnforcePartLimits=ALL
ReturnToService=2
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=2
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
JobAcctGatherType=jobacct_gather/none
KillWait=5
MinJobAge=600
InactiveLimit=0
SlurmdTimeout=60
$node
PartitionName=$SLURM_PARTITION Nodes=$(IFS=,; echo "${SLURM_NODES[*]}") Default=YES MaxTime=30 State=UP
EOF
  export SLURM_CONF="$d/slurm.conf"
  # The daemons do not inherit the lock: it ends with this test, whatever they do.
  slurmctld -D -c -f "$SLURM_CONF" >"$d/log/slurmctld.out" 2>&1 {_slurm_lock}>&- &
  _slurm_pids+=($!)
  local n conf k=0 dead=${SLURM_DEAD_NODES:-0}
  for n in "${SLURM_NODES[@]}"; do
    # The last SLURM_DEAD_NODES nodes never come up: no slurmd.
    k=$((k + 1)); [ $k -le $((${#SLURM_NODES[@]} - dead)) ] || continue
    mkdir -p "$d/spool/$n"
    if [ "$nodes" -gt 0 ]; then
      # Each host has its own munged (one key), as real nodes do: munge refuses to decode
      # a credential twice, and every node of a job step decodes the step's.
      cluster_on "$n" munged -F --force --socket="$d/munge/$n.socket" --key-file="$d/munge/munge.key" \
        --pid-file="$d/munge/$n.pid" --log-file="$d/log/munged-$n.log" --seed-file="$d/munge/$n.seed" \
        >"$d/log/munged-$n.out" 2>&1 {_slurm_lock}>&- &
      _slurm_pids+=($!)
      for i in $(seq 100); do [ -S "$d/munge/$n.socket" ] && break; sleep 0.1; done
      [ -S "$d/munge/$n.socket" ] || { cat "$d/log/munged-$n.out"; fail "munged on $n did not start"; }
      conf="$d/slurm-$n.conf"
      # Its own temporary directory too: PMIx makes per-step directories there.
      mkdir -p "$d/tmp/$n"
      sed "s|^AuthInfo=.*|AuthInfo=socket=$d/munge/$n.socket|" "$SLURM_CONF" >"$conf"
      echo "TmpFS=$d/tmp/$n" >>"$conf"
      cluster_on "$n" slurmd -D -f "$conf" -N "$n" >"$d/log/slurmd-$n.out" 2>&1 {_slurm_lock}>&- &
    else
      slurmd -D -f "$SLURM_CONF" -N "$n" >"$d/log/slurmd-$n.out" 2>&1 {_slurm_lock}>&- &
    fi
    _slurm_pids+=($!)
  done

  local idle=0 live=$((${#SLURM_NODES[@]} - dead))
  for i in $(seq 120); do
    idle=$(sinfo -h -N -o "%N %T" 2>/dev/null | grep -c ' idle$')
    [ "$idle" -eq "$live" ] && break
    for pid in "${_slurm_pids[@]}"; do
      kill -0 "$pid" 2>/dev/null || fail "a Slurm daemon exited during start-up"
    done
    sleep 0.5
  done
  [ "$idle" -eq "$live" ] || { sinfo -N; fail "$idle of $live node(s) idle after 60 s"; }
  echo "slurm: cluster up (slurmctld :$_slurm_ctld_port, slurmd :$_slurm_d_port, proctrack/$_slurm_proctrack, ${#SLURM_NODES[@]} node(s): ${SLURM_NODES[*]}, $(echo "$hw" | grep -o 'CPUs=[0-9]*') each)"
  sub="$PT_TMP/submit"
  mkdir -p "$sub" || fail "cannot make the submit directory $sub"
  cd "$sub" || fail "cannot enter the submit directory $sub"
}

slurm_submit() {
  sbatch --parsable --partition="$SLURM_PARTITION" --account=partita-test "$@" | cut -d';' -f1
}

# Every record of the job (an array gives one per task), one line each.
_slurm_records() { scontrol -o show job "$1" 2>/dev/null; }

slurm_wait() {
  local id=$1 limit=${2:-180} t0=$SECONDS
  while [ $((SECONDS - t0)) -lt "$limit" ]; do
    if ! _slurm_records "$id" | grep -Eq 'JobState=(PENDING|RUNNING|CONFIGURING|COMPLETING|REQUEUED|SUSPENDED)'; then
      return 0
    fi
    sleep 1
  done
  _slurm_records "$id"
  fail "job $id still running after ${limit}s"
}

slurm_job_field() {
  _slurm_records "$1" | head -n 1 | tr ' ' '\n' | sed -n "s/^$2=//p"
}

slurm_expect_completed() {
  local id=$1 bad
  bad=$(_slurm_records "$id" | grep -v 'JobState=COMPLETED .*ExitCode=0:0' || true)
  if [ -n "$bad" ]; then
    echo "$bad"
    local out
    sed -n 's/.* StdOut=\([^ ]*\).*/\1/p' <<<"$bad" | while read -r out; do
      echo "--- $out"; cat "$out"
    done
    fail "job $id did not complete with exit code 0"
  fi
  [ -n "$(_slurm_records "$id")" ] || fail "job $id: scontrol knows nothing about it"
}

# --- checks on what a job left behind ---------------------------------------------------

# The value at a dotted path of a JSON run report ("run.mpi_ranks").
report_get() {
  "${PT_PYTHON:-python3}" -c 'import json, sys
v = json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."):
    v = v[k]
print(v)' "$1" "$2"
}

# expect_dataset FILE PATH: the HDF5 file FILE holds dataset PATH.
expect_dataset() {
  "$H5DUMP" -H -d "$2" "$1" >/dev/null 2>&1 || fail "$1 has no dataset $2"
}

# expect_log LOG PATTERN...: each extended regular expression matches a line of LOG.
expect_log() {
  local log=$1 pat; shift
  [ -f "$log" ] || fail "no job log $log"
  for pat in "$@"; do
    grep -Eq -- "$pat" "$log" || { cat "$log"; fail "$log: no line matches '$pat'"; }
  done
}
