#!/bin/bash
# shellcheck source-path=SCRIPTDIR
# job-scripts/checkpoint-chain.sbatch on a real Slurm, with links of two minutes. Link 1
# is stopped by a USR1 sent to its batch shell (as --signal=B:USR1 does), which the
# script's trap forwards to the run; later links stop at their --max-walltime (the time
# left minus CHAIN_MARGIN) or at the USR1 of their own --signal, whichever comes first:
# Slurm's signal timing is coarse, so nothing here depends on which. Each stopped link
# checkpoints, exits 3 and hands over to the next (--dependency=afterany, --restart
# latest). Every link must end COMPLETED, the successor of the last link must be
# cancelled unrun, and the final field must be bitwise the one of an uninterrupted run.
# The chain runs across two nodes (simulated hosts, one rank each, TCP between them), so
# a link's checkpoint, written by ranks on two hosts, is what the next link reads.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# shellcheck source=../common.sh
. "$(dirname "$0")/../common.sh"
# shellcheck source=fixture.sh
. "$(dirname "$0")/fixture.sh"
heat="$top_builddir/apps/heat/partita-heat"
slurm_up heat 2

mkdir -p "$sub/ref" "$sub/cal"
grid=(--set grid.nx=1024 --set grid.ny=1024 --set output.every=0 --set output.diagnostics_every=0)

# As many steps as this machine does in about 12 s on 2 ranks (from the step time of a
# 100-step run, in its report), so link 1 is still running when the test signals it.
mpirun_t 120 2 "$heat" "$top_srcdir/input/heat2d.ini" "${grid[@]}" --set time.steps=100 \
  --output cal --report cal/report.json -q || fail "the calibration run failed"
steps=$(awk -v s="$(report_get cal/report.json results.seconds)" \
  'BEGIN { n = int(12 / (s / 100)); if (n < 1000) n = 1000; if (n > 200000) n = 200000; print n }')

# The uninterrupted run, timed: each link gets a third of its length. A calibration
# slowed by a loaded machine gives too few steps for link 1 to be running when the test
# signals it: then the run is lengthened to about 12 s and timed again.
for _ in 1 2 3; do
  work=("${grid[@]}" --set time.steps="$steps")
  rm -rf ref && mkdir ref
  t0=$SECONDS
  mpirun_t 300 2 "$heat" "$top_srcdir/input/heat2d.ini" "${work[@]}" --output ref -q ||
    fail "the uninterrupted run failed"
  t_ref=$((SECONDS - t0))
  [ "$t_ref" -ge 6 ] && break
  steps=$(awk -v n="$steps" -v t="$t_ref" 'BEGIN { if (t < 1) t = 1; m = int(n * 12 / t); if (m > 400000) m = 400000; print m }')
done
budget=$((t_ref / 3)); [ $budget -ge 8 ] || budget=8; [ $budget -le 40 ] || budget=40
echo "uninterrupted run: $steps steps in ${t_ref}s; each link gets about ${budget}s"

# Links of 2 minutes with USR1 30 s before the end, which Slurm may send up to a minute
# early; a link measures the time left after its set-up (105-119 s) and runs for that
# minus CHAIN_MARGIN: the budget or a little more. SBATCH_SIGNAL reaches later links
# too (they are submitted from inside the job, with this environment). The app is up
# once it prints its banner, so the test's own USR1 needs no grace period.
export SBATCH_SIGNAL=B:USR1@30
first=$(slurm_submit --time=2 --nodes=2 --ntasks-per-node=1 \
  --export="ALL,CHAIN_MARGIN=$((105 - budget)),CHAIN_MAX_LINKS=8,PARTITA_SIGNAL_GRACE=0" \
  "$top_srcdir/job-scripts/checkpoint-chain.sbatch" "${work[@]}")
i=0
until grep -q '^partita-heat: 2D grid' "heat-chain-$first.out" 2>/dev/null; do
  i=$((i + 1)); [ $i -le 600 ] || fail "link 1 did not start its run within 60 s"; sleep 0.1
done
sleep 2 # some steps first
scancel --batch --signal=USR1 "$first" || fail "scancel --batch --signal=USR1 failed"

# Follow the chain link by link: each log names the next link's job.
links=() id=$first
while [ -n "$id" ]; do
  slurm_wait "$id" 150
  links+=("$id")
  log="heat-chain-$id.out"
  [ -f "$log" ] || fail "link $id left no log"
  grep -v '^[A-Z_]*=' "$log" # the environment block is checked below
  slurm_expect_completed "$id"
  if grep -q '^chain: run finished in link' "$log"; then
    last_next=$(sed -n 's/^chain: link [0-9]* is job \([0-9]*\) .*/\1/p' "$log")
    break
  fi
  expect_log "$log" 'exited with code 3$' '^chain: checkpointed in link [0-9]*; job [0-9]* continues$'
  id=$(sed -n 's/^chain: checkpointed in link [0-9]*; job \([0-9]*\) continues$/\1/p' "$log")
  [ ${#links[@]} -lt 8 ] || fail "the chain did not finish in 8 links"
done
n=${#links[@]}
echo "chain: $n links (${links[*]})"
[ "$n" -ge 2 ] || fail "the run was never interrupted"
expect_log "heat-chain-$first.out" '^SBATCH_SIGNAL=B:USR1@30$' '--max-walltime [0-9]+ ' \
  '^chain: link 1 of at most 8, run directory ' 'got SIGUSR1$' 'forwarding SIGUSR1 to the run$' \
  'stopped by SIGUSR1 at step'
expect_log "heat-chain-${links[n - 1]}.out" '--restart latest' "^chain: link $n of at most 8"
grep -hE 'stopped by (SIGUSR1|SIGTERM|the wall-time limit)' heat-chain-*.out | sed 's/^/  /'
if [ -n "${last_next:-}" ]; then
  [ "$(slurm_job_field "$last_next" JobState)" = CANCELLED ] || fail "job $last_next after the last link was not cancelled"
  [ ! -e "heat-chain-$last_next.out" ] || fail "job $last_next after the last link ran"
fi

run="heat-chain-$first"
expect_dataset "$run/heat.h5" "/data/$steps/meshes/temperature"
"$H5DIFF" ref/heat.h5 "$run/heat.h5" "/data/$steps/meshes/temperature" "/data/$steps/meshes/temperature" ||
  fail "the chained run's final field differs from the uninterrupted run's"
[ "$(report_get "$run/report-link$n.json" results.steps)" = "$steps" ] || fail "the last link's report is not at step $steps"
echo "ok: checkpoint-chain.sbatch: $n links, final field bitwise equal to the uninterrupted run"
