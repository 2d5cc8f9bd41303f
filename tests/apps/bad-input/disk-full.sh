#!/bin/sh
# Bad-input matrix, runtime failure: the output file system fills up mid-run (a 64 KiB
# tmpfs, mounted in a private mount namespace). Every app must exit 2 with one line on
# stderr, no crash, and no partial output file left behind. Needs root (or user
# namespaces) for the mount; skipped otherwise.
. "$(dirname "$0")/../../common.sh"
. "$(dirname "$0")/lib.sh"
d="$PT_TMP/full"
mkdir -p "$d"
unshare -m sh -c 'mount -t tmpfs -o size=64k partita-full "$1"' sh "$d" 2>/dev/null ||
  unshare -rm sh -c 'mount -t tmpfs -o size=64k partita-full "$1"' sh "$d" 2>/dev/null ||
  { echo "cannot mount a small tmpfs here (needs root or user namespaces): skipped"; exit 77; }
# in_full_fs CMD...: runs CMD with a fresh 64 KiB tmpfs on $d; what is left on it is
# listed in $d.left (outside the tmpfs, which vanishes with the namespace).
# FULL_SIZE (default 64k) sets the tmpfs size; with it, $d.steps gets the steps each
# HDF5 file left there holds (h5ls), for the runs that fill the disk midway.
in_full_fs() {
  # shellcheck disable=SC2016
  script='mount -t tmpfs -o size="$FULL_SIZE" partita-full "$0" || exit 99
    "$@"; rc=$?; ls -A "$0" >"$0.left"
    for f in "$0"/*.h5; do [ -f "$f" ] && h5ls "$f/data" | sed "s|^|${f##*/} |"; done >"$0.steps"
    exit $rc'
  FULL_SIZE=${FULL_SIZE:-64k} unshare -m sh -c "$script" "$d" "$@" 2>/dev/null ||
    FULL_SIZE=${FULL_SIZE:-64k} unshare -rm sh -c "$script" "$d" "$@"
}
full_case() { # PROG APP ARGS...
  prog=$1 app=$2; shift 2
  for np in 1 4; do
    rm -f "$d.left"
    BAD_OUT="$d" BAD_WRAP=in_full_fs bad_one "$np" 2 "No space left on device" "$@"
    [ -s "$d.left" ] && fail "np $np, $prog: left $(cat "$d.left") on the full file system"
  done
  n_cases=$((n_cases + 1))
}
full_case partita-heat "$top_builddir/apps/heat/partita-heat" "$top_srcdir/input/heat2d.ini" \
  --set time.steps=10 --set output.every=5
nbody="$top_builddir/apps/nbody/partita-nbody"
[ -x "$nbody" ] && full_case partita-nbody "$nbody" "$top_srcdir/input/nbody-plummer.ini" \
  --set nbody.n=8192 --set time.steps=4 --set output.every=2
# No room for a checkpoint (output off): exit 2, no temp file and no empty series left.
full_case partita-heat "$top_builddir/apps/heat/partita-heat" "$top_srcdir/input/heat2d.ini" \
  --set time.steps=10 --set output.every=0 --set output.checkpoint_every=5
# The disk fills midway: partita-heat writes step 0 (0.5 MiB) on a 1.3 MiB file system,
# then step 5 does not fit. Exit 2 with one line; step 0 stays, complete and listed in
# the sidecar; the checkpoint's temp file is gone.
for np in 1 4; do
  rm -f "$d.left" "$d.steps"
  prog=partita-heat app="$top_builddir/apps/heat/partita-heat"
  FULL_SIZE=1300k BAD_OUT="$d" BAD_OUT_GROWS=1 BAD_WRAP=in_full_fs bad_one "$np" 2 \
    "heat.h5: No space left on device (mesh record temperature at step 5 needs about" \
    "$top_srcdir/input/heat2d.ini" --set time.steps=10 --set output.every=5
  [ "$(tr '\n' ' ' <"$d.left")" = "heat.h5 heat.xmf " ] || fail "np $np: left $(cat "$d.left"), expected heat.h5 heat.xmf"
  [ "$(awk '{print $2}' "$d.steps" | tr '\n' ' ')" = "0 " ] || fail "np $np: steps left: $(cat "$d.steps")"
done
n_cases=$((n_cases + 1))
echo "ok: $n_cases disk-full cases ($n_launches launches)"
