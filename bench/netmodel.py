"""The alpha-beta network model of bench/scaling and bench/cluster-network: what a step of
partita-heat and partita-nbody sends, what a message of m bytes costs (alpha + m / beta),
a fit of alpha and beta to a measured ping-pong, and the network description either
tool reads (a hand-written .ini or the JSON that bench/cluster-network measured)."""
import configparser
import json
import math


def dims2(p):
    """A near-square 2D process grid, as MPI_Dims_create makes."""
    a = int(math.sqrt(p))
    while p % a:
        a -= 1
    return p // a, a


def heat_faces(cells_x, cells_y, p):
    """Bytes of each face a rank of a 2D heat run on p ranks sends per step: the busiest
    rank, with a neighbour on both sides of each split axis (an interior rank)."""
    px, py = dims2(p)
    nxl, nyl = cells_x / px, cells_y / py
    faces = []
    if px > 1:
        faces += [nyl * 8] * min(2, px - 1)
    if py > 1:
        faces += [nxl * 8] * min(2, py - 1)
    return nxl * nyl, faces


def heat_comm(faces, alpha, beta):
    """The faces of a step are posted together (pt_halo's non-blocking exchange) and leave
    through one link: one latency, then every byte at the link's bandwidth."""
    return (alpha + sum(faces) / beta) if faces else 0.0


def heat_model_step(cells_x, cells_y, p, t_cell, alpha, beta):
    """One explicit step on p ranks: (time per step, communication time). The update and
    the exchange add up, no credit for overlap (an upper bound where it works)."""
    cells, faces = heat_faces(cells_x, cells_y, p)
    comm = heat_comm(faces, alpha, beta)
    return cells * t_cell + comm, comm


def nbody_comm(n, p, alpha, beta):
    """An allgather of the positions and masses (32 B per body; recursive doubling: log2 p
    latencies, every rank receives the (p - 1) / p of the bodies it does not hold)."""
    return 0.0 if p == 1 else math.ceil(math.log2(p)) * alpha + (p - 1) / p * n * 32 / beta


def nbody_model_step(n, p, t_int, alpha, beta):
    """One all-pairs step on p ranks: N^2/p interactions plus the allgather (blocking)."""
    comm = nbody_comm(n, p, alpha, beta)
    return n * n / p * t_int + comm, comm


def fit_alpha_beta(rows, judge_from=4096):
    """Least-squares fit of t(m) = alpha + m / beta to ping-pong rows (size in bytes, one-way
    time in us; the fastest of the trials). Absolute error, as Hockney's model is usually
    fitted: the large messages, whose time is mostly m / beta, weigh most, so beta is the
    link's sustained rate and alpha what a mid-sized message costs beyond it (a small
    message can cost less). Returns (alpha [s], beta [B/s], the worst relative error of
    the fit over messages of at least `judge_from` bytes, the sizes halos and allgathers
    of real problems send)."""
    import numpy as np
    m = np.array([float(r["size"]) for r in rows])
    t = np.array([r["min"] * 1e-6 for r in rows])
    a = np.vstack([np.ones_like(m), m]).T
    (alpha, inv_beta), *_ = np.linalg.lstsq(a, t, rcond=None)
    if inv_beta <= 0:
        raise ValueError("the ping-pong times do not grow with the message size: no bandwidth to fit")
    alpha = max(float(alpha), 0.0)
    big = m >= judge_from
    if not big.any():
        big = m == m.max()
    resid = float(np.max(np.abs((alpha + m[big] * inv_beta) - t[big]) / t[big]))
    return alpha, 1.0 / float(inv_beta), resid


def read_network(path, throttle=None):
    """The network between nodes: an .ini ([network] name, latency_us, bandwidth_GBs and
    [model] ...) or bench/cluster-network's JSON, whose fitted alpha and beta of THROTTLE
    (default: the unthrottled link) replace the [network] values of DEFAULTS."""
    if path.endswith(".json"):
        return _network_json(path, throttle)
    cp = configparser.ConfigParser(inline_comment_prefixes=(";", "#"))
    if not cp.read(path):
        raise SystemExit("%s: cannot read the network file" % path)
    try:
        net = {"name": cp.get("network", "name"),
               "latency_us": cp.getfloat("network", "latency_us"),
               "bandwidth_GBs": cp.getfloat("network", "bandwidth_GBs"),
               "max_nodes": cp.getint("model", "max_nodes"),
               "ranks_per_node": cp.getint("model", "ranks_per_node"),
               "heat_strong_n": cp.getint("model", "heat_strong_n"),
               "heat_weak_n": cp.getint("model", "heat_weak_n"),
               "nbody_strong_n": cp.getint("model", "nbody_strong_n"),
               "nbody_weak_n": cp.getint("model", "nbody_weak_n")}
    except (configparser.Error, ValueError) as e:
        raise SystemExit("%s: %s" % (path, e))
    if net["latency_us"] < 0 or net["bandwidth_GBs"] <= 0 or net["max_nodes"] < 1:
        raise SystemExit("%s: latency_us must be >= 0, bandwidth_GBs > 0, max_nodes >= 1" % path)
    return net


def _network_json(path, throttle):
    import os
    try:
        with open(path) as f:
            d = json.load(f)
        links = {t["throttle"]: t for t in d["throttles"]}
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise SystemExit("%s: not a bench/cluster-network result (%s)" % (path, e))
    name = throttle or d["throttles"][0]["throttle"]
    if name not in links:
        raise SystemExit("%s: no throttle '%s' (measured: %s)" % (path, name, ", ".join(links)))
    net = read_network(os.path.join(os.path.dirname(os.path.abspath(__file__)), "network.ini"))
    net.update(name="measured: %s, link %s" % (os.path.basename(path), name),
               latency_us=links[name]["alpha_s"] * 1e6, bandwidth_GBs=links[name]["beta_Bps"] / 1e9)
    return net
