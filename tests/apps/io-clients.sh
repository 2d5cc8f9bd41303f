#!/bin/sh
# Output files read with the tools users have: h5dump lists the openPMD layout and
# reads the data; an h5py script checks every required attribute and the values.
. "$(dirname "$0")/../common.sh"
drv="$top_builddir/tests/apps/io_driver"
[ -n "${H5DUMP:-}" ] || { echo "h5dump not found: skipped"; exit 77; }

for shape in "20 14" "12 10 8"; do
  set -- $shape
  d="$PT_TMP/run$#"; mkdir -p "$d"
  sets="--set driver.nx=$1 --set driver.ny=$2"
  [ $# -eq 3 ] && sets="$sets --set driver.nz=$3"
  mpirun_t 60 2 "$drv" --output "$d" $sets --set driver.steps=2 --set driver.output_every=1 \
    --set driver.particles=40 >"$d/log" 2>&1 || { cat "$d/log"; fail "io_driver failed"; }
  f="$d/io_driver.h5"

  "$H5DUMP" -H "$f" >"$d/header" 2>&1 || { cat "$d/header"; fail "h5dump -H cannot read $f"; }
  for a in openPMD openPMDextension basePath meshesPath particlesPath iterationEncoding \
           iterationFormat author software softwareVersion date inputDeck; do
    grep -q "ATTRIBUTE \"$a\"" "$d/header" || fail "h5dump: no root attribute $a"
  done
  grep -q "DATASET \"T\"" "$d/header" || fail "h5dump: no mesh record T"
  grep -q "DATASPACE  SIMPLE { ( $(echo "$shape" | sed 's/ /, /g') )" "$d/header" ||
    fail "h5dump: T does not have the shape $shape"
  "$H5DUMP" -d /data/2/meshes/T "$f" >"$d/data" 2>&1 || fail "h5dump cannot read the data of T"
  "$H5DUMP" -d /data/0/particles/stars/id "$f" | grep -q "(0): 0, 1, 2, 3," || fail "h5dump: ids not sorted"
  echo "ok: h5dump reads the $# D output"

  if [ -n "${PT_PYTHON:-}" ]; then
    "$PT_PYTHON" "$top_srcdir/tests/apps/io_check_openpmd.py" "$f" $shape || fail "h5py check failed"
  else
    echo "no Python with h5py: h5py check skipped"
  fi
done
