#!/bin/sh
# ParaView opens the XDMF sidecar as a time series (pvbatch under xvfb-run): checks the
# steps, the mesh's bounds and orientation, the arrays, and renders a PNG.
. "$(dirname "$0")/../common.sh"
drv="$top_builddir/tests/apps/io_driver"
command -v pvbatch >/dev/null 2>&1 && command -v xvfb-run >/dev/null 2>&1 ||
  { echo "pvbatch or xvfb-run not installed: skipped"; exit 77; }

for shape in "20 14" "12 10 8"; do
  set -- $shape
  d="$PT_TMP/run$#"; mkdir -p "$d"
  sets="--set driver.nx=$1 --set driver.ny=$2"
  [ $# -eq 3 ] && sets="$sets --set driver.nz=$3"
  mpirun_t 60 2 "$drv" --output "$d" $sets --set driver.steps=2 --set driver.output_every=1 \
    --set driver.particles=40 >"$d/log" 2>&1 || { cat "$d/log"; fail "io_driver failed"; }
  # The sidecar by a path relative to the working directory, as users give it.
  # xvfb-run -a can lose a race for a display number, or pvbatch can connect before a
  # loaded machine's Xvfb is ready ("bad X server connection"): retry that case only.
  for attempt in 1 2 3; do
    (cd "$PT_TMP" && timeout 120 xvfb-run -a -n $((100 + ($$ + attempt * 97) % 800)) pvbatch \
       "$top_srcdir/tests/apps/io_pvbatch.py" "run$#/io_driver.xmf" "$d/view.png" $shape) >"$d/pv.log" 2>&1
    rc=$?
    grep -q "bad X server connection" "$d/pv.log" || break
    echo "pvbatch could not reach Xvfb (attempt $attempt), retrying"
  done
  # No usable X display is the machine's problem, not the file's: report it as skipped.
  if grep -q "bad X server connection" "$d/pv.log"; then
    echo "no usable X display for pvbatch after 3 attempts: skipped"
    exit 77
  fi
  cat "$d/pv.log"
  [ "$rc" -eq 0 ] || fail "pvbatch check failed (exit $rc)"
  [ "$(head -c 4 "$d/view.png" | tail -c 3)" = PNG ] || fail "pvbatch wrote no PNG"
  [ "$(wc -c <"$d/view.png")" -gt 3000 ] || fail "the rendered PNG is suspiciously small"
done
