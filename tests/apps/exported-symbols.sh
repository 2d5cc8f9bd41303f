#!/bin/sh
# Every symbol libpartita exports must start with pt_ (REBOUND-style prefix rule).
. "$(dirname "$0")/../common.sh"
lib=$(ls "$top_builddir"/src/.libs/libpartita.so 2>/dev/null | head -n 1)
[ -n "$lib" ] || lib="$top_builddir/src/.libs/libpartita.a"
[ -f "$lib" ] || fail "libpartita not built"
nm -D --defined-only "$lib" 2>/dev/null | awk '$2 ~ /^[A-TV-Z]$/ {print $3}' > "$PT_TMP/syms"
[ -s "$PT_TMP/syms" ] || fail "no exported symbols found in $lib"
bad=$(grep -v '^pt_' "$PT_TMP/syms" | grep -v -E '^(_init|_fini|_edata|_end|__bss_start)$')
[ -z "$bad" ] || fail "symbols without the pt_ prefix: $(echo $bad)"
echo "ok: $(wc -l < "$PT_TMP/syms") exported symbols, all pt_-prefixed"
