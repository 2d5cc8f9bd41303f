#!/bin/sh
# Output directories as users expect them: README's first run line works in a fresh
# directory (--output out --report out/run.json create out/), nested and separate report
# directories are created with their parents, and a run refused for bad input creates
# nothing.
. "$(dirname "$0")/../common.sh"
heat="$top_builddir/apps/heat/partita-heat"
nbody="$top_builddir/apps/nbody/partita-nbody"
cd "$PT_TMP" || fail "no temporary directory"
small="--set grid.nx=16 --set grid.ny=12 --set time.steps=4 --set output.every=2"

# shellcheck disable=SC2086
mpirun_t 60 2 --quiet "$heat" "$top_srcdir/input/heat2d.ini" -q --output out --report out/run.json $small \
  >log 2>&1 || { cat log; fail "README's first run in a fresh directory failed"; }
[ -f out/heat.h5 ] && [ -f out/heat.xmf ] && [ -f out/run.json ] || fail "out/ lacks heat.h5, heat.xmf or run.json"
echo "ok: --output out --report out/run.json in a fresh directory"

# shellcheck disable=SC2086
mpirun_t 60 2 --quiet "$heat" "$top_srcdir/input/heat2d.ini" -q --output a/b/c --report r/s/run.json $small \
  >log 2>&1 || { cat log; fail "nested output directories"; }
[ -f a/b/c/heat.h5 ] && [ -f r/s/run.json ] || fail "nested --output / --report directories not made"
mpirun_t 60 2 --quiet "$nbody" "$top_srcdir/input/nbody-plummer.ini" -q --output n/o --report n/rep/run.json \
  --set nbody.n=32 --set time.steps=2 >log 2>&1 || { cat log; fail "partita-nbody nested output"; }
[ -f n/o/nbody.h5 ] && [ -f n/rep/run.json ] || fail "partita-nbody: nested directories not made"
echo "ok: nested --output and --report directories created (heat, nbody)"

# shellcheck disable=SC2086
mpirun_t 60 2 --quiet "$heat" "$top_srcdir/input/heat2d.ini" -q --output never/here --report never2/run.json \
  $small --set grid.nx=0 >log 2>&1 && fail "a bad deck ran"
grep -q "grid.nx" log || { cat log; fail "no grid.nx message"; }
[ ! -e never ] && [ ! -e never2 ] || fail "a run refused for bad input created its output directories"
echo "ok: a refused run creates no directory"
