#!/bin/sh
# The same field looks the same everywhere: a partita-heat run on a non-square box with
# one off-centre hot spot (x = 0.4, y = 0.75 of a 2 x 1 box; in 3D also z = 0.34 of 0.5)
# must show it there in h5py (through axisLabels, gridSpacing, gridGlobalOffset,
# position), in partita-plot's PNG (left of centre, upper half: x across, y up) and in
# ParaView (the grid's bounds, the maximum's position, and a rendered PNG looking down -Z).
. "$(dirname "$0")/../common.sh"
heat="$top_builddir/apps/heat/partita-heat"
plot="$top_srcdir/tools/partita-plot"
[ -n "${PT_PYTHON:-}" ] || { echo "no Python with h5py and matplotlib: skipped"; exit 77; }
[ -x "$heat" ] || { echo "partita-heat not built: skipped"; exit 77; }
have_pv=1
command -v pvbatch >/dev/null 2>&1 && command -v Xvfb >/dev/null 2>&1 || have_pv=0

spot="--set initial.type=gaussian --set initial.width=0.08 --set initial.center_x=0.4 --set initial.center_y=0.75 \
  --set boundary.x_lo_value=0 --set boundary.x_hi_value=0 --set time.steps=20 --set grid.lx=2 --set grid.ly=1"

# h5py: the maximum's (x, y[, z]) from the openPMD attributes alone.
h5_peak() { # FILE X Y Z TOL
  "$PT_PYTHON" - "$@" <<'PY' || fail "h5py: the hot spot of $1 is not where the deck put it"
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
want = dict(zip("xyz", map(float, sys.argv[2:5])))
tol = float(sys.argv[5])
it = f["data/" + sorted(f["data"], key=int)[-1]]
d = it["meshes/temperature"]
labels = [l.decode() for l in d.attrs["axisLabels"]]
idx = np.unravel_index(np.argmax(d[()]), d.shape)
pos = {l: (d.attrs["gridGlobalOffset"][a] + (idx[a] + d.attrs["position"][a]) * d.attrs["gridSpacing"][a])
       for a, l in enumerate(labels)}
print("h5py: shape %s, axisLabels %s, maximum at %s" % (d.shape, labels, {l: round(v, 4) for l, v in pos.items()}))
sys.exit(0 if all(abs(pos[l] - want[l]) <= tol for l in labels) else 1)
PY
}

# The brightest pixel of a PNG (columns left of `right` only: a colour bar sits there)
# must be left of the image's centre and in its upper half.
png_peak() { # PNG RIGHT_FRACTION WHAT COLOURMAP
  "$PT_PYTHON" - "$@" <<'PY' || fail "$3: the hot spot is not upper left in $1"
import sys
import matplotlib.image as mpimg
import numpy as np
from matplotlib import colormaps
img = mpimg.imread(sys.argv[1])[:, :, :3]
h, w = img.shape[:2]
cut = int(w * float(sys.argv[2]))
part = img[:, :cut].reshape(-1, 3)
# A pixel's value is the position of its nearest colour in the map the image was drawn
# with (partita-plot: inferno; ParaView here: grey levels); pixels far from every colour
# of the map (background, text) count as nothing.
cmap = colormaps[sys.argv[4]](np.linspace(0, 1, 256))[:, :3]
dist = ((part[:, None, :] - cmap[None, :, :]) ** 2).sum(axis=2)
value = np.where(dist.min(axis=1) < 1e-3, dist.argmin(axis=1), -1)
row, col = divmod(int(value.argmax()), cut)
print("%s: brightest pixel at column %d of %d, row %d of %d" % (sys.argv[3], col, w, row, h))
sys.exit(0 if col < w / 2 and row < h / 2 else 1)
PY
}

pv_check() { # XMF PNG LX LY LZ PX PY PZ TOL
  [ $have_pv -eq 1 ] || return 0
  pv_run "$PT_TMP/pv.log" "$top_srcdir/tests/apps/axes_pvbatch.py" "$@"
  rc=$?
  grep -v '^$' "$PT_TMP/pv.log"
  [ "$rc" -ne 77 ] || { echo "no usable X display for pvbatch: skipped"; exit 77; }
  [ "$rc" -eq 0 ] || fail "ParaView: $1 does not show the hot spot where the deck put it"
}

d="$PT_TMP/2d"
# shellcheck disable=SC2086
mpirun_t 60 2 "$heat" "$top_srcdir/input/heat2d.ini" -q $spot --set grid.nx=64 --set grid.ny=32 --output "$d" ||
  fail "2D run failed"
h5_peak "$d/heat.h5" 0.4 0.75 0 0.05
"$plot" "$d/heat.h5" -o "$d/plot.png" || fail "partita-plot failed"
png_peak "$d/plot.png" 0.75 partita-plot inferno
pv_check "$d/heat.xmf" "$d/pv.png" 2 1 0 0.4 0.75 0 0.05
[ $have_pv -eq 0 ] || png_peak "$d/pv.png" 1 ParaView gray

d="$PT_TMP/3d"
# shellcheck disable=SC2086
mpirun_t 60 3 "$heat" "$top_srcdir/input/heat3d.ini" -q $spot --set grid.lz=0.5 --set initial.center_z=0.34375 \
  --set grid.nx=32 --set grid.ny=16 --set grid.nz=8 --set boundary.z_lo=neumann --set boundary.z_hi=neumann --set time.steps=2 \
  --output "$d" || fail "3D run failed"
h5_peak "$d/heat.h5" 0.4 0.75 0.34375 0.07
pv_check "$d/heat.xmf" "$d/pv.png" 2 1 0.5 0.4 0.75 0.34375 0.07
[ $have_pv -eq 1 ] || echo "note: pvbatch or Xvfb not installed: the ParaView views were not checked"
echo "ok: the hot spot lands at x = 0.4, y = 0.75 (z = 0.34) in h5py, partita-plot and ParaView"
