#!/bin/sh
# Bad-input matrix, partita-nbody: deck, override and command-line errors (file-system
# cases are in files.sh). Each case runs at 1 and 4 ranks; see lib.sh for what "refuses
# cleanly" means and docs/errors.md for the messages.
. "$(dirname "$0")/../../common.sh"
. "$(dirname "$0")/lib.sh"
app="$top_builddir/apps/nbody/partita-nbody" prog=partita-nbody
[ -x "$app" ] || { echo "partita-nbody not built: skipped"; exit 77; }
deck="$top_srcdir/input/nbody-plummer.ini"
printf '[nbody\nn = 64\n' >"$PT_TMP/syntax.ini"
printf '[nbody]\nnn = 64\n' >"$PT_TMP/typo.ini"
printf '[nbody]\nn = 64\neps = -0.1\n' >"$PT_TMP/negeps.ini"

# Malformed INI and unknown names.
bad 1 "syntax.ini:1: syntax error" "$PT_TMP/syntax.ini"
bad 1 "typo.ini:2: nbody.nn: unknown key (did you mean nbody.n?)" "$PT_TMP/typo.ini"
bad 1 "--set nbody.nn=3: nbody.nn: unknown key (did you mean nbody.n?)" "$deck" --set nbody.nn=3
bad 1 "--set nbody.n: expected section.key=value" "$deck" --set nbody.n
# Wrong types and choices.
bad 1 "nbody.n: must be an integer (got 'abc')" "$deck" --set nbody.n=abc
bad 1 "nbody.strategy: must be one of allgather, ring, rma (got 'tree')" "$deck" --set nbody.strategy=tree
bad 1 "nbody.precision: must be one of fp64, fp32 (got 'fp16')" "$deck" --set nbody.precision=fp16
bad 1 "time.integrator: must be one of" "$deck" --set time.integrator=euler
# Out-of-range, non-finite, overflowing and contradictory values.
bad 1 "nbody.n: out of range" "$deck" --set nbody.n=99999999999999999999
bad 1 "negeps.ini:3: nbody.eps: must be >= 0 (got -0.1)" "$PT_TMP/negeps.ini"
bad 1 "time.dt: must be a finite number (got 'nan')" "$deck" --set time.dt=nan
bad 1 "time.dt: must be >= 1e-300 (got 0)" "$deck" --set time.dt=0
bad 1 "initial.eccentricity: must be <= 0.999999 (got 1)" "$deck" --set initial.eccentricity=1
bad 1 "output.every: must be >= 0 (got -2)" "$deck" --set output.every=-2
bad 1 "time.end_time: give time.steps or time.end_time, not both" "$deck" --set time.end_time=1
bad 1 "nbody.n: initial.type = kepler has 2 bodies (got 4096)" "$deck" --set initial.type=kepler
bad 1 "initial.file: required when initial.type = file" "$deck" --set initial.type=file
# The command line.
bad 1 "unknown option '--bogus'" "$deck" --bogus
bad 1 "--max-walltime: must be a number of seconds >= 0 (got '-1')" "$deck" --max-walltime -1
# Fewer bodies than ranks (N < ranks).
BAD_NP=4 bad 1 "nbody.n: 3 bodies cannot be split over 4 ranks" "$deck" --set nbody.n=3
BAD_NP=4 bad 1 "2 bodies cannot be split over 4 ranks" "$deck" --set initial.type=kepler --set nbody.n=2
bad_summary
