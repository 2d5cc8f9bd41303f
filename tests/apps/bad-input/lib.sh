# The bad-input matrix's checker, sourced by the scripts in this directory after
# tests/common.sh. Set `app` (the binary) and `prog` (its name in messages) first.
#
# bad RC WANT ARGS...    runs `$app ARGS... --output DIR` at 1 and 4 ranks (BAD_NP
#                        overrides) with a time limit, and fails the test unless every
#                        launch exits RC, prints exactly one line on stderr, starting
#                        "$prog: " and containing WANT, nothing that looks like an MPI
#                        abort, and leaves DIR empty.
# BAD_OUT=PATH           use PATH as --output (not created): whatever it is (missing,
#                        a file, a directory) must be unchanged afterwards.
# BAD_OUT_GROWS=1        the run may write complete output before it fails (the caller
#                        checks what is left) instead of leaving the output unchanged.
# BAD_WRAP="CMD ARGS"    prefix the launch with a command (a shell function works).
# bad_summary            prints how many cases (and launches) this script checked.
n_cases=0
n_launches=0

# What --output names, for "nothing was written": a directory's entries, "missing", or
# a file's checksum (--output given a file must leave it alone).
out_state() {
  if [ -d "$1" ]; then echo "directory with [$(ls -A "$1" | tr '\n' ' ')]"
  elif [ -e "$1" ]; then echo "file $(cksum <"$1")"
  else echo missing
  fi
}

bad_one() { # NP RC WANT ARGS...
  np=$1 rc_want=$2 want=$3; shift 3
  n_launches=$((n_launches + 1))
  res="$PT_TMP/launch$n_launches"
  if [ -n "${BAD_OUT:-}" ]; then out=$BAD_OUT; else out=$res.out; mkdir -p "$out"; fi
  before=$(out_state "$out")
  # --quiet: the launcher's own "non-zero exit" banner is not the app's message.
  ${BAD_WRAP:-} timeout -k 10 80 "$MPIEXEC" --timeout 60 --quiet -n "$np" "$app" "$@" \
    --output "$out" >"$res.stdout" 2>"$res.stderr"
  rc=$?
  what="np $np, $(echo "$*" | sed "s|$PT_TMP/||g; s|$top_srcdir/||g")"
  case $rc in
    124|137) fail "$what: hung (killed after 60 s)" ;;
  esac
  [ "$rc" -eq "$rc_want" ] || { cat "$res.stderr"; fail "$what: exit $rc, expected $rc_want"; }
  lines=$(wc -l <"$res.stderr")
  [ "$lines" -eq 1 ] || { cat "$res.stderr"; fail "$what: $lines lines on stderr, expected 1"; }
  grep -q "^$prog: " "$res.stderr" || { cat "$res.stderr"; fail "$what: message does not start with '$prog: '"; }
  grep -qF -- "$want" "$res.stderr" || { cat "$res.stderr"; fail "$what: message lacks '$want'"; }
  if grep -qE "MPI_ABORT|mpiexec|Primary job|Signal:|backtrace" "$res.stdout" "$res.stderr"; then
    cat "$res.stdout" "$res.stderr"; fail "$what: an abort or launcher banner"
  fi
  after=$(out_state "$out")
  [ -n "${BAD_OUT_GROWS:-}" ] || [ "$after" = "$before" ] || fail "$what: the output changed: $before -> $after"
  echo "ok (np $np, exit $rc): $(cat "$res.stderr")"
}

bad() { # RC WANT ARGS...
  rc_case=$1 want_case=$2; shift 2
  n_cases=$((n_cases + 1))
  for np_case in ${BAD_NP:-1 4}; do bad_one "$np_case" "$rc_case" "$want_case" "$@"; done
}

bad_summary() {
  echo "ok: $n_cases bad-input cases ($n_launches launches) for $prog"
}
