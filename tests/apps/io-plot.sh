#!/bin/sh
# tools/partita-plot renders grid records (2D, and a slice of 3D), particle sets, and
# every step with --all; bad requests fail with a message.
. "$(dirname "$0")/../common.sh"
drv="$top_builddir/tests/apps/io_driver"
plot="$top_srcdir/tools/partita-plot"
[ -n "${PT_PYTHON:-}" ] || { echo "no Python with h5py and matplotlib: skipped"; exit 77; }

is_png() { [ "$(head -c 4 "$1" | tail -c 3)" = PNG ] && [ "$(wc -c <"$1")" -gt 10000 ] || fail "$1 is not a plot"; }

d="$PT_TMP/run"; mkdir -p "$d"
mpirun_t 60 2 "$drv" --output "$d" --set driver.nx=12 --set driver.ny=10 --set driver.nz=8 \
  --set driver.steps=4 --set driver.output_every=2 >"$d/log" 2>&1 || { cat "$d/log"; fail "io_driver failed"; }
f="$d/io_driver.h5"
"$plot" "$f" -o "$PT_TMP/last.png" || fail "default plot failed"
is_png "$PT_TMP/last.png"
"$plot" "$f" --mesh T --step 2 --slice x=3 -o "$PT_TMP/slice.png" || fail "slice failed"
is_png "$PT_TMP/slice.png"
"$plot" "$f" --species stars -o "$PT_TMP/stars.png" || fail "particle plot failed"
is_png "$PT_TMP/stars.png"
"$plot" "$f" --all --outdir "$PT_TMP/frames" >"$PT_TMP/list" || fail "--all failed"
[ "$(ls "$PT_TMP/frames" | wc -l)" -eq 3 ] || fail "--all: expected 3 frames, got $(ls "$PT_TMP/frames")"
for p in "$PT_TMP"/frames/*.png; do is_png "$p"; done
if "$plot" "$f" --step 3 -o "$PT_TMP/x.png" 2>"$PT_TMP/err"; then fail "a missing step was accepted"; fi
grep -q "no step 3 (steps 0 to 4)" "$PT_TMP/err" || fail "missing step: $(cat "$PT_TMP/err")"
echo "ok: partita-plot renders meshes, slices, particles and every step"

# Labels follow the file's units: none for a run in code units, SI from [units].
heat="$top_builddir/apps/heat/partita-heat"
if [ -x "$heat" ]; then
  small="--set grid.nx=12 --set grid.ny=10 --set time.steps=2"
  mpirun_t 60 2 "$heat" "$top_srcdir/input/heat2d.ini" -q $small --output "$PT_TMP/code" || fail "code-unit heat run failed"
  mpirun_t 60 2 "$heat" "$top_srcdir/input/heat2d.ini" -q $small --output "$PT_TMP/si" --set "units.length=1 cm" \
    --set "units.time=1 ms" --set "units.temperature=1 K" || fail "SI heat run failed"
  "$plot" "$PT_TMP/code/heat.h5" -o "$PT_TMP/code.png" >"$PT_TMP/code.txt" || fail "code-unit plot failed"
  "$plot" "$PT_TMP/si/heat.h5" -o "$PT_TMP/si.png" >"$PT_TMP/si.txt" || fail "SI plot failed"
  grep -Eq "t = [0-9.e+-]+; horizontal [xyz], vertical [xyz], colour temperature$" "$PT_TMP/code.txt" ||
    fail "code units: the plot shows units: $(cat "$PT_TMP/code.txt")"
  grep -Eq "t = [0-9.e+-]+ s; horizontal [xyz] \[m\], vertical [xyz] \[m\], colour temperature \[K\]$" "$PT_TMP/si.txt" ||
    fail "SI units: the plot lacks them: $(cat "$PT_TMP/si.txt")"
  echo "ok: plot labels follow the file's units (code: none; SI: m, s, K)"
fi
