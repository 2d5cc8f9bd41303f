#!/bin/sh
# partita-nbody output: openPMD particles (species "bodies", sorted by id, same bytes
# on 1 and 3 ranks for the rank-count-independent strategies), the JSON run report with
# interactions/s and GFLOP/s, and the shipped decks running as-is (shortened).
. "$(dirname "$0")/../common.sh"
nb="$top_builddir/apps/nbody/partita-nbody"
[ -n "${H5DUMP:-}" ] && [ -n "${H5DIFF:-}" ] || { echo "h5dump/h5diff not found: skipped"; exit 77; }
in="$top_srcdir/input"

for np in 1 3; do
  mkdir -p "$PT_TMP/o$np"
  mpirun_t 60 $np "$nb" "$in/nbody-plummer.ini" --output "$PT_TMP/o$np" --set nbody.n=100 \
    --set time.steps=10 --set output.every=5 --set nbody.strategy=rma \
    --report "$PT_TMP/o$np/run.json" >"$PT_TMP/o$np.log" 2>&1 \
    || { cat "$PT_TMP/o$np.log"; fail "plummer run on $np ranks failed"; }
done
f="$PT_TMP/o3/nbody.h5"
"$H5DUMP" -A "$f" | grep -q 'openPMD' || fail "no openPMD attributes in $f"
for step in 0 5 10; do
  "$H5DUMP" -d "/data/$step/particles/bodies/position/x" -H "$f" | grep -q "( 100 )" \
    || fail "step $step: position/x is not 100 values"
done
# The dataset's own DATA block (indented 3), not its attributes' (indented deeper).
"$H5DUMP" -d /data/10/particles/bodies/id -y "$f" | sed -n '/^   DATA {/,/^   }/p' | tr ',' '\n' \
  | tr -d ' ' | grep -E '^[0-9]+$' > "$PT_TMP/ids"
seq 0 99 | cmp -s - "$PT_TMP/ids" || fail "ids are not 0..99 in order"
# particlePatches hold one patch per writing rank: the one part that depends on it.
"$H5DIFF" --exclude-path /bodies/particlePatches "$PT_TMP/o1/nbody.h5" "$f" /data/10/particles /data/10/particles \
  || fail "particles at step 10 differ between 1 and 3 ranks"
for key in interactions_per_s gflops flops_per_interaction max_relative_energy_error; do
  grep -q "\"$key\"" "$PT_TMP/o3/run.json" || fail "run.json lacks $key"
done
grep -q "interactions/s" "$PT_TMP/o3.log" || fail "no interactions/s line"
grep -q "^forces" "$PT_TMP/o3.log" || fail "no phase table"
echo "ok: openPMD particles, identical on 1 and 3 ranks, and the run report"

for d in kepler figure8; do
  mkdir -p "$PT_TMP/$d"
  mpirun_t 60 2 "$nb" "$in/nbody-$d.ini" --output "$PT_TMP/$d" >"$PT_TMP/$d.log" 2>&1 \
    || { cat "$PT_TMP/$d.log"; fail "input/nbody-$d.ini does not run as-is"; }
done
for d in plummer collapse; do
  mkdir -p "$PT_TMP/$d"
  mpirun_t 60 2 "$nb" "$in/nbody-$d.ini" --output "$PT_TMP/$d" --set nbody.n=256 \
    >"$PT_TMP/$d.log" 2>&1 \
    || { cat "$PT_TMP/$d.log"; fail "input/nbody-$d.ini does not run"; }
done
echo "ok: the shipped decks run"

# --dry-run: the plan from the checked deck, nothing created; a bad deck is still exit 1.
mpirun_t 60 3 --quiet "$nb" "$in/nbody-plummer.ini" --dry-run --output "$PT_TMP/dry/new" \
  >"$PT_TMP/dry.log" 2>&1 || { cat "$PT_TMP/dry.log"; fail "nbody --dry-run failed"; }
for want in "4096 bodies (plummer) on 3 rank(s): 1365 to 1366 per rank" "output: 3 step(s) of 0.25 MiB" \
  "(to be created)" "nothing computed, nothing written"; do
  grep -qF "$want" "$PT_TMP/dry.log" || { cat "$PT_TMP/dry.log"; fail "nbody --dry-run plan lacks '$want'"; }
done
[ ! -e "$PT_TMP/dry" ] || fail "nbody --dry-run created its output directory"
mpirun_t 60 2 --quiet "$nb" "$in/nbody-plummer.ini" --dry-run --set nbody.n=1 >"$PT_TMP/dry.log" 2>&1
[ $? -eq 1 ] && grep -q "cannot be split over 2 ranks" "$PT_TMP/dry.log" || { cat "$PT_TMP/dry.log"; fail "nbody --dry-run accepted a bad deck"; }
echo "ok: nbody --dry-run prints the plan, writes nothing, refuses bad input"

# Units: a deck without [units] writes code units (plain numbers, unitSystem "code");
# one that sizes its code units writes SI factors and dimensions.
check_units() { # FILE SYSTEM VELOCITY_UNITSI VELOCITY_DIMS TIME_UNITSI
  "$PT_PYTHON" - "$@" <<'PY' || fail "unit attributes of $1 are wrong"
import sys, h5py
f = h5py.File(sys.argv[1], "r")
system, vsi, vdim, tsi = sys.argv[2], float(sys.argv[3]), [float(x) for x in sys.argv[4].split(",")], float(sys.argv[5])
got = f.attrs["unitSystem"]
got = got.decode() if isinstance(got, bytes) else got
last = sorted(f["data"], key=int)[-1]
it = f["data/" + last]
v = it["particles/bodies/velocity"]
ok = (got == system and list(v.attrs["unitDimension"]) == vdim and
      abs(v["x"].attrs["unitSI"] / vsi - 1) < 1e-12 and abs(it.attrs["timeUnitSI"] / tsi - 1) < 1e-12)
if not ok:
    print("unitSystem %s, velocity unitDimension %s unitSI %r, timeUnitSI %r" % (
        got, list(v.attrs["unitDimension"]), v["x"].attrs["unitSI"], it.attrs["timeUnitSI"]))
sys.exit(0 if ok else 1)
PY
}
mpirun_t 60 2 "$nb" "$in/nbody-plummer.ini" -q --set nbody.n=64 --set time.steps=2 --output "$PT_TMP/code" ||
  fail "code-unit run failed"
check_units "$PT_TMP/code/nbody.h5" code 1 0,0,0,0,0,0,0 1
mpirun_t 60 2 "$nb" "$in/nbody-plummer.ini" -q --set nbody.n=64 --set time.steps=2 --output "$PT_TMP/si" \
  --set "units.length=1 pc" --set "units.mass=1 Msun" --set "units.time=1 Myr" || fail "SI run failed"
check_units "$PT_TMP/si/nbody.h5" SI "$(awk 'BEGIN { printf "%.17g", 3.0856775814913673e16 / 3.15576e13 }')" \
  1,0,-1,0,0,0,0 3.15576e13
echo "ok: code units by default; units.* give SI factors and dimensions"
