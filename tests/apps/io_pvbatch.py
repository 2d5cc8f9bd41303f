"""Opens a Partita .xmf sidecar in ParaView (pvbatch), checks what the reader made of it
and renders the last step to PNG.
Usage: pvbatch io_pvbatch.py FILE.xmf OUT.png NX NY [NZ]   (file axis order, slowest first)"""
import os
import sys

from paraview.simple import ColorBy, GetActiveViewOrCreate, Render, ResetCamera, SaveScreenshot, Show

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pv_blocks import read_last_step  # noqa: E402

xmf, png, shape = sys.argv[1], sys.argv[2], [int(n) for n in sys.argv[3:]]
errors = []


def check(cond, what):
    if not cond:
        errors.append(what)


reader, times, blocks = read_last_step(xmf)
check(len(times) == 3 and abs(times[-1] - 0.02) < 1e-12, "time steps %s" % times)
mesh = [b for b in blocks if b.IsA("vtkImageData")]
parts = [b for b in blocks if b.IsA("vtkUnstructuredGrid") or b.IsA("vtkPolyData")]
check(len(mesh) == 1 and len(parts) == 1, "blocks: %s" % [b.GetClassName() for b in blocks])
if mesh:
    m = mesh[0]
    # The fastest file axis is ParaView's X; spacing is 1/n along each axis (io_driver).
    n = shape[::-1] + [1] * (3 - len(shape))
    expect = [0.0, (n[0] - 1) / n[0], 0.0, (n[1] - 1) / n[1], 0.0, (n[2] - 1) / n[2] if n[2] > 1 else 0.0]
    got = list(m.GetBounds())
    check(all(abs(a - b) < 1e-9 for a, b in zip(got, expect)), "mesh bounds %s, expected %s" % (got, expect))
    check(list(m.GetDimensions()) == n, "mesh dimensions %s, expected %s" % (list(m.GetDimensions()), n))
    t = m.GetPointData().GetArray("T")
    check(t is not None and t.GetNumberOfTuples() == m.GetNumberOfPoints(), "point array T")
    if t is not None:
        lo, hi = t.GetRange()
        check(-2.0 < lo < hi < 2.0, "T range %s" % ((lo, hi),))
if parts:
    p = parts[0]
    check(p.GetNumberOfPoints() == 40, "particles: %d points" % p.GetNumberOfPoints())
    b = p.GetBounds()
    check(all(-1.01 < v < 1.01 for v in b), "particle bounds %s" % (b,))
    pd = p.GetPointData()
    for name, ncomp in (("id", 1), ("mass", 1), ("velocity", 3)):
        arr = pd.GetArray(name)
        check(arr is not None and arr.GetNumberOfComponents() == ncomp, "particle array %s" % name)
    ids = pd.GetArray("id")
    check(ids is not None and ids.GetRange() == (0.0, 39.0), "id range")

view = GetActiveViewOrCreate("RenderView")
view.ViewSize = [640, 480]
view.ViewTime = times[-1]
display = Show(reader, view)
ColorBy(display, ("POINTS", "T"))
display.RescaleTransferFunctionToDataRange(True)
display.SetScalarBarVisibility(view, True)
ResetCamera(view)
Render(view)
SaveScreenshot(png, view, ImageResolution=[640, 480])

if errors:
    sys.exit("%s: %d problem(s): %s" % (xmf, len(errors), "; ".join(errors)))
print("ok: ParaView reads %s: %d steps, mesh %s, %d particles" % (xmf, len(times), shape, parts[0].GetNumberOfPoints()))
