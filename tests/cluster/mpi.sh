#!/bin/bash
# shellcheck source-path=SCRIPTDIR
# Past one host: 4 simulated hosts x 2 ranks (tests/cluster/cluster.sh), Open MPI's rsh
# launcher and TCP only. partita-heat 2D and 3D on every halo back-end give the 1-rank
# field byte for byte; partita-nbody on every strategy is within 1e-12 of its 1-rank run;
# a checkpoint written on 4 hosts restarts on 1 host and on 3, bitwise; the ranks really
# sit on 4 hosts (the run report's host names) and talk TCP (the BTL Open MPI selected,
# and a ping-pong latency far above shared memory's).
# shellcheck source=../common.sh
. "$(dirname "$0")/../common.sh"
# shellcheck source=cluster.sh
. "$(dirname "$0")/cluster.sh"
heat="$top_builddir/apps/heat/partita-heat"
nbody="$top_builddir/apps/nbody/partita-nbody"
cb="$top_builddir/apps/commbench/partita-commbench"
if [ ! -x "$heat" ] || [ ! -x "$nbody" ]; then echo "SKIP: the apps are not built"; exit 77; fi
[ -n "${H5DIFF:-}" ] || { echo "SKIP: h5diff not found"; exit 77; }
trap 'cluster_down; rm -rf "$PT_TMP"' EXIT
cluster_start 4
echo "cluster: ${CLUSTER_HOSTS[*]} on $CLUSTER_NET.0/24"

# on_hosts SECONDS NP ARGS...: mpirun across the cluster under a time limit.
on_hosts() {
  local t=$1 np=$2
  shift 2
  timeout -k 10 $((t + 20)) mpirun --timeout "$t" --hostfile "$CLUSTER_HOSTFILE" -n "$np" "$@"
}

# TCP between hosts: what Open MPI selected, and what a message costs.
on_hosts 60 2 --map-by node --mca btl_base_verbose 100 "$cb" --set commbench.tests=pingpong \
  --set commbench.max_size=8 --set commbench.iterations=200 --set commbench.trials=2 \
  --report "$PT_TMP/cb.json" >"$PT_TMP/cb.log" 2>&1 || { tail -20 "$PT_TMP/cb.log"; fail "commbench across 2 hosts failed"; }
grep -q "btl: tcp" "$PT_TMP/cb.log" || grep -qi "select.*tcp\|tcp.*select" "$PT_TMP/cb.log" ||
  { grep -i btl "$PT_TMP/cb.log" | head; fail "no sign that Open MPI selected the TCP BTL"; }
! grep -q "btl:vader\|btl: vader.*select" "$PT_TMP/cb.log" || fail "shared memory (vader) was used across hosts"
lat=$("$PT_PYTHON" -c 'import json, sys
d = json.load(open(sys.argv[1]))
rows = [b for b in d["benchmarks"] if b["name"] == "pingpong"][0]["rows"]
print("%.2f" % min(r["min"] for r in rows))' "$PT_TMP/cb.json") ||
  fail "no ping-pong latency in the report"
awk -v l="$lat" 'BEGIN { exit !(l > 2) }' || fail "ping-pong latency $lat us across hosts: that is shared memory, not TCP"
echo "ok: TCP between hosts (ping-pong latency $lat us; shared memory is about 0.4 us)"

# partita-heat: every halo back-end, 2D and 3D, 8 ranks on 4 hosts vs 1 rank.
small2="--set grid.nx=64 --set grid.ny=48 --set time.steps=40 --set output.every=0"
small3="--set grid.nx=20 --set grid.ny=16 --set grid.nz=12 --set time.steps=20 --set output.every=0"
for dim in 2 3; do
  if [ $dim = 2 ]; then small=$small2 steps=40; else small=$small3 steps=20; fi
  # shellcheck disable=SC2086
  mpirun_t 60 1 "$heat" "$top_srcdir/input/heat${dim}d.ini" -q $small --output "$PT_TMP/h$dim-ref" ||
    fail "heat ${dim}D on 1 rank failed"
  for halo in p2p neighbor rma rma-pscw; do
    d="$PT_TMP/h$dim-$halo"
    # shellcheck disable=SC2086
    on_hosts 120 8 "$heat" "$top_srcdir/input/heat${dim}d.ini" -q $small --set run.halo=$halo --output "$d" \
      --report "$d/run.json" >"$d.log" 2>&1 || { cat "$d.log"; fail "heat ${dim}D $halo on 4 hosts failed"; }
    "$H5DIFF" -q "$PT_TMP/h$dim-ref/heat.h5" "$d/heat.h5" "/data/$steps/meshes/temperature" \
      "/data/$steps/meshes/temperature" || fail "heat ${dim}D $halo: 4 hosts x 2 ranks differ from 1 rank"
  done
done
hosts=$("$PT_PYTHON" -c 'import json, sys; print(json.load(open(sys.argv[1]))["run"]["hosts"])' "$PT_TMP/h2-p2p/run.json")
[ "$(echo "$hosts" | tr ',' '\n' | sort -u | wc -l)" -eq 4 ] || fail "the ranks ran on hosts '$hosts', not on 4"
echo "ok: heat 2D and 3D, 4 halo back-ends, 4 hosts x 2 ranks = 1 rank bitwise (hosts: $hosts)"

# partita-nbody: every strategy within 1e-12 of the 1-rank run.
nb="--set nbody.n=96 --set time.steps=10 --set output.every=10"
# shellcheck disable=SC2086
mpirun_t 60 1 "$nbody" "$top_srcdir/input/nbody-plummer.ini" -q $nb --output "$PT_TMP/nb-ref" || fail "nbody on 1 rank failed"
for strategy in allgather ring rma; do
  d="$PT_TMP/nb-$strategy"
  # shellcheck disable=SC2086
  on_hosts 120 8 "$nbody" "$top_srcdir/input/nbody-plummer.ini" -q $nb --set nbody.strategy=$strategy \
    --output "$d" >"$d.log" 2>&1 || { cat "$d.log"; fail "nbody $strategy on 4 hosts failed"; }
  "$H5DIFF" -q -d 1e-12 --exclude-path /data/10/particles/bodies/particlePatches "$PT_TMP/nb-ref/nbody.h5" \
    "$d/nbody.h5" /data/10/particles/bodies /data/10/particles/bodies ||
    fail "nbody $strategy: 4 hosts x 2 ranks differ from 1 rank by more than 1e-12"
done
echo "ok: nbody allgather, ring, rma on 4 hosts x 2 ranks within 1e-12 of 1 rank"

# A checkpoint written on 4 hosts continues on 1 host and on 3, bitwise.
long="--set grid.nx=64 --set grid.ny=48 --set time.steps=60 --set output.every=0"
# shellcheck disable=SC2086
mpirun_t 60 1 "$heat" "$top_srcdir/input/heat2d.ini" -q $long --output "$PT_TMP/r-ref" || fail "reference run failed"
for n_hosts in 1 3; do
  d="$PT_TMP/r$n_hosts"
  # shellcheck disable=SC2086
  on_hosts 120 8 "$heat" "$top_srcdir/input/heat2d.ini" -q $long --set time.steps=30 \
    --set output.checkpoint_every=30 --output "$d" >"$d.log" 2>&1 || { cat "$d.log"; fail "checkpoint run on 4 hosts failed"; }
  head -n "$n_hosts" "$CLUSTER_HOSTFILE" >"$d.hosts"
  # shellcheck disable=SC2086
  timeout -k 10 140 mpirun --timeout 120 --hostfile "$d.hosts" -n $((2 * n_hosts)) "$heat" "$top_srcdir/input/heat2d.ini" \
    -q $long --restart latest --output "$d" >"$d.log2" 2>&1 || { cat "$d.log2"; fail "restart on $n_hosts host(s) failed"; }
  "$H5DIFF" -q "$PT_TMP/r-ref/heat.h5" "$d/heat.h5" /data/60/meshes/temperature /data/60/meshes/temperature ||
    fail "restart on $n_hosts host(s) of a 4-host checkpoint differs from the uninterrupted run"
done
echo "ok: a 4-host checkpoint restarts on 1 host (2 ranks) and 3 hosts (6 ranks) bitwise"
