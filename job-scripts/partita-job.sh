# shellcheck shell=bash
# partita-job.sh: what every Partita job script does, in one place (sourced by the
# *.sbatch scripts in this directory; bash). It turns the Slurm allocation into the
# launch environment, records the environment in the job log, and runs the app so that
# a signal sent to the batch shell reaches the run.
#
#   partita_setup APP         find APP, derive threads and the launcher, make RUN_DIR,
#                             log the environment and versions
#   partita_deck NAME         print the path of input deck NAME
#   partita_run ARGS...       launch the app with ARGS; forwards USR1/TERM; returns its
#                             exit code (0 done, 1 bad input, 2 failed, 3 checkpointed)
#   partita_time_left         seconds until the job's time limit (fails if unlimited)
#
# Variables a user may set (sbatch --export=ALL,NAME=value, or export before sbatch):
#   MPI_LAUNCHER    launch with this instead of "srun --mpi=pmix", e.g. "mpirun"; for
#                   mpirun/mpiexec the rank mapping is derived from the allocation
#                   unless the value has its own --map-by
#   PARTITA_BINDIR  where the apps are (default: PATH, then the install tree)
#   RUN_DIR         the run's output directory (default: one per job, see below)
#   OMP_PROC_BIND, OMP_PLACES   thread pinning (default close, cores)
#   PARTITA_SIGNAL_GRACE        seconds after the launch before a signal is forwarded

# The directory holding the job scripts (this file), used to find decks and apps.
PARTITA_JOB_SCRIPTS=${PARTITA_JOB_SCRIPTS:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}

partita_die() { echo "partita-job: error: $*" >&2; exit 1; }

# The app's path: PARTITA_BINDIR, else PATH, else bin/ of the installation this
# directory belongs to (PREFIX/share/partita/job-scripts).
partita_find_app() {
  local name=$1 p
  if [ -n "${PARTITA_BINDIR:-}" ]; then
    p="$PARTITA_BINDIR/$name"
  elif p=$(command -v "$name"); then
    :
  else
    p="$PARTITA_JOB_SCRIPTS/../../../bin/$name"
  fi
  [ -x "$p" ] || partita_die "$name not found: load Partita's module, add its bin/ to PATH or set PARTITA_BINDIR"
  echo "$p"
}

# A deck as given (absolute, or relative to the submit directory), else the one shipped
# with Partita: input/ of the source tree these scripts are in, the installation they
# are in (PREFIX/share/partita), or the one the app comes from (after partita_setup).
partita_deck() {
  local d
  for d in "$1" "$PARTITA_JOB_SCRIPTS/../input/$1" "$PARTITA_JOB_SCRIPTS/../$1" \
    "$(dirname "${PARTITA_APP:-.}")/../share/partita/$1"; do
    [ -f "$d" ] && { echo "$d"; return 0; }
  done
  partita_die "input deck $1 not found (relative paths are from the submit directory)"
}

# One rank per task with SLURM_CPUS_PER_TASK cores: srun since Slurm 22.05 no longer
# inherits --cpus-per-task from the job, so SRUN_CPUS_PER_TASK passes it on, and the
# OpenMP runtime gets one thread per core, pinned close to its rank.
partita_threads() {
  PARTITA_CPUS=${SLURM_CPUS_PER_TASK:-1}
  export SRUN_CPUS_PER_TASK=$PARTITA_CPUS
  export OMP_NUM_THREADS=$PARTITA_CPUS
  export OMP_PROC_BIND=${OMP_PROC_BIND:-close}
  export OMP_PLACES=${OMP_PLACES:-cores}
}

# Sets the array partita_launcher.
partita_set_launcher() {
  # A lost node or rank must end the job, not leave the others waiting in MPI: srun
  # ends the step when a task dies (--kill-on-bad-exit), and mpirun's daemons send TCP
  # keepalives so a node whose link dies is noticed in about a minute instead of after
  # Linux's TCP retransmissions (settings a user exported win).
  export OMPI_MCA_oob_tcp_keepalive_time=${OMPI_MCA_oob_tcp_keepalive_time:-30}
  export OMPI_MCA_oob_tcp_keepalive_intvl=${OMPI_MCA_oob_tcp_keepalive_intvl:-10}
  export OMPI_MCA_oob_tcp_keepalive_probes=${OMPI_MCA_oob_tcp_keepalive_probes:-3}
  if [ -z "${MPI_LAUNCHER:-}" ]; then
    partita_launcher=(srun --mpi=pmix --cpu-bind=cores --kill-on-bad-exit=1)
  else
    read -r -a partita_launcher <<<"$MPI_LAUNCHER"
  fi
  case $(basename "${partita_launcher[0]}") in
    srun)
      # Slurm 22.05's PMIx tree fence can release one node before another has left the
      # modex; Open MPI 4.1 ranks there then finish MPI_Init and send to a rank that has
      # no PML yet, which crashes it (about 1 start in 6 on 4 nodes). The ring fence
      # releases in order (a setting a user exported wins).
      export SLURM_PMIX_FENCE=${SLURM_PMIX_FENCE:-ring} ;;
    mpirun | mpiexec | orterun)
      # Open MPI reads the task count from the allocation; a hybrid job needs each
      # rank mapped onto its SLURM_CPUS_PER_TASK cores.
      if [[ " $MPI_LAUNCHER " != *" --map-by "* ]] && [ "$PARTITA_CPUS" -gt 1 ]; then
        partita_launcher+=(--map-by "slot:PE=$PARTITA_CPUS" --bind-to core)
      fi
      # On a node with an OpenCL platform, hwloc's OpenCL plugin loads it into mpirun;
      # POCL's LLVM then takes SIGUSR1 and mpirun no longer forwards it to the ranks.
      case ,${HWLOC_COMPONENTS:-}, in
        *,-opencl,*) ;;
        *) export HWLOC_COMPONENTS=${HWLOC_COMPONENTS:+$HWLOC_COMPONENTS,}-opencl ;;
      esac ;;
  esac
}

# The run's directory: RUN_DIR if set, else SUBMIT_DIR/JOBNAME-JOBID, or for an array
# SUBMIT_DIR/JOBNAME-ARRAYJOBID/task-N.
partita_run_dir() {
  if [ -z "${RUN_DIR:-}" ]; then
    local base=${SLURM_SUBMIT_DIR:-$PWD}/${SLURM_JOB_NAME:-partita}
    if [ -n "${SLURM_ARRAY_JOB_ID:-}" ]; then
      RUN_DIR="$base-$SLURM_ARRAY_JOB_ID/task-$SLURM_ARRAY_TASK_ID"
    else
      RUN_DIR="$base-${SLURM_JOB_ID:-$$}"
    fi
  fi
  mkdir -p "$RUN_DIR" || partita_die "cannot create the run directory $RUN_DIR"
  RUN_DIR=$(cd "$RUN_DIR" && pwd)
  export RUN_DIR
}

# The job log's record of where, with what and how the run went. A subshell without
# errexit: a missing tool only leaves its line out.
partita_log_env() (
  set +e
  echo "=== Partita job ${SLURM_JOB_ID:-(no job)} (${SLURM_JOB_NAME:-}) started $(date -Is)"
  echo "nodes ${SLURM_JOB_NUM_NODES:-1} (${SLURM_JOB_NODELIST:-$(hostname)}), tasks ${SLURM_NTASKS:-1}," \
    "cpus per task $PARTITA_CPUS, GPUs ${SLURM_GPUS_PER_TASK:-${SLURM_GPUS_ON_NODE:-none}} per task/node," \
    "partition ${SLURM_JOB_PARTITION:-}, account ${SLURM_JOB_ACCOUNT:-}"
  echo "submit dir ${SLURM_SUBMIT_DIR:-$PWD}; run dir $RUN_DIR"
  echo "app $PARTITA_APP: $("$PARTITA_APP" --version 2>&1 | head -n 1)"
  echo "launcher: ${partita_launcher[*]}"
  echo "--- versions"
  srun --version 2>&1 | head -n 1
  { mpirun --version 2>/dev/null || echo "mpirun: not found"; } | head -n 1
  ldd "$PARTITA_APP" 2>/dev/null | grep -E 'lib(mpi|hdf5|petsc|cudart|gomp|omp)[._-]' | sed 's/^[[:space:]]*/  /'
  echo "kernel $(uname -r), $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //')"
  if command -v module >/dev/null 2>&1; then
    echo "--- modules"
    module list 2>&1
  fi
  echo "--- environment"
  env | grep -E '^(SLURM|SRUN|SBATCH|OMP|OMPI|PMIX|UCX|CUDA|MPI_LAUNCHER|PARTITA|RUN_DIR)[A-Z_]*=' | sort
  echo "==="
)

partita_setup() {
  PARTITA_APP=$(partita_find_app "$1")
  partita_threads
  partita_set_launcher
  partita_run_dir
  partita_log_env
}

# Signals for the run (Slurm's --signal=B:USR1@T, SIGTERM at the limit) go to the
# launcher, which forwards them to every rank (srun and Open MPI's mpirun both do); the
# app then checkpoints and exits 3. The traps are set as soon as this file is sourced,
# so an early signal never kills the batch shell: one that comes before the run starts
# is kept for it, and none reaches the run in its first PARTITA_SIGNAL_GRACE seconds
# (default 10), before the app has installed its handlers (Slurm may send --signal up
# to a minute early).
PARTITA_SIGNAL_GRACE=${PARTITA_SIGNAL_GRACE:-10}
partita_pid=
partita_pending=
partita_forward() {
  echo "partita-job: $(date -Is): got SIG$1"
  if [ -z "$partita_pid" ]; then
    partita_pending=$1
    return 0
  fi
  local age=$((SECONDS - partita_started))
  [ "$age" -ge "$PARTITA_SIGNAL_GRACE" ] || sleep $((PARTITA_SIGNAL_GRACE - age))
  echo "partita-job: $(date -Is): forwarding SIG$1 to the run"
  kill -s "$1" "$partita_pid" 2>/dev/null || true
}
trap 'partita_forward USR1' USR1
trap 'partita_forward TERM' TERM

partita_run() {
  local rc=0 sig
  echo "+ ${partita_launcher[*]} $PARTITA_APP $*"
  # In the background, so the shell runs a trap at once instead of after the run.
  "${partita_launcher[@]}" "$PARTITA_APP" "$@" &
  partita_pid=$!
  partita_started=$SECONDS
  if [ -n "$partita_pending" ]; then
    sig=$partita_pending
    partita_pending=
    partita_forward "$sig"
  fi
  # wait returns early (status > 128) whenever a trapped signal arrives; wait again
  # until the launcher itself has exited, then collect its status.
  while kill -0 "$partita_pid" 2>/dev/null; do wait "$partita_pid" || true; done
  wait "$partita_pid" || rc=$?
  partita_pid=
  echo "partita-job: $(date -Is): $(basename "$PARTITA_APP") exited with code $rc"
  return "$rc"
}

partita_time_left() {
  local left d=0 h=0 m=0 s=0 f
  left=$(squeue -h -j "$SLURM_JOB_ID" -o %L 2>/dev/null) || return 1
  case $left in '' | UNLIMITED | NOT_SET | INVALID) return 1 ;; esac
  if [[ $left == *-* ]]; then d=${left%%-*}; left=${left#*-}; fi
  IFS=: read -r -a f <<<"$left"
  case ${#f[@]} in
    3) h=${f[0]} m=${f[1]} s=${f[2]} ;;
    2) m=${f[0]} s=${f[1]} ;;
    *) s=${f[0]} ;;
  esac
  echo $(( ((10#$d * 24 + 10#$h) * 60 + 10#$m) * 60 + 10#$s ))
}
