#!/bin/sh
# bench/compare flags a figure more than 10% worse in its own direction (lower for a
# bandwidth, higher for a latency), passes changes within 10% and improvements, and
# rejects a file that is not a bench summary.
. "$(dirname "$0")/../common.sh"
cmp="$top_srcdir/bench/compare"
summary() {  # summary DIR BANDWIDTH LATENCY
  mkdir -p "$1"
  cat >"$1/summary.json" <<JSON
{"figures": [
 {"name": "bw", "value": $2, "unit": "MB/s", "better": "higher", "what": "bandwidth"},
 {"name": "lat", "value": $3, "unit": "us", "better": "lower", "what": "latency"},
 {"name": "ratio", "value": 1.0, "unit": "", "better": "info", "what": "not judged"}]}
JSON
}
summary "$PT_TMP/old" 1000 2.0
summary "$PT_TMP/same" 910 2.19          # 9% less bandwidth, 9.5% more latency: within 10%
summary "$PT_TMP/bw" 880 1.0             # bandwidth 12% worse (latency better)
summary "$PT_TMP/lat" 2000 2.3           # latency 15% worse (bandwidth better)
"$cmp" "$PT_TMP/old" "$PT_TMP/same" >"$PT_TMP/o1" || { cat "$PT_TMP/o1"; fail "changes within 10% were flagged"; }
rc=0; "$cmp" "$PT_TMP/old" "$PT_TMP/bw" >"$PT_TMP/o2" || rc=$?
[ "$rc" -eq 1 ] || { cat "$PT_TMP/o2"; fail "a 12% bandwidth loss was not flagged (exit $rc)"; }
grep -q '^bw .*WORSE' "$PT_TMP/o2" && grep -q '^lat .*ok' "$PT_TMP/o2" || { cat "$PT_TMP/o2"; fail "wrong verdicts"; }
rc=0; "$cmp" "$PT_TMP/old/summary.json" "$PT_TMP/lat/summary.json" >"$PT_TMP/o3" || rc=$?
[ "$rc" -eq 1 ] && grep -q '^lat .*WORSE' "$PT_TMP/o3" || { cat "$PT_TMP/o3"; fail "a 15% latency rise was not flagged"; }
echo '{}' >"$PT_TMP/bad.json"
rc=0; "$cmp" "$PT_TMP/old" "$PT_TMP/bad.json" 2>"$PT_TMP/e" >/dev/null || rc=$?
[ "$rc" -eq 2 ] && grep -q "not a bench summary" "$PT_TMP/e" || fail "a bad summary: exit $rc, $(cat "$PT_TMP/e")"
echo "ok: bench/compare flags >10% regressions only"
