#!/bin/bash
# shellcheck source-path=SCRIPTDIR
# job-scripts/sweep-array.sbatch on a real Slurm: a 3-task array throttled to one task
# at a time (%1, though the node could run two), each task one --set override: one run
# report and HDF5 series per task with its own value, one sweep.tsv line per task, no
# two tasks running at once; a task index beyond the value list fails with a message.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# shellcheck source=../common.sh
. "$(dirname "$0")/../common.sh"
# shellcheck source=fixture.sh
. "$(dirname "$0")/fixture.sh"
slurm_up heat

script="$top_srcdir/job-scripts/sweep-array.sbatch"
small=(--set grid.nx=32 --set grid.ny=32 --set time.steps=100 --set output.every=0)
values="0.5 1.5 4"
a=$(slurm_submit --array=0-2%1 --ntasks=1 --export="ALL,SWEEP_VALUES=$values" "$script" "${small[@]}")
bad=$(slurm_submit --array=3 --ntasks=1 --export="ALL,SWEEP_VALUES=$values" "$script" "${small[@]}")
[ "$(slurm_job_field "$a" ArrayTaskThrottle)" = 1 ] || { scontrol show job "$a"; fail "throttle %1 not set"; }
slurm_wait "$a" 150; slurm_wait "$bad" 60
slurm_expect_completed "$a"
read -r -a v <<<"$values"
spans=()
for t in 0 1 2; do
  log="heat-sweep-${a}_$t.out"
  cat "$log"
  expect_log "$log" "^sweep: task $t of array job $a: physics.alpha=${v[t]}\$" 'exited with code 0$'
  rep="heat-sweep-$a/task-$t/report.json"
  [ -f "$rep" ] || fail "task $t: no $rep"
  expect_dataset "heat-sweep-$a/task-$t/heat.h5" /data/100/meshes/temperature
  report_get "$rep" run.input_deck | grep -qx "alpha = ${v[t]}" || fail "task $t: the report's deck lacks alpha = ${v[t]}"
  # When the task ran: its log's start and end stamps, in seconds.
  s=$(date -d "$(sed -n 's/^=== Partita job .* started //p' "$log")" +%s)
  e=$(date -d "$(sed -n 's/^partita-job: \(.*\): partita-heat exited.*/\1/p' "$log")" +%s)
  spans+=("$s $e $t")
done
[ "$(wc -l <"heat-sweep-$a/sweep.tsv")" -eq 3 ] || { cat "heat-sweep-$a/sweep.tsv"; fail "sweep.tsv needs 3 lines"; }
awk -F'\t' '$3 != 0 { exit 1 }' "heat-sweep-$a/sweep.tsv" || fail "sweep.tsv records a failed task"
printf '%s\n' "${spans[@]}" | sort -n | awk 'NR > 1 && $1 < end { print "tasks " prev " and " $3 " overlap"; bad = 1 }
  { end = $2; prev = $3 } END { exit bad }' || fail "the %1 throttle was not respected"

[ "$(slurm_job_field "$bad" JobState)" = FAILED ] || fail "task 3 of a 3-value sweep did not fail"
expect_log "heat-sweep-${bad}_3.out" 'array task 3 but SWEEP_VALUES has 3 values'
echo "ok: sweep-array.sbatch: one report per task, throttled to %1, bad index refused"
