#!/bin/sh
# Several steps per exchange (run.time_block = k: ghosts k deep, k - 1 layers computed
# again beyond each face, the k steps as one wavefront of skewed tiles) change no bit:
# the field with k = 2, 3, 4 and auto is identical (h5diff, no tolerance) to k = 1 on 1
# rank, at 1, 2, 3, 4 and 6 ranks, every halo back-end, 1 and 2 threads (threads run
# tiles in a pipeline), tiles of the default width and narrow ones (many tiles on one
# thread), with and without overlap, odd and prime grids, 2D and 3D, Dirichlet, Neumann
# and periodic faces and a source term. Output falls inside blocks (every 7 steps, so
# blocks are cut short), and a restart at a step inside a block, on another rank count
# and another k, continues to the same bits.
. "$(dirname "$0")/../common.sh"
heat="$top_builddir/apps/heat/partita-heat"
[ -n "$H5DIFF" ] || { echo "h5diff not found: skipped"; exit 77; }

run() { # DIR NP THREADS ARGS...: one quiet run writing DIR/heat.h5
  d=$1 np=$2 th=$3; shift 3
  mkdir -p "$d"
  OMP_NUM_THREADS=$th mpirun_t 60 "$np" --quiet "$heat" -q --output "$d" "$@" >"$d/log" 2>&1 ||
    { cat "$d/log"; fail "run in $d failed"; }
}

same() { # REF DIR WHAT: every output step of REF equals DIR's
  for s in 7 14 21 29; do
    "$H5DIFF" "$1/heat.h5" "$2/heat.h5" "/data/$s/meshes/temperature" "/data/$s/meshes/temperature" \
      >"$2/diff" 2>&1 || { cat "$2/diff"; fail "$3: step $s differs from k = 1 on 1 rank"; }
  done
}

check() { # NAME ARGS...
  name=$1; shift
  ref="$PT_TMP/$name-ref"
  run "$ref" 1 1 "$@"
  i=0 runs=0
  for np in 1 2 3 4 6; do
    for k in 2 3 4 auto; do
      halo=$(echo p2p neighbor rma rma-pscw | cut -d' ' -f$((1 + i % 4)))
      tile=$(echo auto 7 11 | cut -d' ' -f$((1 + i % 3)))
      th=$((1 + i % 2)) ov=$([ $((i / 2 % 2)) -eq 0 ] && echo true || echo false)
      i=$((i + 1))
      d="$PT_TMP/$name-$np-$k"
      run "$d" "$np" "$th" "$@" --set run.time_block=$k --set run.halo=$halo --set run.overlap=$ov \
        --set run.time_tile=$tile
      same "$ref" "$d" "$name: $np ranks, k = $k, $halo, $th thread(s), tile $tile, overlap $ov"
      rm -rf "$d"
      runs=$((runs + 1))
    done
  done
  echo "ok: $name, $runs runs (k = 2, 3, 4, auto on 1-6 ranks, 4 back-ends) identical to k = 1"
}

steps="--set time.steps=29 --set output.every=7"
check heat2d "$top_srcdir/input/heat2d.ini" --set grid.nx=31 --set grid.ny=37 $steps \
  --set physics.source=0.5
check heat2d-periodic "$top_srcdir/input/heat2d.ini" --set grid.nx=29 --set grid.ny=23 $steps \
  --set boundary.x_lo=periodic --set boundary.x_hi=periodic --set boundary.y_lo=periodic \
  --set boundary.y_hi=periodic --set initial.type=gaussian
check heat3d "$top_srcdir/input/heat3d.ini" --set grid.nx=13 --set grid.ny=11 --set grid.nz=17 $steps

# A checkpoint at step 17 (inside a block of 3) on 3 ranks, restarted on 4 with k = 4.
deck="$top_srcdir/input/heat2d.ini"
grid="--set grid.nx=31 --set grid.ny=37 --set physics.source=0.5 --set output.every=7"
run "$PT_TMP/chain" 3 1 "$deck" $grid --set time.steps=17 --set output.checkpoint_every=17 \
  --set run.time_block=3
run "$PT_TMP/chain" 4 2 "$deck" $grid --set time.steps=29 --set run.time_block=4 --restart latest
for s in 21 29; do
  "$H5DIFF" "$PT_TMP/heat2d-ref/heat.h5" "$PT_TMP/chain/heat.h5" "/data/$s/meshes/temperature" \
    "/data/$s/meshes/temperature" >/dev/null || fail "restart at step 17 (k 3 -> 4, 3 -> 4 ranks): step $s differs"
done
echo "ok: checkpoint inside a block on 3 ranks (k = 3), restart on 4 ranks (k = 4): identical"
