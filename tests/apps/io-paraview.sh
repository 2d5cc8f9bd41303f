#!/bin/sh
# ParaView opens the XDMF sidecar as a time series (pvbatch on a private Xvfb): checks the
# steps, the mesh's bounds and orientation, the arrays, and renders a PNG.
. "$(dirname "$0")/../common.sh"
drv="$top_builddir/tests/apps/io_driver"
command -v pvbatch >/dev/null 2>&1 && command -v Xvfb >/dev/null 2>&1 ||
  { echo "pvbatch or Xvfb not installed: skipped"; exit 77; }

for shape in "20 14" "12 10 8"; do
  set -- $shape
  d="$PT_TMP/run$#"; mkdir -p "$d"
  sets="--set driver.nx=$1 --set driver.ny=$2"
  [ $# -eq 3 ] && sets="$sets --set driver.nz=$3"
  mpirun_t 60 2 "$drv" --output "$d" $sets --set driver.steps=2 --set driver.output_every=1 \
    --set driver.particles=40 >"$d/log" 2>&1 || { cat "$d/log"; fail "io_driver failed"; }
  # The sidecar by a path relative to the working directory, as users give it.
  (cd "$PT_TMP" && pv_run "$d/pv.log" "$top_srcdir/tests/apps/io_pvbatch.py" "run$#/io_driver.xmf" "$d/view.png" $shape)
  rc=$?
  # No usable X display is the machine's problem, not the file's: report it as skipped.
  [ "$rc" -ne 77 ] || { cat "$d/pv.log"; echo "no usable X display for pvbatch: skipped"; exit 77; }
  cat "$d/pv.log"
  [ "$rc" -eq 0 ] || fail "pvbatch check failed (exit $rc)"
  [ "$(head -c 4 "$d/view.png" | tail -c 3)" = PNG ] || fail "pvbatch wrote no PNG"
  [ "$(wc -c <"$d/view.png")" -gt 3000 ] || fail "the rendered PNG is suspiciously small"
done
