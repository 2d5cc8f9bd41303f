"""Where a field's features land in ParaView: opens a partita-heat .xmf (pvbatch), checks
the grid's bounds and the position of the temperature maximum against the deck's, and
renders the last step looking down -Z (X to the right, Y up) in grey levels.
Usage: pvbatch axes_pvbatch.py FILE.xmf OUT.png LX LY LZ PX PY PZ TOL
(box lengths, the expected maximum, and the tolerance in length units)."""
import os
import sys

from paraview.simple import (ColorBy, GetActiveViewOrCreate, GetColorTransferFunction, Render,
                             ResetCamera, SaveScreenshot, Show)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pv_blocks import read_last_step  # noqa: E402

xmf, png = sys.argv[1], sys.argv[2]
box = [float(v) for v in sys.argv[3:6]]
peak = [float(v) for v in sys.argv[6:9]]
tol = float(sys.argv[9])
errors = []

reader, _, blocks = read_last_step(xmf)
mesh = [b for b in blocks if b.IsA("vtkImageData")]
if len(mesh) != 1:
    sys.exit("expected one image block, got %d" % len(mesh))
m = mesh[0]
b = m.GetBounds()
# Cell-centred values: the points span the box less half a cell at each end.
for a, name in enumerate("XYZ"):
    lo, hi = b[2 * a], b[2 * a + 1]
    ok = abs(lo) <= tol and abs(hi - box[a]) <= tol if box[a] > 0 else hi - lo < 1e-12
    if not ok:
        errors.append("%s bounds %.4g..%.4g, expected about 0..%.4g" % (name, lo, hi, box[a]))
t = m.GetPointData().GetArray("temperature")
if t is None:
    sys.exit("no point array 'temperature'")
best = max(range(t.GetNumberOfTuples()), key=t.GetValue)
where = m.GetPoint(best)
if any(abs(where[a] - peak[a]) > tol for a in range(3)):
    errors.append("maximum at (%.4g, %.4g, %.4g), expected (%.4g, %.4g, %.4g)" % (where + tuple(peak)))
print("ParaView: bounds %s, maximum at (%.4g, %.4g, %.4g)" % (tuple(round(v, 4) for v in b), *where))

view = GetActiveViewOrCreate("RenderView")
view.ViewSize = [800, 600]
view.OrientationAxesVisibility = 0
view.Background = [0, 0, 0]
disp = Show(reader, view)
ColorBy(disp, ("POINTS", "temperature"))
lut = GetColorTransferFunction("temperature")
lut.ApplyPreset("Grayscale", True)
disp.SetScalarBarVisibility(view, False)
view.CameraPosition = [0, 0, 10]
view.CameraFocalPoint = [0, 0, 0]
view.CameraViewUp = [0, 1, 0]
ResetCamera()
Render()
SaveScreenshot(png, view, ImageResolution=[800, 600])
if errors:
    print("\n".join(errors))
    sys.exit(1)
