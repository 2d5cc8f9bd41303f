#!/bin/sh
# shellcheck source-path=SCRIPTDIR
# The API reference is complete: doxygen, run with the project's docs/Doxyfile, warns of
# nothing (every public function, type, macro and member has its doc comment, and doxygen
# reads every comment), its INPUT is exactly the public headers (partita.h and the pt_*.h
# it includes), and the reference documents every function, macro and type they declare.
# The test proves it can fail: on a copy of INPUT without the doc comment of
# pt_halo_create, doxygen must report that function undocumented and leave it out of
# the reference. Skipped without doxygen.
# shellcheck source=../common.sh
. "$(dirname "$0")/../common.sh"
doxygen=${DOXYGEN:-doxygen}
command -v "$doxygen" >/dev/null 2>&1 || { echo "doxygen not found: skipped"; exit 77; }
doxyfile="$top_builddir/docs/Doxyfile"
[ -f "$doxyfile" ] || fail "$doxyfile missing (configure writes it from docs/Doxyfile.in)"
src="$top_srcdir/src"

# The public headers, as partita.h lists them.
public="partita.h $(sed -n 's/^#include "\(pt_[a-z0-9_]*\.h\)".*/\1/p' "$src/partita.h" | tr '\n' ' ')"
[ "$(echo "$public" | wc -w)" -gt 10 ] || fail "partita.h includes too few headers: $public"

# INPUT of the Doxyfile (continued over lines ending in a backslash): only the public
# headers, and every one of them.
input=$(awk '/^[ \t]*INPUT[ \t]*\+?=/ { on = 1; sub(/^[^=]*=/, "") }
  on { cont = sub(/\\[ \t]*$/, ""); printf "%s ", $0; if (!cont) on = 0 }' "$doxyfile")
for f in $input; do
  [ -f "$f" ] || fail "INPUT of $doxyfile names $f, which does not exist"
  case " $public " in *" ${f##*/} "*) ;; *) fail "INPUT names ${f##*/}, which partita.h does not include (a private header?)" ;; esac
done
for h in $public; do
  case " $input " in *"/$h "*) ;; *) fail "$h is public (partita.h includes it) but not in INPUT of $doxyfile" ;; esac
done

# dox OUT [TAG=VALUE...]: doxygen with the project's Doxyfile, its output, the warnings
# log (OUT/warnings.log) and a tag file (OUT/partita.tag) in OUT, the tags given
# overriding the file's. The tag file lists what the HTML documents: with EXTRACT_ALL =
# NO a name without a doc comment is not in it (the XML output, by contrast, has it).
dox() {
  dox_out=$1; shift
  mkdir -p "$dox_out"
  { cat "$doxyfile"
    echo "OUTPUT_DIRECTORY = \"$dox_out\""
    echo "WARN_LOGFILE = \"$dox_out/warnings.log\""
    echo "GENERATE_TAGFILE = \"$dox_out/partita.tag\""
    for tag in "$@"; do echo "$tag"; done
  } | "$doxygen" - >"$dox_out/doxygen.out" 2>&1 ||
    { cat "$dox_out/doxygen.out" "$dox_out/warnings.log" 2>/dev/null; fail "doxygen failed in $dox_out"; }
  [ -s "$dox_out/partita.tag" ] || fail "doxygen wrote no tag file $dox_out/partita.tag"
}

# undocumented LOG: each "is not documented" warning as "FILE:LINE: NAME".
undocumented() {
  sed -n 's/^\(.*:[0-9]*\): warning: [A-Za-z]* \([^ (]*\).* is not documented\.$/\1: \2/p' "$1"
}

dox "$PT_TMP/api"
log="$PT_TMP/api/warnings.log"
missing=$(undocumented "$log")
[ -z "$missing" ] || { echo "public names without a doc comment:"; echo "$missing";
  fail "public names without a doc comment (/** ... */ above them): $(echo "$missing" | wc -l)"; }
about=$(grep -E '\.h:[0-9]+: ' "$log")
[ -z "$about" ] || { echo "$about"; fail "doxygen warns about the public headers"; }
[ ! -s "$log" ] || { echo "doxygen warned (not about the headers):"; cat "$log"; }

# Every function, macro and type the headers declare (at the start of a line, as the
# headers' style has it) is documented in the reference, so none can hide in a header
# INPUT lacks.
for h in $public; do
  sed -n -e 's/^[A-Za-z][^#(=]*[ *]\(pt_[A-Za-z0-9_]*\)(.*/\1/p' \
    -e 's/^#define \(PT_[A-Z0-9_]*\).*/\1/p' \
    -e 's/^typedef .*[ *]\(pt_[a-z0-9_]*\);$/\1/p' -e 's/^} \(pt_[a-z0-9_]*\);$/\1/p' "$src/$h" |
    grep -v '_H$' | sed "s|^|$h |"
done >"$PT_TMP/declared"
nnames=$(wc -l <"$PT_TMP/declared")
[ "$nnames" -gt 100 ] || fail "only $nnames functions, macros and types found in the public headers"
absent=$(while read -r h name; do
  grep -q "<name>$name</name>" "$PT_TMP/api/partita.tag" || echo "$h: $name"
done <"$PT_TMP/declared")
[ -z "$absent" ] || { echo "declared in a public header but not in the API reference:"; echo "$absent";
  fail "public names missing from the API reference: $(echo "$absent" | wc -l)"; }

# Proof that the checks can fail: the same INPUT, copied, without pt_halo_create's
# doc comment.
mkdir -p "$PT_TMP/neg/src"
copies=
for f in $input; do
  cp "$f" "$PT_TMP/neg/src/" && copies="$copies $PT_TMP/neg/src/${f##*/}"
done
[ -f "$PT_TMP/neg/src/pt_halo.h" ] || fail "INPUT has no pt_halo.h: the self-check has nothing to remove"
awk -v fn=pt_halo_create '
  pending && !incom { if ($0 ~ ("[ *]" fn "\\(")) dropped = 1; else printf "%s", buf; pending = 0; buf = "" }
  !incom && /^\/\*\*/ { incom = 1; buf = "" }
  incom { buf = buf $0 "\n"; if (index($0, "*/")) { incom = 0; pending = 1 }; next }
  { print }
  END { if (pending) printf "%s", buf; exit dropped ? 0 : 1 }' \
  "$src/pt_halo.h" >"$PT_TMP/neg/src/pt_halo.h" || fail "no doc comment right above pt_halo_create in pt_halo.h"
dox "$PT_TMP/neg" "INPUT = $copies" "STRIP_FROM_PATH = \"$PT_TMP/neg/src\"" \
  "STRIP_FROM_INC_PATH = \"$PT_TMP/neg/src\"" "INCLUDE_PATH = \"$PT_TMP/neg/src\""
neg=$(undocumented "$PT_TMP/neg/warnings.log")
case "$neg" in
  *"/pt_halo.h:"*": pt_halo_create"*) ;;
  *) cat "$PT_TMP/neg/warnings.log"; fail "without its doc comment, pt_halo_create was not reported undocumented" ;;
esac
if grep -q "<name>pt_halo_create</name>" "$PT_TMP/neg/partita.tag"; then
  fail "without its doc comment, pt_halo_create is still in the reference: that check cannot fail"
fi

echo "ok: $(echo "$public" | wc -w) public headers, $nnames functions, macros and types, all documented; doxygen warns of nothing"
echo "ok: without its doc comment, doxygen reports $neg"
