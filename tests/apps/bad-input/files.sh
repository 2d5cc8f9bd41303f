#!/bin/sh
# Bad-input matrix, file-system cases for every app: missing, unreadable, empty and wrong
# kinds of input files, unusable output directories, and restart files that are missing,
# another app's, truncated or corrupted. Each case runs at 1 and 4 ranks (lib.sh).
. "$(dirname "$0")/../../common.sh"
. "$(dirname "$0")/lib.sh"
heat="$top_builddir/apps/heat/partita-heat"
[ -n "$H5DUMP" ] || { echo "h5dump not found: skipped"; exit 77; }
nbody="$top_builddir/apps/nbody/partita-nbody"
[ -x "$heat" ] || { echo "partita-heat not built: skipped"; exit 77; }

# As root, permission bits do not stop reads or writes; dropping the capabilities that
# bypass them (from the bounding and inheritable sets, so the app cannot regain them)
# makes root see chmod 000 / 555 like any user.
no_override() {
  if [ "$(id -u)" -eq 0 ]; then
    setpriv --inh-caps=-dac_override,-dac_read_search \
      --bounding-set=-dac_override,-dac_read_search "$@"
  else
    "$@"
  fi
}

# A good run of APP with a checkpoint in DIR: the restart cases corrupt copies of it.
checkpoint() { # APP DIR ARGS...
  a=$1 d=$2; shift 2
  mkdir -p "$d"
  mpirun_t 60 2 "$a" -q --output "$d" "$@" >"$d.log" 2>&1 || { cat "$d.log"; fail "$a: no checkpoint"; }
  ls "$d"/*-checkpoint.h5 >/dev/null || fail "$a: wrote no checkpoint in $d"
}
heat_small="--set grid.nx=12 --set grid.ny=10 --set time.steps=2 --set output.every=0 --set output.checkpoint_every=2"
checkpoint "$heat" "$PT_TMP/heatck" "$top_srcdir/input/heat2d.ini" $heat_small
other_ck=
if [ -x "$nbody" ]; then
  nbody_small="--set nbody.n=16 --set time.steps=2 --set output.every=0 --set output.checkpoint_every=2"
  checkpoint "$nbody" "$PT_TMP/nbodyck" "$top_srcdir/input/nbody-plummer.ini" $nbody_small
else
  echo "note: partita-nbody is not built: its cases are skipped"
fi

: >"$PT_TMP/empty.ini"
printf '; a deck whose keys were all commented out\n[grid]\n; nx = 64\n' >"$PT_TMP/comments.ini"
printf '[grid]\nnx = 64\n' >"$PT_TMP/unreadable.ini"
chmod 000 "$PT_TMP/unreadable.ini"
mkdir -p "$PT_TMP/readonly"
chmod 555 "$PT_TMP/readonly"
: >"$PT_TMP/plainfile"
echo "not HDF5 at all" >"$PT_TMP/text.h5"
long=$(awk 'BEGIN { while (n++ < 5000) printf "l" }')

# cases APP PROG DECK OWN_CK OTHER_CK ARGS...: the matrix for one app; ARGS make its
# runs small.
cases() {
  app=$1 prog=$2 deck=$3 own=$4 other=$5; shift 5
  bad 1 "cannot open 'missing.ini'" missing.ini
  bad 1 "cannot open '$top_srcdir/input': Is a directory" "$top_srcdir/input"
  bad 1 "empty.ini: empty input deck" "$PT_TMP/empty.ini"
  bad 1 "comments.ini: empty input deck" "$PT_TMP/comments.ini"
  BAD_WRAP=no_override bad 1 "cannot open '$PT_TMP/unreadable.ini': Permission denied" "$PT_TMP/unreadable.ini"
  # A missing --output or --report directory is created; only what cannot be is refused.
  BAD_OUT="$PT_TMP/plainfile/deeper" bad 1 "--output $PT_TMP/plainfile/deeper: '$PT_TMP/plainfile' exists and is not a directory" "$deck" "$@"
  BAD_OUT="$PT_TMP/plainfile" bad 1 "--output $PT_TMP/plainfile: '$PT_TMP/plainfile' exists and is not a directory" "$deck" "$@"
  BAD_OUT="$PT_TMP/readonly/deeper" BAD_WRAP=no_override bad 1 "--output $PT_TMP/readonly/deeper: cannot create directory '$PT_TMP/readonly/deeper': Permission denied" "$deck" "$@"
  BAD_OUT="$PT_TMP/readonly" BAD_WRAP=no_override bad 1 "--output $PT_TMP/readonly: cannot write to directory '$PT_TMP/readonly': Permission denied" "$deck" "$@"
  bad 1 "--report $PT_TMP/plainfile/run.json: '$PT_TMP/plainfile' exists and is not a directory" "$deck" "$@" --report "$PT_TMP/plainfile/run.json"
  # A path longer than PATH_MAX is refused by its two ends, not made under a truncated name.
  BAD_OUT="$PT_TMP/$long" bad 1 "--output: path too long ($(( ${#PT_TMP} + 5001 )) characters, at most 4095)" "$deck" "$@"
  bad 1 "--report: path too long" "$deck" "$@" --report "$PT_TMP/$long/run.json"
  BAD_WRAP=no_override bad 1 "--report $PT_TMP/readonly/run.json: cannot write to directory '$PT_TMP/readonly': Permission denied" "$deck" "$@" --report "$PT_TMP/readonly/run.json"
  bad 1 "no-such.h5" "$deck" "$@" --restart "$PT_TMP/no-such.h5"
  bad 1 "no checkpoint of $prog to restart from" "$deck" "$@" --restart latest
  bad 1 "text.h5" "$deck" "$@" --restart "$PT_TMP/text.h5"
  bad 1 "$(basename "$other")" "$deck" "$@" --restart "$other"
  size=$(wc -c <"$own")
  head -c $((size / 2)) "$own" >"$PT_TMP/truncated.h5"
  bad 1 "truncated.h5" "$deck" "$@" --restart "$PT_TMP/truncated.h5"
  # One flipped byte in the middle of the largest dataset's values, HDF5's own structure
  # intact: only the checksum can catch it. (h5dump -p gives each contiguous dataset's
  # SIZE and file OFFSET.)
  at=$("$H5DUMP" -p -H "$own" | awk '/^ *SIZE /{s=$2} /^ *OFFSET /{if (s > m) {m = s; o = $2}} END {print o + int(m / 2)}')
  cp "$own" "$PT_TMP/flipped.h5"
  printf '\377' | dd of="$PT_TMP/flipped.h5" bs=1 seek="$at" conv=notrunc 2>/dev/null
  cmp -s "$own" "$PT_TMP/flipped.h5" && fail "could not corrupt a copy of $own"
  bad 1 "checksum mismatch (stored" "$deck" "$@" --restart "$PT_TMP/flipped.h5"
  grep -q "): the file is corrupt$" "$res.stderr" || fail "a corrupt checkpoint's message does not say the file is corrupt"
}

heat_args="--set grid.nx=12 --set grid.ny=10 --set time.steps=4"
if [ -x "$nbody" ]; then
  other_ck="$PT_TMP/nbodyck/partita-nbody-checkpoint.h5"
else
  # Without partita-nbody, a checkpoint of the I/O test driver is "another app's".
  checkpoint "$top_builddir/tests/apps/io_driver" "$PT_TMP/drvck" --set driver.steps=1 \
    --set driver.output_every=0 --set driver.checkpoint_every=1
  other_ck=$(ls "$PT_TMP/drvck"/*-checkpoint.h5)
fi
cases "$heat" partita-heat "$top_srcdir/input/heat2d.ini" \
  "$PT_TMP/heatck/partita-heat-checkpoint.h5" "$other_ck" $heat_args
[ -x "$nbody" ] && bad 1 "partita-nbody-checkpoint.h5: a checkpoint of partita-nbody, not of partita-heat" \
  "$top_srcdir/input/heat2d.ini" $heat_args --restart "$PT_TMP/nbodyck/partita-nbody-checkpoint.h5"
bad 1 "/nonexistent/init.h5: no such file" "$top_srcdir/input/heat2d.ini" $heat_args \
  --set initial.type=file --set initial.file=/nonexistent/init.h5
# A deck whose grid differs from the checkpoints' (two generations, both sound): one
# error naming both shapes, no fallback to the older generation and no warning.
checkpoint "$heat" "$PT_TMP/heatck2" "$top_srcdir/input/heat2d.ini" --set grid.nx=12 --set grid.ny=10 \
  --set time.steps=4 --set output.every=0 --set output.checkpoint_every=2
[ -f "$PT_TMP/heatck2/partita-heat-checkpoint.h5.1" ] || fail "no second checkpoint generation"
BAD_OUT="$PT_TMP/heatck2" bad 1 "heatck2/partita-heat-checkpoint.h5: the checkpoint's grid is 12 x 10 (2D), the deck's is 14 x 10 (2D): restart with the grid it was written with, or start afresh" \
  "$top_srcdir/input/heat2d.ini" --set grid.nx=14 --set grid.ny=10 --set time.steps=8 --restart latest
if [ -x "$nbody" ]; then
  cases "$nbody" partita-nbody "$top_srcdir/input/nbody-plummer.ini" \
    "$PT_TMP/nbodyck/partita-nbody-checkpoint.h5" "$PT_TMP/heatck/partita-heat-checkpoint.h5" \
    --set nbody.n=16 --set time.steps=4
  # A deck whose body count differs from the checkpoint's: one error naming both.
  BAD_OUT="$PT_TMP/nbodyck" bad 1 \
    "nbodyck/partita-nbody-checkpoint.h5: the checkpoint holds 16 bodies, the deck's nbody.n is 32: restart with the count it was written with" \
    "$top_srcdir/input/nbody-plummer.ini" --set nbody.n=32 --set time.steps=4 --restart latest
fi
chmod 755 "$PT_TMP/readonly" "$PT_TMP/unreadable.ini"
echo "ok: $n_cases file-system cases ($n_launches launches)"
