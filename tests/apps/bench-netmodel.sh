#!/bin/sh
# The alpha-beta model of bench/scaling and bench/cluster-network (bench/netmodel.py):
# the fit recovers alpha and beta from an exact ping-pong, beta from one with 10% noise,
# refuses times that do not grow with the size, the busiest heat rank's faces are
# counted right, and a cluster-network.json is read as the network of its named link.
. "$(dirname "$0")/../common.sh"
[ -n "${PT_PYTHON:-}" ] || { echo "no Python with numpy: skipped"; exit 77; }
"$PT_PYTHON" -c 'import numpy' 2>/dev/null || { echo "no numpy for $PT_PYTHON: skipped"; exit 77; }
cat >"$PT_TMP/net.json" <<'JSON'
{"throttles": [{"throttle": "unthrottled", "alpha_s": 1.4e-05, "beta_Bps": 1.8e9},
               {"throttle": "1gbit", "alpha_s": 3.0e-05, "beta_Bps": 1.19e8}]}
JSON
"$PT_PYTHON" - "$top_srcdir/bench" "$PT_TMP/net.json" <<'PY' || fail "bench/netmodel.py"
import sys
sys.path.insert(0, sys.argv[1])
import netmodel as nm

def rows(alpha, beta, noise=()):
    sizes = [1 << k for k in range(0, 23, 2)]
    f = list(noise) + [1.0] * len(sizes)
    return [{"size": m, "min": (alpha + m / beta) * 1e6 * f[i]} for i, m in enumerate(sizes)]

a, b, r = nm.fit_alpha_beta(rows(14e-6, 1.2e8))
assert abs(a / 14e-6 - 1) < 1e-9 and abs(b / 1.2e8 - 1) < 1e-9 and r < 1e-9, (a, b, r)
a, b, r = nm.fit_alpha_beta(rows(14e-6, 1.2e8, [1.1, 0.9, 1.1, 0.9, 1.1, 0.9, 1.1, 0.9, 1.1, 0.9, 1.1, 0.9]))
assert abs(b / 1.2e8 - 1) < 0.15 and r > 0.05, (a, b, r)  # the noise shows in the error
try:
    nm.fit_alpha_beta([{"size": 1, "min": 5.0}, {"size": 1 << 20, "min": 4.0}])
    raise AssertionError("a ping-pong that gets faster with size was fitted")
except ValueError:
    pass
# 2 ranks: one neighbour, one face of 2048 doubles; 4 ranks (2 x 2): two faces of 1024.
assert nm.heat_faces(2048, 2048, 2) == (2048 * 1024, [2048 * 8]), nm.heat_faces(2048, 2048, 2)
assert nm.heat_faces(2048, 2048, 4) == (1024 * 1024, [1024 * 8] * 2), nm.heat_faces(2048, 2048, 4)
assert nm.heat_faces(2048, 2048, 8)[1] == [1024 * 8] * 2 + [512 * 8], nm.heat_faces(2048, 2048, 8)
t, c = nm.heat_model_step(2048, 2048, 4, 1e-9, 30e-6, 1.19e8)
assert c == 30e-6 + 16384 / 1.19e8 and t == 1024 * 1024 * 1e-9 + c, (t, c)
net = nm.read_network(sys.argv[2], "1gbit")
assert abs(net["latency_us"] - 30) < 1e-9 and abs(net["bandwidth_GBs"] - 0.119) < 1e-12, net
assert "1gbit" in net["name"] and net["max_nodes"] >= 1, net
assert nm.read_network(sys.argv[2])["latency_us"] == 14.0
try:
    nm.read_network(sys.argv[2], "10mbit")
    raise AssertionError("an unmeasured link was accepted")
except SystemExit as e:
    assert "no throttle '10mbit'" in str(e), e
print("ok: alpha-beta fit, heat faces, network from cluster-network.json")
PY
"$top_srcdir/bench/cluster-network" --help >"$PT_TMP/help" 2>&1 || { cat "$PT_TMP/help"; fail "cluster-network --help"; }
grep -q "predicted / measured" "$PT_TMP/help" || fail "cluster-network --help says nothing of the model"
"$top_srcdir/bench/scaling" --help >"$PT_TMP/help" 2>&1 || { cat "$PT_TMP/help"; fail "scaling --help"; }
grep -q -- "--throttle" "$PT_TMP/help" || fail "scaling --help lacks --throttle"
echo "ok: bench/cluster-network and bench/scaling start"
