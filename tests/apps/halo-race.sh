#!/bin/sh
# Race hunt in the halo back-ends and the other one-sided paths: runs repeated many times,
# every result compared exactly with what one rank computes.
#  1. halo_race: every back-end x 1-6 ranks x 2D and 3D x periodic and walled axes, 10
#     launches for the one-sided back-ends and 3 for the two-sided ones, every ghost of
#     every round checked; then 3D faces of 64 x 64 cells (strided puts past the eager
#     size) for the one-sided back-ends at 2-6 ranks, 10 launches at 3 and 5 ranks.
#  2. partita-heat 3D at 3 ranks, every back-end, the last field byte for byte (h5diff)
#     against 1 rank: 10 runs for the one-sided back-ends.
#  3. partita-nbody's rma strategy at 3 and 5 ranks: 10 runs, the last positions and
#     velocities byte for byte the same in every run.
#  4. Where Open MPI's osc/ucx exists, run.halo = rma on it is refused (exit 1, one line
#     naming run.halo and osc/ucx) instead of running with late ghosts.
. "$(dirname "$0")/../common.sh"
race="$top_builddir/tests/apps/halo_race"
heat="$top_builddir/apps/heat/partita-heat"
nbody="$top_builddir/apps/nbody/partita-nbody"
[ -n "$H5DIFF" ] || { echo "h5diff not found: skipped"; exit 77; }
launches=0

race() { # NP KIND REPS ROUNDS SPEC...
  np=$1 kind=$2 reps=$3 rounds=$4; shift 4
  i=1
  while [ "$i" -le "$reps" ]; do
    log="$PT_TMP/race.log"
    mpirun_t 120 "$np" --quiet "$race" "$kind" "$rounds" "$@" >"$log" 2>&1 ||
      { cat "$log"; fail "halo_race $kind on $np ranks, launch $i of $reps: $*"; }
    launches=$((launches + 1))
    i=$((i + 1))
  done
}

# 1a. The matrix: odd and even sizes, walls, periodic axes (1 or 2 ranks along a periodic
# axis make a rank its own or both-sides neighbour), mixed faces.
small="25x23:00 24x24:11 13x11x17:000 12x12x12:111 16x14x18:001"
for np in 1 2 3 4 5 6; do
  for kind in p2p neighbor; do race "$np" "$kind" 3 30 $small; done
  for kind in rma rma-pscw; do race "$np" "$kind" 10 30 $small; done
done
echo "ok: halo_race matrix, 4 back-ends x 1-6 ranks x 5 grids ($launches launches)"

# 1b. Large strided faces: the puts go through the MPI's long-message path.
n0=$launches
for np in 2 3 4 5 6; do
  reps=3
  [ "$np" = 3 ] || [ "$np" = 5 ] && reps=10
  for kind in rma rma-pscw; do race "$np" "$kind" "$reps" 60 64x64x64:000 64x64x64:001; done
done
echo "ok: halo_race 64^3 faces, rma and rma-pscw at 2-6 ranks ($((launches - n0)) launches)"

# 2. partita-heat, the field a user gets.
deck="$top_srcdir/input/heat3d.ini"
heat_run() { # DIR NP ARGS...
  d=$1 np=$2; shift 2
  rm -rf "$d" && mkdir -p "$d"
  mpirun_t 120 "$np" --quiet "$heat" "$deck" -q --output "$d" "$@" >"$d/log" 2>&1 ||
    { cat "$d/log"; fail "partita-heat on $np ranks failed: $*"; }
}
heat_run "$PT_TMP/heat-ref" 1
last=/data/600/meshes/temperature
for halo in p2p neighbor rma rma-pscw; do
  reps=3
  case $halo in rma*) reps=10 ;; esac
  i=1
  while [ "$i" -le "$reps" ]; do
    d="$PT_TMP/heat-$halo"
    heat_run "$d" 3 --set run.halo="$halo"
    "$H5DIFF" "$PT_TMP/heat-ref/heat.h5" "$d/heat.h5" "$last" "$last" >"$d/diff" 2>&1 ||
      { head -n 20 "$d/diff"; fail "partita-heat 3D, 3 ranks, $halo, run $i of $reps: field differs from 1 rank"; }
    i=$((i + 1))
  done
done
echo "ok: partita-heat 3D 64^3 on 3 ranks identical to 1 rank (3 runs p2p/neighbor, 10 rma/rma-pscw)"

# 3. partita-nbody rma: one-sided gets of every block, run to run.
ndeck="$top_srcdir/input/nbody-plummer.ini"
for np in 3 5; do
  i=1
  while [ "$i" -le 10 ]; do
    d="$PT_TMP/nbody-$np-$i"
    mkdir -p "$d"
    mpirun_t 120 "$np" --quiet "$nbody" "$ndeck" -q --output "$d" --set nbody.n=600 \
      --set time.steps=20 --set output.every=20 --set nbody.strategy=rma >"$d/log" 2>&1 ||
      { cat "$d/log"; fail "partita-nbody rma on $np ranks failed"; }
    if [ "$i" -gt 1 ]; then
      for rec in position velocity; do
        for c in x y z; do
          p="/data/20/particles/bodies/$rec/$c"
          "$H5DIFF" "$PT_TMP/nbody-$np-1/nbody.h5" "$d/nbody.h5" "$p" "$p" >"$d/diff" 2>&1 ||
            { head -n 20 "$d/diff"; fail "partita-nbody rma, $np ranks: run $i differs from run 1 in $rec/$c"; }
        done
      done
      rm -rf "$d"
    fi
    i=$((i + 1))
  done
done
echo "ok: partita-nbody rma on 3 and 5 ranks, 10 runs each, identical"

# 4. The refused combination.
if command -v ompi_info >/dev/null && ompi_info 2>/dev/null | grep -q "MCA osc: ucx"; then
  d="$PT_TMP/ucx" && mkdir -p "$d"
  OMPI_MCA_osc=ucx mpirun_t 60 3 --quiet "$heat" "$deck" -q --output "$d" --set run.halo=rma \
    >"$d/log" 2>&1 && { cat "$d/log"; fail "run.halo = rma ran on osc/ucx"; }
  rc=$?
  [ "$rc" = 1 ] || { cat "$d/log"; fail "run.halo = rma on osc/ucx: exit $rc, expected 1"; }
  [ "$(grep -c "run.halo: halo back-end 'rma' refused: Open MPI's osc/ucx serves the window" "$d/log")" = 1 ] &&
    grep -qF "choose rma-pscw or p2p, or let osc/pt2pt serve one-sided windows (OMPI_MCA_osc=^rdma,ucx)" "$d/log" ||
    { cat "$d/log"; fail "run.halo = rma on osc/ucx: expected one line naming run.halo and osc/ucx, and the way out"; }
  [ ! -e "$d/heat.h5" ] || fail "run.halo = rma on osc/ucx wrote output"
  OMPI_MCA_osc=ucx mpirun_t 60 3 --quiet "$heat" "$deck" -q --output "$d" --set run.halo=rma-pscw \
    --set time.steps=20 >"$d/log" 2>&1 || { cat "$d/log"; fail "run.halo = rma-pscw on osc/ucx failed"; }
  echo "ok: run.halo = rma refused on osc/ucx (exit 1, one line); rma-pscw runs there"
else
  echo "ok: no osc/ucx in this MPI: nothing to refuse"
fi
