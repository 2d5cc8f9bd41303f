#!/bin/sh
# partita-heat refuses bad input at 1 and 4 ranks: exit 1 on every rank, exactly one
# line on stderr naming the file/option, line and key, no output file, no hang.
. "$(dirname "$0")/../common.sh"
heat="$top_builddir/apps/heat/partita-heat"
deck="$top_srcdir/input/heat2d.ini"
printf '[grid]\nnx 64\n' >"$PT_TMP/syntax.ini"
printf '[grid]\nnx = 64\n[heet]\nalpha = 1\n' >"$PT_TMP/section.ini"
printf '[grid]\nnx = 64\nnx = 32\n' >"$PT_TMP/dup.ini"
sed 's/^nx = 256 /nx = 0 /' "$deck" >"$PT_TMP/bad.ini"

n=0
expect() { # NP EXPECTED-SUBSTRING ARGS...
  np=$1 want=$2; shift 2
  out="$PT_TMP/out$n"; n=$((n + 1))
  mkdir -p "$out"
  mpirun_t 60 "$np" --quiet "$heat" "$@" --output "$out" >"$out.stdout" 2>"$out.stderr"
  rc=$?
  [ "$rc" -eq 1 ] || { cat "$out.stderr"; fail "np $np, $*: exit $rc, expected 1"; }
  lines=$(wc -l <"$out.stderr")
  [ "$lines" -eq 1 ] || { cat "$out.stderr"; fail "np $np, $*: $lines lines on stderr, expected 1"; }
  grep -qF -- "$want" "$out.stderr" || { cat "$out.stderr"; fail "np $np, $*: message lacks '$want'"; }
  [ -z "$(ls "$out")" ] || fail "np $np, $*: wrote $(ls "$out")"
  echo "ok (np $np): $(cat "$out.stderr")"
}

for np in 1 4; do
  expect $np "cannot open 'missing.ini'" missing.ini
  expect $np "Is a directory" "$top_srcdir/input"
  expect $np "syntax.ini:2: syntax error" "$PT_TMP/syntax.ini"
  expect $np "section.ini:4: [heet]: unknown section" "$PT_TMP/section.ini"
  expect $np "dup.ini:3: grid.nx: given twice (first at line 2)" "$PT_TMP/dup.ini"
  expect $np "--set grid.nxx=1: grid.nxx: unknown key (did you mean grid.nx?)" "$deck" --set grid.nxx=1
  expect $np "grid.nx: must be an integer (got 'abc')" "$deck" --set grid.nx=abc
  expect $np "--set grid.nx=2: grid.nx: must be >= 3 (got 2)" "$deck" --set grid.nx=2
  expect $np "grid.nx: out of range" "$deck" --set grid.nx=99999999999999999999999
  expect $np "--set physics.alpha=-1: physics.alpha: must be > 0 (got -1)" "$deck" --set physics.alpha=-1
  expect $np "bad.ini:7: grid.nx: must be >= 3 (got 0)" "$PT_TMP/bad.ini"
  expect $np "time.dt: 1 is above the explicit stability limit" "$deck" --set time.dt=1
  expect $np "run.halo: must be one of p2p, neighbor, rma, rma-pscw (got 'foo')" "$deck" --set run.halo=foo
  expect $np "boundary.x_lo: must be one of dirichlet, neumann, periodic" "$deck" --set boundary.x_lo=hot
  expect $np "--set grid.nx: expected section.key=value" "$deck" --set grid.nx
  expect $np "unknown option '--frobnicate'" "$deck" --frobnicate
  expect $np "--max-walltime: must be a number of seconds >= 0 (got '-5')" "$deck" --max-walltime -5
  expect $np "no-such.h5" "$deck" --restart "$PT_TMP/no-such.h5"
done
expect 1 "process grid 4 x 1 does not match the number of ranks (1)" "$deck" --set run.process_grid=4,1
expect 4 "grid 3 x 256 cannot be split over 4 ranks as 4 x 1" "$deck" --set grid.nx=3 --set run.process_grid=4,1
# A grid too small for the rank count: 3 x 3 cells cannot be shared by 10 ranks.
expect 10 "cannot be split over 10 ranks" "$deck" --set grid.nx=3 --set grid.ny=3
# A non-existent output directory (checked before anything is written).
mpirun_t 60 4 --quiet "$heat" "$deck" --output "$PT_TMP/nope/deeper" >/dev/null 2>"$PT_TMP/e"
[ $? -eq 1 ] && grep -q "not an existing directory" "$PT_TMP/e" || { cat "$PT_TMP/e"; fail "missing output dir"; }
echo "ok: $(cat "$PT_TMP/e")"
