#!/bin/sh
# Bad-input matrix, partita-heat: deck, override and command-line errors (file-system
# cases are in files.sh). Each case runs at 1 and 4 ranks; see lib.sh for what "refuses
# cleanly" means and docs/errors.md for the messages.
. "$(dirname "$0")/../../common.sh"
. "$(dirname "$0")/lib.sh"
app="$top_builddir/apps/heat/partita-heat" prog=partita-heat
[ -x "$app" ] || { echo "partita-heat not built: skipped"; exit 77; }
deck="$top_srcdir/input/heat2d.ini"
printf '[grid]\nnx 64\n' >"$PT_TMP/syntax.ini"
printf '[grid]\nnx = 64\n[heet]\nalpha = 1\n' >"$PT_TMP/section.ini"
printf '[grid]\nnx = 64\nnx = 32\n' >"$PT_TMP/dup.ini"
printf '[grid]\nnxx = 64\n' >"$PT_TMP/typo.ini"
printf 'nx = 64\n[grid]\nny = 64\n' >"$PT_TMP/outside.ini"
printf '[grid]\nnx = 6\0\n' >"$PT_TMP/nul.ini"
sed 's/^nx = 256 /nx = 0 /' "$deck" >"$PT_TMP/bad.ini"

# Malformed INI and unknown names.
bad 1 "syntax.ini:2: syntax error" "$PT_TMP/syntax.ini"
bad 1 "section.ini:4: [heet]: unknown section" "$PT_TMP/section.ini"
bad 1 "dup.ini:3: grid.nx: given twice (first at line 2)" "$PT_TMP/dup.ini"
bad 1 "typo.ini:2: grid.nxx: unknown key (did you mean grid.nx?)" "$PT_TMP/typo.ini"
bad 1 "outside.ini:1: nx: key outside a section" "$PT_TMP/outside.ini"
bad 1 "nul.ini:2: contains a NUL byte (not a text file?)" "$PT_TMP/nul.ini"
bad 1 "heat-output.h5:1: syntax error" "$top_srcdir/tests/fuzz/corpus/restart/heat-output.h5"
# --set typos and malformed overrides.
bad 1 "--set grid.nxx=1: grid.nxx: unknown key (did you mean grid.nx?)" "$deck" --set grid.nxx=1
bad 1 "--set grid.nx: expected section.key=value" "$deck" --set grid.nx
bad 1 "--set =5: expected section.key=value" "$deck" --set =5
# Wrong types.
bad 1 "grid.nx: must be an integer (got 'abc')" "$deck" --set grid.nx=abc
bad 1 "time.steps: must be an integer (got '1.5')" "$deck" --set time.steps=1.5
bad 1 "run.overlap: must be true or false (got 'maybe')" "$deck" --set run.overlap=maybe
bad 1 "run.process_grid: item 2 must be a finite number (got 'x')" "$deck" --set run.process_grid=2,x
bad 1 "run.halo: must be one of p2p, neighbor, rma, rma-pscw (got 'foo')" "$deck" --set run.halo=foo
# A combination that does not exist: the CUDA path packs its faces (checked before
# the device, so it is refused alike with or without a GPU).
bad 1 "run.halo: 'rma' does not exist with run.backend = cuda (the faces are packed on the device and sent as messages): set it to p2p or neighbor" \
  "$deck" --set run.backend=cuda --set run.halo=rma
# More steps per exchange than a block has cells (periodic, so one rank exchanges too).
bad 1 "run.time_block: ghost width 9 exceeds the " "$deck" --set grid.nx=8 --set grid.ny=16 \
  --set boundary.x_lo=periodic --set boundary.x_hi=periodic --set run.time_block=9
bad 1 "run.time_block: 2 steps per exchange need the explicit scheme" "$deck" --set time.scheme=backward-euler \
  --set run.time_block=2
bad 1 "run.time_block: must be >= 1 (got 0)" "$deck" --set run.time_block=0
bad 1 "run.time_block: must be <= 64 (got 65)" "$deck" --set run.time_block=65
bad 1 "run.time_block: must be a whole number 1-64 or auto (got 'fast')" "$deck" --set run.time_block=fast
bad 1 "run.time_tile: must be >= 1 (got 0)" "$deck" --set run.time_block=2 --set run.time_tile=0
bad 1 "boundary.x_lo: must be one of dirichlet, neumann, periodic" "$deck" --set boundary.x_lo=hot
# Out-of-range, non-finite and overflowing values.
bad 1 "--set grid.nx=2: grid.nx: must be >= 3 (got 2)" "$deck" --set grid.nx=2
bad 1 "bad.ini:7: grid.nx: must be >= 3 (got 0)" "$PT_TMP/bad.ini"
bad 1 "grid.nx: out of range" "$deck" --set grid.nx=99999999999999999999999
bad 1 "grid.ndim: must be <= 3 (got 4)" "$deck" --set grid.ndim=4
bad 1 "--set physics.alpha=-1: physics.alpha: must be > 0 (got -1)" "$deck" --set physics.alpha=-1
bad 1 "physics.alpha: must be a finite number (got 'nan')" "$deck" --set physics.alpha=nan
bad 1 "time.dt: must be a finite number (got 'inf')" "$deck" --set time.dt=inf
bad 1 "time.steps: must be >= 0 (got -1)" "$deck" --set time.steps=-1
bad 1 "grid.lx: must be > 0 (got 0)" "$deck" --set grid.lx=0
bad 1 "time.dt: 1 is above the explicit stability limit" "$deck" --set time.dt=1
bad 1 "boundary.x_hi: periodic must be set on both x faces" "$deck" --set boundary.x_lo=periodic
bad 1 "input/heat2d.ini: initial.file: required when initial.type = file" "$deck" --set initial.type=file
# The command line.
bad 1 "unknown option '--frobnicate'" "$deck" --frobnicate
# A single-dash typo (-s for --set) never runs the defaults: without PETSc it is no
# option at all, with PETSc one that no PETSc object used (-options_left, as an error).
bad 1 "unknown option '-s' (see --help; PETSc options apply to the implicit schemes only)" "$deck" -s grid.nx=32
if [ -f "$top_builddir/apps/heat/libheat_la-heat_implicit.lo" ]; then  # built with PETSc
  bad 1 "unknown option '-s': no PETSc object of this run uses it" "$deck" --set time.scheme=backward-euler -s grid.nx=32
  bad 1 "unknown option '-ksp_typo': no PETSc object of this run uses it (see -help)" "$deck" --set time.scheme=crank-nicolson -ksp_typo cg
fi
bad 1 "unexpected argument 'extra.ini'" "$deck" extra.ini
bad 1 "--max-walltime: must be a number of seconds >= 0 (got '-5')" "$deck" --max-walltime -5
bad 1 "--max-walltime: must be a number of seconds >= 0 (got 'abc')" "$deck" --max-walltime abc
# Units: all of the solver's base units or none; a size needs a unit it knows.
bad 1 "units.length: give every one of units.length, units.time, units.temperature, or none (code units); units.time is missing" \
  "$deck" --set "units.length=1 cm"
bad 1 "units.time: must be a size > 0 and a unit (s, ms, us, min, h, d, yr, Myr), e.g. '1 s' (got 's')" "$deck" \
  --set "units.length=1 m" --set units.time=s --set "units.temperature=1 K"
bad 1 "units.length: unit 'furlong' is not one of m, cm, mm, um, km, au, pc" "$deck" --set "units.length=1 furlong"
bad 1 "units.mass: unknown key" "$deck" --set "units.mass=1 kg"
# Rank counts the grid cannot take.
BAD_NP=1 bad 1 "process grid 4 x 1 does not match the number of ranks (1)" "$deck" --set run.process_grid=4,1
BAD_NP=4 bad 1 "grid 3 x 256 cannot be split over 4 ranks as 4 x 1" "$deck" --set grid.nx=3 --set run.process_grid=4,1
# A grid too small for the rank count: 3 x 3 cells cannot be shared by 10 ranks.
BAD_NP=10 bad 1 "grid 3 x 3 cannot be split over 10 ranks: every rank needs at least one cell per axis" "$deck" --set grid.nx=3 --set grid.ny=3
bad_summary
