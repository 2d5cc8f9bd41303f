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
in_full_fs() {
  unshare -m sh -c 'mount -t tmpfs -o size=64k partita-full "$0" || exit 99
    "$@"; rc=$?; ls -A "$0" >"$0.left"; exit $rc' "$d" "$@" 2>/dev/null ||
    unshare -rm sh -c 'mount -t tmpfs -o size=64k partita-full "$0" || exit 99
    "$@"; rc=$?; ls -A "$0" >"$0.left"; exit $rc' "$d" "$@"
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
echo "ok: $n_cases disk-full cases ($n_launches launches)"
