#!/bin/sh
# partita-commbench on 2 ranks with tiny sizes: every family runs, the text tables keep
# the OSU micro-benchmarks' columns, the JSON report holds every row with min <= avg <=
# max, and a bad key fails with exit 1 and the key's name.
. "$(dirname "$0")/../common.sh"
cb="$top_builddir/apps/commbench/partita-commbench"
py=${PT_PYTHON:-python3}
command -v "$py" >/dev/null 2>&1 || { echo "no Python 3: skipped"; exit 77; }
out="$PT_TMP/cb.txt"
mpirun_t 60 2 "$cb" --set commbench.max_size=64 --set commbench.coll_max_size=64 \
  --set commbench.iterations=20 --set commbench.trials=2 --set commbench.window=4 \
  --set commbench.halo_n2d=16 --set commbench.halo_n3d=8 --set commbench.halo_iterations=5 \
  --report "$PT_TMP/cb.json" >"$out" 2>"$PT_TMP/err" || { cat "$out" "$PT_TMP/err"; fail "commbench failed"; }

# OSU layout: "# Size" header, then rows "SIZE  FIGURE" (2 columns) or, in the full
# layout, "SIZE  AVG  MIN  MAX  ITERATIONS" (5 columns); sizes double from 1.
grep -q '^# Size          Latency (us)$' "$out" || fail "no OSU latency header"
grep -q '^# Size      Bandwidth (MB/s)$' "$out" || fail "no OSU bandwidth header"
grep -q '^# Size       Avg Latency(us)   Min Latency(us)   Max Latency(us)  Iterations$' "$out" \
  || fail "no OSU full-format header"
awk '/^# partita-commbench: ping-pong/ {t=1; next} t && /^#/ {next} t && NF==0 {exit}
     t { if (NF != 2 || $1 != want) { print "bad row: " $0; bad=1; exit } want *= 2 }
     BEGIN {want=1} END {exit bad || want != 128}' "$out" || fail "ping-pong rows are not 1..64 in 2 columns"
awk '/^# partita-commbench: MPI_Allreduce on 2 ranks/ {t=1; next} t && /^#/ {next} t && NF==0 {exit}
     t { if (NF != 5 || $5 != 20) { print "bad row: " $0; bad=1; exit } n++ }
     END {exit bad || n != 4}' "$out" || fail "allreduce rows are not 8..64 in 5 columns"

"$py" - "$PT_TMP/cb.json" <<'PY' || fail "JSON report"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["app"] == "partita-commbench" and d["run"]["mpi_ranks"] == 2, d.get("run")
names = [b["name"] for b in d["benchmarks"]]
want = ["pingpong", "bw", "bibw", "bcast", "scatter", "gather", "allgather", "alltoall",
        "reduce", "allreduce", "put_latency_fence", "put_bw_pscw", "get_latency_lock",
        "get_bw_lock", "halo_2d", "halo_3d"]
missing = [w for w in want if w not in names]
assert not missing, "missing tables: %s" % missing
for b in d["benchmarks"]:
    rows = b["rows"]
    assert rows or "note" in b, b["name"]
    for r in rows:
        assert 0 < r["min"] <= r["avg"] * (1 + 1e-12) and r["avg"] <= r["max"] * (1 + 1e-12), (b["name"], r)
    if b["name"] == "pingpong":
        assert [r["size"] for r in rows] == [1, 2, 4, 8, 16, 32, 64], rows
        assert b["metric"] == "latency_us"
    if b["name"] == "halo_2d":
        # 16 x 16 over 2 x 1 ranks, periodic: 2 faces of 16 doubles + 2 of 8 doubles
        # depth 2 (the ghost box): 2 x 2 layers of 16 (or 8) along the first axis, and
        # along the second 2 x 2 layers spanning the first's ghosts: 8 + 4 (or 16 + 4)
        assert {r["label"] for r in rows} >= {"p2p", "neighbor", "p2p:k2", "p2p:k4"}, rows
        for r in rows:
            want = {"": 2 * 16 + 2 * 8, "k2": 2 * 2 * 16 + 2 * 2 * 12, "k4": 2 * 4 * 16 + 2 * 4 * 16}
            assert r["size"] == want[r["label"].partition(":")[2]] * 8, r
        assert b["note"] == "messages per rank per step: k=1: 4, k=2: 2, k=4: 1", b["note"]
PY

# Input errors: one line naming the key, exit 1 on every rank.
rc=0
mpirun_t 30 2 "$cb" --set commbench.tests=pingpong,nosuch >"$PT_TMP/o" 2>"$PT_TMP/e" || rc=$?
[ "$rc" -eq 1 ] || fail "unknown test: exit $rc, expected 1"
grep -q "commbench.tests: unknown entry 'nosuch'" "$PT_TMP/e" || fail "unknown test: $(cat "$PT_TMP/e")"
rc=0
mpirun_t 30 2 "$cb" --set commbench.tests=halo --set commbench.halo_depths=1,2.5 >"$PT_TMP/o" 2>"$PT_TMP/e" || rc=$?
[ "$rc" -eq 1 ] || fail "halo depth 2.5: exit $rc, expected 1"
grep -q "commbench.halo_depths: entry 2 is 2.5" "$PT_TMP/e" || fail "halo depth 2.5: $(cat "$PT_TMP/e")"
echo "ok: partita-commbench tables, JSON report and input errors"
