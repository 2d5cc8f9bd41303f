"""openPMD 1.1.0 conformance check of an HDF5 file, following the standard's text
(STANDARD.md of openPMD-standard 1.1.0): every required and recommended attribute at
file, iteration, mesh record, record component, particle species and particle patch
level, with its type and allowed values, and every path the file declares. Each error
names the HDF5 path and the rule. Recommended items (author, software, softwareVersion,
date, particlePatches) are checked as if required: Partita writes them all.
Usage: openpmd_check.py FILE...   (exit 1 when a file has an error)"""
import re
import sys

import h5py
import numpy as np

NAME = re.compile(r"^\w+$")
DATE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}$")
GEOMETRIES = ("cartesian", "thetaMode", "cylindrical", "spherical", "other")


class Checker:
    def __init__(self, path):
        self.path = path
        self.errors = []

    def err(self, where, rule):
        self.errors.append("%s: %s" % (where, rule))

    # --- attribute helpers: each returns the value, or None after recording an error ---
    def attr(self, obj, key, kind, where=None, required=True, n=None):
        where = where or obj.name
        if key not in obj.attrs:
            if required:
                self.err(where, "missing attribute %s" % key)
            return None
        v = obj.attrs[key]
        a = np.asarray(v)
        ok = {
            "string": a.dtype.kind in "SUO" and a.ndim == 0,
            "strings": a.dtype.kind in "SUO" and a.ndim == 1,
            "float64": a.dtype == np.float64 and a.ndim == 0,
            "floatX": a.dtype.kind == "f" and a.ndim == 0,
            "uint32": a.dtype == np.uint32 and a.ndim == 0,
            "float64s": a.dtype == np.float64 and a.ndim == 1,
            "floatXs": a.dtype.kind == "f" and a.ndim == 1,
            "uint64s": a.dtype == np.uint64 and a.ndim == 1,
        }[kind]
        if not ok:
            self.err(where, "attribute %s must be %s (is %s%s)" % (key, kind, a.dtype, "" if a.ndim == 0 else " array"))
            return None
        if n is not None and a.shape != (n,):
            self.err(where, "attribute %s must hold %d values (holds %d)" % (key, n, a.size))
            return None
        if kind == "string":
            return v.decode() if isinstance(v, (bytes, np.bytes_)) else str(v)
        if kind == "strings":
            return [x.decode() if isinstance(x, (bytes, np.bytes_)) else str(x) for x in a]
        return a

    # --- records ---------------------------------------------------------------------
    def record_attrs(self, rec):
        dim = self.attr(rec, "unitDimension", "float64s", n=7)
        self.attr(rec, "timeOffset", "floatX")
        return dim

    def components(self, rec):
        """The record's components: (name, object); a scalar record is its own."""
        if isinstance(rec, h5py.Dataset) or "value" in rec.attrs:
            return [(rec.name.rsplit("/", 1)[-1], rec)]
        comps = []
        for k in rec:
            if not NAME.match(k):
                self.err(rec.name + "/" + k, "component names may hold only [A-Za-z0-9_]")
            comps.append((k, rec[k]))
        if not comps:
            self.err(rec.name, "a vector record needs at least one component")
        return comps

    def component(self, c, length=None):
        """unitSI, and the data: a dataset, or a constant component (value, shape)."""
        self.attr(c, "unitSI", "float64")
        if isinstance(c, h5py.Dataset):
            shape = c.shape
        else:
            if "value" not in c.attrs:
                self.err(c.name, "a component group must be a constant component (attributes value, shape)")
                return None
            shape = self.attr(c, "shape", "uint64s")
            shape = tuple(int(x) for x in shape) if shape is not None else None
        if length is not None and shape is not None and tuple(shape) != (length,):
            self.err(c.name, "must hold one entry per particle (%d), holds shape %s" % (length, tuple(shape)))
        return shape

    def mesh(self, rec):
        comps = self.components(rec)
        shapes = [self.component(c) for _, c in comps]
        nd = len(shapes[0]) if shapes and shapes[0] is not None else None
        self.record_attrs(rec)
        geo = self.attr(rec, "geometry", "string")
        if geo is not None and geo not in GEOMETRIES:
            self.err(rec.name, "geometry must be one of %s (is %s)" % (", ".join(GEOMETRIES), geo))
        if geo == "thetaMode":
            self.attr(rec, "geometryParameters", "string")
        order = self.attr(rec, "dataOrder", "string", required=nd != 1)
        if order is not None and order not in ("C", "F"):
            self.err(rec.name, "dataOrder must be C or F (is %s)" % order)
        labels = self.attr(rec, "axisLabels", "strings", n=nd)
        self.attr(rec, "gridSpacing", "floatXs", n=nd)
        self.attr(rec, "gridGlobalOffset", "float64s", n=nd)
        self.attr(rec, "gridUnitSI", "float64")
        if labels is not None and len(set(labels)) != len(labels):
            self.err(rec.name, "axisLabels must be distinct")
        for (_, c), shape in zip(comps, shapes):
            if shape is not None and nd is not None and len(shape) != nd:
                self.err(c.name, "components of one mesh record must have the same dimensionality")
            pos = self.attr(c, "position", "floatXs", n=nd)
            if pos is not None and not np.all((pos >= 0) & (pos < 1)):
                self.err(c.name, "position values must lie in [0, 1) (are %s)" % list(pos))

    def species(self, sp):
        ids = sp.get("id")
        n = None
        if ids is not None:
            if not isinstance(ids, h5py.Dataset) or ids.dtype != np.uint64 or ids.ndim != 1:
                self.err(ids.name, "id must be a 1-D uint64 record")
            else:
                n = ids.shape[0]
        for req in ("position", "positionOffset"):
            if req not in sp:
                self.err(sp.name, "missing required record %s" % req)
        if n is None and "position" in sp:
            for _, c in self.components(sp["position"]):
                if isinstance(c, h5py.Dataset):
                    n = c.shape[0]
                    break
        for k in sp:
            if k == "particlePatches":
                continue
            if not NAME.match(k):
                self.err(sp.name + "/" + k, "record names may hold only [A-Za-z0-9_]")
            rec = sp[k]
            self.record_attrs(rec)
            for _, c in self.components(rec):
                self.component(c, n)
        if "particlePatches" not in sp:
            self.err(sp.name, "missing particlePatches (recommended for parallel readers)")
        else:
            self.patches(sp, sp["particlePatches"], n)

    def required(self, group, key, kind, what):
        """group[key] if it is a `kind` (dataset or group), else None after an error."""
        obj = group.get(key)
        if not isinstance(obj, kind):
            self.err(group.name, "missing required record %s" % what)
            return None
        return obj

    def patches(self, sp, pp, n):
        num = {}
        for k in ("numParticles", "numParticlesOffset"):
            d = self.required(pp, k, h5py.Dataset, k)
            if d is None:
                continue
            if d.dtype != np.uint64 or d.ndim != 1:
                self.err(d.name, "must be a 1-D uint64 record")
                continue
            self.attr(d, "unitSI", "float64")
            self.record_attrs(d)
            num[k] = d[()]
        pos = sp.get("position")
        want = sorted(k for k, _ in self.components(pos)) if pos is not None else None
        boxes = {}
        for k in ("offset", "extent"):
            g = self.required(pp, k, h5py.Group, "%s/ (components as position's)" % k)
            if g is None:
                continue
            self.record_attrs(g)
            comps = dict(self.components(g))
            if want is not None and sorted(comps) != want:
                self.err(g.name, "components must be position's (%s), are %s" % (want, sorted(comps)))
            for c in comps.values():
                self.component(c)
            boxes[k] = {c: np.asarray(v[()]) for c, v in comps.items() if isinstance(v, h5py.Dataset)}
        if len(num) < 2:
            return
        cnt, first = num["numParticles"], num["numParticlesOffset"]
        if cnt.shape != first.shape:
            self.err(pp.name, "numParticles and numParticlesOffset must have one entry per patch")
            return
        if n is not None and int(cnt.sum()) != n:
            self.err(pp.name, "the patches hold %d particles, the species %d" % (int(cnt.sum()), n))
            return
        # Each patch is the hyperrectangle [offset, offset + extent) of its particles'
        # absolute positions (position + positionOffset).
        if pos is None or len(boxes) < 2 or n is None:
            return
        for c, pc in self.components(pos):
            off = sp["positionOffset"][c] if c in sp.get("positionOffset", {}) else None
            x = pc[()] if isinstance(pc, h5py.Dataset) else np.full(n, pc.attrs["value"])
            if off is not None:
                x = x + (off[()] if isinstance(off, h5py.Dataset) else off.attrs["value"])
            lo, ext = boxes["offset"].get(c), boxes["extent"].get(c)
            if lo is None or ext is None or lo.shape != cnt.shape or ext.shape != cnt.shape:
                self.err(pp.name, "offset/%s and extent/%s must have one entry per patch" % (c, c))
                continue
            for p in range(cnt.size):
                seg = x[int(first[p]):int(first[p]) + int(cnt[p])]
                if seg.size and (seg.min() < lo[p] or seg.max() >= lo[p] + ext[p]):
                    self.err(pp.name, "patch %d: %s positions outside [offset, offset + extent)" % (p, c))

    # --- the file ----------------------------------------------------------------------
    def run(self):
        try:
            f = h5py.File(self.path, "r")
        except OSError as e:
            self.err(self.path, "not an HDF5 file (%s)" % e)
            return self.errors
        with f:
            self.file(f)
        return self.errors

    def file(self, f):
        ver = self.attr(f, "openPMD", "string")
        if ver is not None and not re.match(r"^\d+\.\d+\.\d+$", ver):
            self.err("/", "openPMD must be MAJOR.MINOR.REVISION (is %s)" % ver)
        self.attr(f, "openPMDextension", "uint32")
        base = self.attr(f, "basePath", "string")
        if base is not None and base != "/data/%T/":
            self.err("/", "basePath must be /data/%%T/ (is %s)" % base)
        enc = self.attr(f, "iterationEncoding", "string")
        if enc is not None and enc not in ("fileBased", "groupBased"):
            self.err("/", "iterationEncoding must be fileBased or groupBased (is %s)" % enc)
        fmt = self.attr(f, "iterationFormat", "string")
        if fmt is not None and "%T" not in fmt:
            self.err("/", "iterationFormat must contain %%T (is %s)" % fmt)
        if enc == "groupBased" and fmt is not None and base is not None and fmt != base:
            self.err("/", "a groupBased iterationFormat must equal basePath (%s, %s)" % (fmt, base))
        for k in ("author", "software", "softwareVersion"):
            self.attr(f, k, "string")
        date = self.attr(f, "date", "string")
        if date is not None and not DATE.match(date):
            self.err("/", "date must be 'YYYY-MM-DD HH:mm:ss tz' (is %s)" % date)
        for k in ("softwareDependencies", "machine", "comment"):
            self.attr(f, k, "string", required=False)
        paths = {}
        for k in ("meshesPath", "particlesPath"):
            p = self.attr(f, k, "string", required=False)
            if p is not None:
                if not p.endswith("/"):
                    self.err("/", "%s must end with / (is %s)" % (k, p))
                paths[k] = p.rstrip("/")
        if "data" not in f:
            self.err("/", "no /data group: no iterations")
            return
        iters = list(f["data"])
        if not iters:
            self.err("/data", "no iterations")
        for it in iters:
            where = "/data/" + it
            if not it.isdigit():
                self.err(where, "iteration names must be unsigned integers")
                continue
            g = f["data"][it]
            self.attr(g, "time", "floatX")
            self.attr(g, "dt", "floatX")
            self.attr(g, "timeUnitSI", "float64")
            for key, sub in (("meshesPath", "meshes"), ("particlesPath", "particles")):
                if key not in paths:
                    if sub in g:
                        self.err(where + "/" + sub, "group present but the file does not declare %s" % key)
                    continue
                if paths[key] not in g:
                    self.err(where + "/" + paths[key], "%s declares this group, which is missing" % key)
                    continue
                for name in g[paths[key]]:
                    obj = g[paths[key]][name]
                    if not NAME.match(name):
                        self.err(obj.name, "names may hold only [A-Za-z0-9_]")
                    if key == "meshesPath":
                        self.mesh(obj)
                    elif not isinstance(obj, h5py.Group):
                        self.err(obj.name, "a particle species must be a group")
                    else:
                        self.species(obj)


def main(paths):
    bad = 0
    for p in paths:
        errors = Checker(p).run()
        if errors:
            bad += 1
            for e in errors:
                print("%s: %s" % (p, e))
        else:
            print("ok: %s conforms to openPMD 1.1.0" % p)
    return 1 if bad else 0


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1:]))
