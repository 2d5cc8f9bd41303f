#!/bin/bash
# shellcheck source-path=SCRIPTDIR
# Every app launched directly with mpirun at 1, 2 and 4 ranks, with the mapping and
# binding options users pass (--map-by core/socket/slot, --bind-to core/none,
# --report-bindings, --oversubscribe, a hybrid --map-by slot:PE=2 with -x
# OMP_NUM_THREADS for the threaded heat solver): each run exits 0, reports its rank
# count, is bound as asked, and heat and n-body results are bitwise the same at every
# rank and thread count (the apps' invariance, docs/verification.md).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# shellcheck source=../common.sh
. "$(dirname "$0")/../common.sh"

cores=$(env -u OMP_NUM_THREADS -u OMP_THREAD_LIMIT nproc)  # nproc obeys OMP_NUM_THREADS
[ "$cores" -ge 2 ] || { echo "SKIP: binding two ranks to cores needs 2 cores"; exit 77; }
heat="$top_builddir/apps/heat/partita-heat"
nbody="$top_builddir/apps/nbody/partita-nbody"
bench="$top_builddir/apps/commbench/partita-commbench"

# The launches: ranks, mpirun options, and what --report-bindings must say of rank 0 (a
# regular expression; two cores out of two are "all available processors").
declare -A np opts expect
np[np1]=1 opts[np1]="--map-by core --bind-to core" expect[np1]="bound to socket"
np[np2]=2 opts[np2]="--map-by socket --bind-to core" expect[np2]="bound to socket"
np[np4]=4 opts[np4]="--oversubscribe --map-by slot --bind-to none" expect[np4]="is not bound"
np[hybrid]=1 opts[hybrid]="--map-by slot:PE=2 --bind-to core -x OMP_NUM_THREADS=2"
expect[hybrid]="(bound to socket .*, socket|is not bound \(or bound to all available)"

# launch APP EXE "LAUNCH..." ARGS...: APP run by each named launch with ARGS, each in
# $PT_TMP/APP-LAUNCH.
launch() {
  local app=$1 exe=$2 names=$3 name d; shift 3
  for name in $names; do
    d="$PT_TMP/$app-$name"; mkdir -p "$d"
    # shellcheck disable=SC2086  # a list of options
    mpirun_t 120 "${np[$name]}" --report-bindings ${opts[$name]} "$exe" "$@" --output "$d" \
      --report "$d/report.json" -q >"$d/log" 2>&1 || { cat "$d/log"; fail "$app $name: mpirun ${opts[$name]} failed"; }
    grep -Eq "MCW rank 0 ${expect[$name]}" "$d/log" ||
      { cat "$d/log"; fail "$app $name: --report-bindings does not say '${expect[$name]}'"; }
    [ "$(report_get "$d/report.json" run.mpi_ranks)" = "${np[$name]}" ] || fail "$app $name: report lacks ${np[$name]} ranks"
  done
  echo "ok: $app launched by mpirun: $names"
}

report_get() {
  "$PT_PYTHON" -c 'import json, sys
v = json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."):
    v = v[k]
print(v)' "$1" "$2"
}

# same APP FILE "LAUNCH..." DATASET...: the datasets are bitwise those of launch np1.
same() {
  local app=$1 file=$2 names=$3 name ds; shift 3
  for name in $names; do
    for ds in "$@"; do
      "$H5DIFF" "$PT_TMP/$app-np1/$file" "$PT_TMP/$app-$name/$file" "$ds" "$ds" ||
        fail "$app: $ds differs between np1 and $name"
    done
  done
}

[ -x "$heat" ] || fail "partita-heat is not built"
launch heat "$heat" "np1 np2 np4 hybrid" "$top_srcdir/input/heat2d.ini" --set grid.nx=40 \
  --set grid.ny=36 --set time.steps=50 --set output.every=0
[ "$(report_get "$PT_TMP/heat-hybrid/report.json" run.omp_threads)" = 2 ] ||
  fail "heat hybrid: -x OMP_NUM_THREADS=2 did not give 2 threads"
same heat heat.h5 "np2 np4 hybrid" /data/50/meshes/temperature

if [ -x "$nbody" ]; then
  launch nbody "$nbody" "np1 np2 np4" "$top_srcdir/input/nbody-plummer.ini" --set nbody.n=96 \
    --set time.steps=10 --set output.every=10
  same nbody nbody.h5 "np2 np4" /data/10/particles/bodies/position/x /data/10/particles/bodies/velocity/z
else
  echo "note: partita-nbody is not built"
fi

if [ -x "$bench" ]; then
  launch commbench "$bench" "np1 np2 np4" "$top_srcdir/input/commbench.ini" \
    --set "commbench.tests=pingpong allreduce halo" --set commbench.max_size=1024 \
    --set commbench.coll_max_size=1024 --set commbench.trials=1 --set commbench.iterations=10 \
    --set commbench.halo_backends=p2p --set commbench.halo_dims=2 --set commbench.halo_n2d=32 \
    --set commbench.halo_iterations=5
else
  echo "note: partita-commbench is not built"
fi
