"""Checks a Partita output file with h5py, as a user's script would read it: the openPMD
1.1.0 attributes at every level, and values against the formulas of io_driver.c.
Usage: io_check_openpmd.py FILE NX NY [NZ]"""
import sys

import h5py
import numpy as np

path, shape = sys.argv[1], tuple(int(n) for n in sys.argv[2:])
errors = []


def check(cond, what):
    if not cond:
        errors.append(what)


def s(v):
    return v.decode() if isinstance(v, bytes) else v


with h5py.File(path, "r") as f:
    a = f.attrs
    # Root attributes required by the standard, then the recommended ones.
    check(s(a["openPMD"]) == "1.1.0", "openPMD version")
    check(int(a["openPMDextension"]) == 0, "openPMDextension")
    check(s(a["basePath"]) == "/data/%T/", "basePath")
    check(s(a["meshesPath"]) == "meshes/", "meshesPath")
    check(s(a["particlesPath"]) == "particles/", "particlesPath")
    check(s(a["iterationEncoding"]) == "groupBased", "iterationEncoding")
    check(s(a["iterationFormat"]) == "/data/%T/", "iterationFormat")
    check(s(a["software"]) == "io_driver", "software")
    for k in ("author", "softwareVersion", "date", "softwareDependencies", "machine"):
        check(len(s(a[k])) > 0, k)
    check(len(s(a["date"])) == len("2015-12-02 17:48:42 +0100"), "date format")
    check("nx = %d" % shape[0] in s(a["inputDeck"]), "inputDeck holds the resolved deck")

    steps = sorted(int(k) for k in f["data"])
    check(steps == [0, 1, 2], "steps %s" % steps)
    for step in steps:
        g = f["data/%d" % step]
        check(abs(g.attrs["time"] - 0.01 * step) < 1e-15, "time at %d" % step)
        check(g.attrs["dt"] == 0.01 and g.attrs["timeUnitSI"] == 1.0, "dt, timeUnitSI")
        T = g["meshes/T"]
        check(T.shape == shape and T.dtype == np.float64, "T shape %s" % (T.shape,))
        check(s(T.attrs["geometry"]) == "cartesian" and s(T.attrs["dataOrder"]) == "C", "geometry")
        labels = [s(x) for x in T.attrs["axisLabels"]]
        check(labels == ["z", "y", "x"][3 - len(shape):], "axisLabels %s" % labels)
        check(np.allclose(T.attrs["gridSpacing"], [1.0 / n for n in shape]), "gridSpacing")
        check(list(T.attrs["gridGlobalOffset"]) == [0.0] * len(shape), "gridGlobalOffset")
        check(T.attrs["gridUnitSI"] == 1.0 and T.attrs["unitSI"] == 1.0, "unitSI")
        check(list(T.attrs["unitDimension"]) == [0, 0, 0, 0, 1, 0, 0], "T is a temperature")
        check(list(T.attrs["position"]) == [0.0] * len(shape), "position")
        check(T.attrs["timeOffset"] == 0.0, "timeOffset")
        # io_driver: T starts at 0; each step T = T/2 + cos(1e-3 g + step).
        g_index = np.arange(np.prod(shape), dtype=float).reshape(shape)
        expect = np.zeros(shape)
        for k in range(step):
            expect = 0.5 * expect + np.cos(1e-3 * g_index + k)
        check(np.allclose(T[()], expect, rtol=1e-14, atol=1e-14), "T values at step %d" % step)

        sp = g["particles/stars"]
        ids = sp["id"][()]
        check(ids.dtype == np.uint64 and np.array_equal(ids, np.arange(len(ids))), "ids sorted")
        for c in ("x", "y", "z"):
            check(sp["position/" + c].shape == ids.shape, "position/" + c)
            po = sp["positionOffset/" + c]
            check(isinstance(po, h5py.Group) and po.attrs["value"] == 0.0 and
                  list(po.attrs["shape"]) == [len(ids)], "positionOffset/%s is constant 0" % c)
        check(list(sp["position"].attrs["unitDimension"]) == [1, 0, 0, 0, 0, 0, 0], "position unit")
        check(list(sp["velocity"].attrs["unitDimension"]) == [1, 0, -1, 0, 0, 0, 0], "velocity unit")
        check(list(sp["mass"].attrs["unitDimension"]) == [0, 1, 0, 0, 0, 0, 0], "mass unit")
        check(np.allclose(sp["mass"][()], 1.0 + 1e-3 * ids, rtol=1e-15), "mass values")
        if step == 0:
            check(np.allclose(sp["position/y"][()], np.sin(0.1 * ids + 1), rtol=1e-15), "initial y")

if errors:
    sys.exit("%s: %d problem(s): %s" % (path, len(errors), "; ".join(errors)))
print("ok: %s passes the openPMD and value checks" % path)
