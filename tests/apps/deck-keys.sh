#!/bin/sh
# The deck keys users read about are the keys the programs accept: for each app, the
# table of docs/keys.md (key, type, default) equals what `--help-keys` prints, which the
# parser's own getters generate. Every shipped deck is read the same way (so a deck in
# input/ never holds a key the app would refuse), and --help-keys shows its values.
. "$(dirname "$0")/../common.sh"
doc="$top_srcdir/docs/keys.md"
[ -f "$doc" ] || fail "docs/keys.md is missing"
n_keys=0
for app in partita-heat partita-nbody partita-commbench partita-grayscott; do
  bin="$top_builddir/apps/${app#partita-}/$app"
  [ -x "$bin" ] || { echo "note: $app is not built: its keys are not checked"; continue; }
  "$bin" --help-keys >"$PT_TMP/$app.help" 2>&1 || { cat "$PT_TMP/$app.help"; fail "$app --help-keys failed"; }
  # key, type and default of each row (defaults hold no blanks; an empty one is "(none)").
  awk 'NR > 2 { print $1, $2, $3 }' "$PT_TMP/$app.help" | sort >"$PT_TMP/$app.code"
  awk -v app="$app" '
    /^## / { in_app = ($2 == app); next }
    in_app && /^\| `/ {
      split($0, c, "|"); key = c[2]; typ = c[3]; def = c[4]
      gsub(/[` ]/, "", key); gsub(/ /, "", typ); gsub(/^ +| +$/, "", def); gsub(/`/, "", def)
      print key, typ, def
    }' "$doc" | sort >"$PT_TMP/$app.doc"
  [ -s "$PT_TMP/$app.doc" ] || fail "docs/keys.md has no table for $app"
  if ! cmp -s "$PT_TMP/$app.code" "$PT_TMP/$app.doc"; then
    echo "< $app --help-keys    > docs/keys.md"
    diff "$PT_TMP/$app.code" "$PT_TMP/$app.doc"
    fail "$app: docs/keys.md and --help-keys disagree (key, type, default)"
  fi
  n_keys=$((n_keys + $(wc -l <"$PT_TMP/$app.code")))
done
n_decks=0
for deck in "$top_srcdir"/input/*.ini; do
  name=$(basename "$deck")
  case $name in
    heat*) app=partita-heat ;; nbody*) app=partita-nbody ;; commbench*) app=partita-commbench ;;
    grayscott*) app=partita-grayscott ;;
    *) fail "input/$name: no app reads it (decks are named after their app)" ;;
  esac
  bin="$top_builddir/apps/${app#partita-}/$app"
  [ -x "$bin" ] || continue
  # An implicit deck needs PETSc; without it the scheme key is the (expected) error.
  out=$("$bin" "$deck" --help-keys 2>&1) || {
    echo "$out" | grep -q "needs PETSc" && continue
    echo "$out"; fail "input/$name: $app --help-keys failed"
  }
  n_decks=$((n_decks + 1))
done
echo "ok: $n_keys keys documented as the programs read them; $n_decks shipped decks read"
