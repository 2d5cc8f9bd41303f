# shellcheck shell=bash
# A cluster of simulated hosts on one machine, for tests and by hand (bash, sourced).
# Each host is a Linux network namespace with its own UTS namespace (its own hostname)
# and an address on a bridge in the root namespace; processes run on a host through
# nsenter. Open MPI launches across the hosts with its rsh launcher and an agent that
# enters the host (no ssh daemon), over TCP only; Slurm can run one slurmd per host.
#
#   cluster_up N           create N hosts (default 4); sets CLUSTER_DIR, CLUSTER_HOSTS
#                          (names), CLUSTER_ADDRS, CLUSTER_HOSTFILE and exports the
#                          Open MPI settings of the cluster; $CLUSTER_DIR/env holds them
#                          for another shell. Returns 77 (with one line) where this
#                          machine cannot create namespaces.
#   cluster_start N        cluster_up for a test: exit 77 (skip) where hosts cannot be
#                          made, fail where they did not come up
#   cluster_down [DIR]     remove exactly what cluster_up made (default: this shell's)
#   cluster_on HOST CMD... run CMD on HOST (a name of CLUSTER_HOSTS), as the agent does:
#                          in its network and UTS namespaces, with /etc/hosts naming the
#                          cluster's hosts (a private mount namespace)
#   cluster_mpirun ARGS... mpirun across the cluster (hostfile, agent, TCP only)
#
# Names carry a random id (ptc<id>...), so two clusters never collide; every object made
# is recorded in $CLUSTER_DIR/objects before it is made, and a cluster whose owner
# process has died (a killed test run) is removed by the next cluster_up.

CLUSTER_ROOT=${CLUSTER_ROOT:-/run/partita-cluster}
_cluster_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

_cluster_log() { echo "cluster: $*" >&2; }

# Removes the cluster recorded in DIR: processes left on its hosts, namespaces, links,
# the UTS namespace files, then the directory.
cluster_down() {
  local dir=${1:-${CLUSTER_DIR:-}}
  [ -n "$dir" ] && [ -d "$dir" ] || return 0
  local kind name
  if [ -f "$dir/objects" ]; then
    # Processes first (slurmd, orted, ranks): a namespace with processes in it lingers.
    while read -r kind name; do
      [ "$kind" = netns ] || continue
      ip netns pids "$name" 2>/dev/null | xargs -r kill -KILL 2>/dev/null
    done <"$dir/objects"
    tac "$dir/objects" | while read -r kind name; do
      case $kind in
        netns) ip netns del "$name" 2>/dev/null ;;
        link) ip link del "$name" 2>/dev/null ;;
        uts) umount "$name" 2>/dev/null; rm -f "$name" ;;
        tc) tc qdisc del dev "$name" root 2>/dev/null ;;
      esac
    done
  fi
  rm -rf "$dir"
}

# Clusters whose owner is gone: a test run that was killed before its trap ran.
_cluster_reap() {
  local d owner
  for d in "$CLUSTER_ROOT"/ptc*; do
    [ -d "$d" ] || continue
    owner=$(cat "$d/owner" 2>/dev/null)
    case $owner in
      manual) continue ;;  # made by tests/cluster/up: lives until tests/cluster/down
      '' | *[!0-9]*) ;;
      *) kill -0 "$owner" 2>/dev/null && continue ;;
    esac
    _cluster_log "removing the stale cluster $(basename "$d") (its owner $owner is gone)"
    cluster_down "$d"
  done
}

# A /24 that no route of this machine uses yet.
_cluster_subnet() {
  local a b
  for _ in $(seq 50); do
    a=$((200 + RANDOM % 50)) b=$((RANDOM % 256))
    ip route show | grep -q "^10\.$a\.$b\." || { echo "10.$a.$b"; return 0; }
  done
  return 1
}

_cluster_record() { echo "$1 $2" >>"$CLUSTER_DIR/objects"; }

cluster_up() {
  local n=${1:-4} owner=${2:-$$}
  if [ "$(id -u)" -ne 0 ]; then echo "cluster: needs root (network namespaces)"; return 77; fi
  local c
  for c in ip nsenter unshare tc; do
    command -v "$c" >/dev/null 2>&1 || { echo "cluster: $c not installed"; return 77; }
  done
  mkdir -p "$CLUSTER_ROOT"
  _cluster_reap
  local id
  id=$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
  CLUSTER_ID=ptc$id
  CLUSTER_DIR=$CLUSTER_ROOT/$CLUSTER_ID
  mkdir -p "$CLUSTER_DIR/uts" || return 1
  echo "$owner" >"$CLUSTER_DIR/owner"
  : >"$CLUSTER_DIR/objects"
  local net
  net=$(_cluster_subnet) || { echo "cluster: no free 10.x.y.0/24"; cluster_down; return 1; }
  CLUSTER_NET=$net
  CLUSTER_GATEWAY=$net.1
  local br=${CLUSTER_ID}br
  _cluster_record link "$br"
  if ! ip link add "$br" type bridge 2>"$CLUSTER_DIR/err"; then
    echo "cluster: cannot create network devices here ($(head -n 1 "$CLUSTER_DIR/err"))"
    cluster_down; return 77
  fi
  if ! { ip addr add "$CLUSTER_GATEWAY/24" dev "$br" && ip link set "$br" up; }; then
    cluster_down; return 1
  fi
  CLUSTER_HOSTS=() CLUSTER_ADDRS=()
  local i host ns addr veth
  : >"$CLUSTER_DIR/hostfile"
  : >"$CLUSTER_DIR/hosts"
  for i in $(seq 1 "$n"); do
    host=$CLUSTER_ID-h$i ns=${CLUSTER_ID}h$i addr=$net.$((10 + i)) veth=${CLUSTER_ID}v$i
    _cluster_record netns "$ns"
    if ! ip netns add "$ns" 2>"$CLUSTER_DIR/err"; then
      echo "cluster: cannot create network namespaces here ($(head -n 1 "$CLUSTER_DIR/err"))"
      cluster_down; return 77
    fi
    _cluster_record link "$veth"
    if ! { ip link add "$veth" type veth peer name eth0 netns "$ns" &&
      ip link set "$veth" master "$br" up &&
      ip -n "$ns" addr add "$addr/24" dev eth0 &&
      ip -n "$ns" link set eth0 up &&
      ip -n "$ns" link set lo up &&
      ip -n "$ns" route add default via "$CLUSTER_GATEWAY"; }; then
      cluster_down; return 1
    fi
    _cluster_record uts "$CLUSTER_DIR/uts/$ns"
    touch "$CLUSTER_DIR/uts/$ns"
    unshare --uts="$CLUSTER_DIR/uts/$ns" hostname "$host" || { cluster_down; return 1; }
    CLUSTER_HOSTS+=("$host") CLUSTER_ADDRS+=("$addr")
    echo "$host $ns $addr $veth" >>"$CLUSTER_DIR/hosts"
    echo "$host slots=${CLUSTER_SLOTS:-2}" >>"$CLUSTER_DIR/hostfile"
  done
  CLUSTER_HOSTFILE=$CLUSTER_DIR/hostfile
  # What a host resolves: the cluster's names, and no name server (there is none to
  # reach from a host; a resolver that tried would wait for its timeout).
  { echo "127.0.0.1 localhost"; awk '{ print $3, $1 }' "$CLUSTER_DIR/hosts"; } >"$CLUSTER_DIR/etc-hosts"
  : >"$CLUSTER_DIR/resolv.conf"
  _cluster_env >"$CLUSTER_DIR/env"
  # shellcheck disable=SC1091
  . "$CLUSTER_DIR/env"
}

# For tests: cluster_up, then skip the test (exit 77) where the machine cannot make the
# hosts, or fail it (tests/common.sh's fail) where they did not come up.
cluster_start() {
  CLUSTER_SLOTS=${CLUSTER_SLOTS:-2} cluster_up "$1"
  local rc=$?
  [ $rc -eq 0 ] && return 0
  [ $rc -eq 77 ] && exit 77
  fail "the simulated hosts did not come up"
}

# The settings a shell needs to use the cluster (written to $CLUSTER_DIR/env).
_cluster_env() {
  cat <<ENV
export CLUSTER_DIR=$CLUSTER_DIR CLUSTER_ID=$CLUSTER_ID CLUSTER_NET=$CLUSTER_NET CLUSTER_GATEWAY=$CLUSTER_GATEWAY
export CLUSTER_HOSTFILE=$CLUSTER_HOSTFILE
CLUSTER_HOSTS=(${CLUSTER_HOSTS[*]})
CLUSTER_ADDRS=(${CLUSTER_ADDRS[*]})
# Open MPI: launch through the namespace agent, talk TCP only, on the cluster's network.
export OMPI_MCA_plm_rsh_agent=$_cluster_here/agent
export OMPI_MCA_plm_rsh_no_tree_spawn=1
export OMPI_MCA_btl=tcp,self
export OMPI_MCA_btl_tcp_if_include=$CLUSTER_NET.0/24
export OMPI_MCA_oob_tcp_if_include=$CLUSTER_NET.0/24
# A host whose link dies sends no reset: without keepalives mpirun would wait out
# Linux's TCP retransmissions (many minutes). Idle 5 s, then 3 probes 2 s apart.
export OMPI_MCA_oob_tcp_keepalive_time=5 OMPI_MCA_oob_tcp_keepalive_intvl=2 OMPI_MCA_oob_tcp_keepalive_probes=3
# The hosts share this machine's cores: a rank waiting for a message yields its core.
export OMPI_MCA_mpi_yield_when_idle=1
export PARTITA_CLUSTER_HOSTS=$CLUSTER_DIR/hosts
ENV
}

# The namespace of HOST (a name, an address or a namespace), from the hosts table.
_cluster_ns() {
  awk -v h="$1" '$1 == h || $2 == h || $3 == h { print $2; exit }' "${PARTITA_CLUSTER_HOSTS:-$CLUSTER_DIR/hosts}"
}

cluster_on() {
  "$_cluster_here/agent" "$1" "$(shift; printf '%q ' "$@")"
}

cluster_mpirun() {
  mpirun --hostfile "$CLUSTER_HOSTFILE" "$@"
}
