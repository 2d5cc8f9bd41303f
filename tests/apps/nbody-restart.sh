#!/bin/sh
# partita-nbody restart: a run checkpointed on 3 ranks and continued on 2 ends with the
# same bits as an uninterrupted 2-rank run (allgather and rma, whose forces do not
# depend on the rank count), and, for every strategy, as a fresh 2-rank run started
# from the same state. Compared with h5diff on the particle records of the final step.
. "$(dirname "$0")/../common.sh"
nb="$top_builddir/apps/nbody/partita-nbody"
[ -n "${H5DIFF:-}" ] || { echo "h5diff not found: skipped"; exit 77; }

# run NP DIR LOG ARGS...: status in $rc.
run() {
  np=$1; dir=$2; log=$3; shift 3
  mkdir -p "$dir"
  mpirun_t 60 "$np" "$nb" --output "$dir" --set nbody.eps=0.01 \
    --set time.dt=0.001 --set output.every=10 --set output.diagnostics_every=5 "$@" >"$log" 2>&1
  rc=$?
  [ "$rc" -eq 0 ] || { cat "$log"; fail "$log: exit $rc"; }
}
# same FILE_A STEP_A FILE_B STEP_B WHAT: position and velocity records equal bit for bit.
same() {
  for rec in position/x position/y position/z velocity/x velocity/y velocity/z mass id; do
    "$H5DIFF" "$1" "$3" "/data/$2/particles/bodies/$rec" "/data/$4/particles/bodies/$rec" \
      || fail "$5: $rec differs"
  done
}

for st in allgather ring rma; do
  d="$PT_TMP/$st"
  # Leg 1 on 3 ranks: 10 steps, a checkpoint at step 10 (and the bodies at step 10).
  run 3 "$d/a" "$d/a1.log" --set nbody.strategy=$st --set nbody.n=301 --set time.steps=10 \
    --set output.checkpoint_every=10
  # Leg 2 on 2 ranks: from the checkpoint to step 20.
  run 2 "$d/a" "$d/a2.log" --set nbody.strategy=$st --set nbody.n=301 --set time.steps=20 \
    --restart latest
  grep -q "restarting from .*partita-nbody-checkpoint.h5 at step 10" "$d/a2.log" \
    || { cat "$d/a2.log"; fail "$st: no restart message"; }
  # A fresh 2-rank run from the step-10 bodies, 10 steps.
  run 2 "$d/b" "$d/b.log" --set nbody.strategy=$st --set time.steps=10 \
    --set initial.type=file --set initial.file="$d/a/nbody.h5" --set initial.step=10
  same "$d/a/nbody.h5" 20 "$d/b/nbody.h5" 10 "$st: restart on 2 ranks vs a 2-rank run from the same state"
  echo "ok: $st restart 3 -> 2 ranks continues like a 2-rank run from the checkpointed state"
  if [ "$st" != ring ]; then
    run 2 "$d/ref" "$d/ref.log" --set nbody.strategy=$st --set nbody.n=301 --set time.steps=20
    same "$d/a/nbody.h5" 20 "$d/ref/nbody.h5" 20 "$st: restart 3 -> 2 ranks vs an uninterrupted 2-rank run"
    echo "ok: $st restart 3 -> 2 ranks is bitwise an uninterrupted 2-rank run"
  fi
done
