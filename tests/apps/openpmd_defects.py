"""Shows that openpmd_check.py can fail: copies of good files (a mesh file and a particle
file), each with one defect of a kind the standard forbids, must each be refused with
the expected error, and the unmodified copies accepted.
Usage: openpmd_defects.py MESH_FILE PARTICLE_FILE WORKDIR"""
import os
import shutil
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from openpmd_check import Checker  # noqa: E402

mesh_file, part_file, work = sys.argv[1:4]


def first_step(f):
    return sorted(f["data"], key=int)[0]


def first_mesh(f):
    g = f["data"][first_step(f)]["meshes"]
    return g[sorted(g)[0]]


def first_species(f):
    g = f["data"][first_step(f)]["particles"]
    return g[sorted(g)[0]]


def set_attr(obj, key, value):
    del obj.attrs[key]
    obj.attrs[key] = value


# (name, source file, what to do to the copy, text the error must contain)
DEFECTS = [
    ("declared meshes path missing", mesh_file,
     lambda f: f["data"][first_step(f)].__delitem__("meshes"), "meshesPath declares this group, which is missing"),
    ("declared particles path missing", part_file,
     lambda f: f["data"][first_step(f)].__delitem__("particles"), "particlesPath declares this group, which is missing"),
    ("undeclared meshes group", mesh_file,
     lambda f: f.attrs.__delitem__("meshesPath"), "group present but the file does not declare meshesPath"),
    ("timeUnitSI of the wrong type (a string)", mesh_file,
     lambda f: set_attr(f["data"][first_step(f)], "timeUnitSI", "1.0"), "attribute timeUnitSI must be float64"),
    ("unitSI of the wrong type (int32)", mesh_file,
     lambda f: set_attr(first_mesh(f), "unitSI", np.int32(1)), "attribute unitSI must be float64"),
    ("openPMDextension of the wrong type (float)", part_file,
     lambda f: set_attr(f, "openPMDextension", 0.0), "attribute openPMDextension must be uint32"),
    ("missing required mesh attribute geometry", mesh_file,
     lambda f: first_mesh(f).attrs.__delitem__("geometry"), "missing attribute geometry"),
    ("missing required component attribute unitSI", part_file,
     lambda f: first_species(f)["position"]["x"].attrs.__delitem__("unitSI"), "missing attribute unitSI"),
    ("missing iteration attribute dt", part_file,
     lambda f: f["data"][first_step(f)].attrs.__delitem__("dt"), "missing attribute dt"),
    ("disallowed value of geometry", mesh_file,
     lambda f: set_attr(first_mesh(f), "geometry", np.bytes_("hexagonal")), "geometry must be one of"),
    ("position outside [0, 1)", mesh_file,
     lambda f: set_attr(first_mesh(f), "position", np.ones(first_mesh(f).ndim)), "position values must lie in [0, 1)"),
    ("bad date format", part_file,
     lambda f: set_attr(f, "date", np.bytes_("yesterday")), "date must be"),
    ("missing particlePatches", part_file,
     lambda f: first_species(f).__delitem__("particlePatches"), "missing particlePatches"),
    ("patches that do not add up", part_file,
     lambda f: first_species(f)["particlePatches"]["numParticles"].__setitem__(0, 0), "the patches hold"),
    ("a patch box that misses its particles", part_file,
     lambda f: first_species(f)["particlePatches"]["extent"]["x"].__setitem__(0, 0.0), "positions outside [offset, offset + extent)"),
    ("missing required record positionOffset", part_file,
     lambda f: first_species(f).__delitem__("positionOffset"), "missing required record positionOffset"),
]

failures = 0
for src in (mesh_file, part_file):
    errs = Checker(src).run()
    if errs:
        print("FAIL: the unmodified %s is refused: %s" % (src, errs[0]))
        failures += 1
for i, (name, src, defect, want) in enumerate(DEFECTS):
    dst = os.path.join(work, "defect%02d.h5" % i)
    shutil.copyfile(src, dst)
    with h5py.File(dst, "r+") as f:
        defect(f)
    errs = Checker(dst).run()
    hit = [e for e in errs if want in e]
    if hit:
        print("ok: %s -> %s" % (name, hit[0]))
    else:
        print("FAIL: %s: expected an error containing '%s', got %s" % (name, want, errs or "none"))
        failures += 1
print("%d defect files, %d refused as expected" % (len(DEFECTS), len(DEFECTS) - failures))
sys.exit(1 if failures else 0)
