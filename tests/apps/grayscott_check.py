"""The linearised check of partita-grayscott: around the feed state u = 1, v = 0 a small
Fourier mode c = prod cos(2 pi m x / L) is an eigenfunction of the discrete Laplacian
(eigenvalue -lambda, lambda = sum 4 / h^2 sin^2(pi m / n)), and forward Euler multiplies
its amplitude each step by g_u = 1 - dt (Du lambda + F) in u and g_v = 1 - dt (Dv lambda +
F + k) in v. What is left is the reaction u v^2, of order a^2 per step: after s steps the
fields differ from the linear solution by at most s dt a^2 (1 + a) (|g| <= 1), plus
rounding. usage: grayscott_check.py FILE STEP a F k Du Dv dt m... n... (file-axis order)"""
import math
import sys

import h5py
import numpy as np

path, step = sys.argv[1], int(sys.argv[2])
a, F, k, Du, Dv, dt = (float(x) for x in sys.argv[3:9])
rest = [int(x) for x in sys.argv[9:]]
nd = len(rest) // 2
m, n = rest[:nd], rest[nd:]
with h5py.File(path, "r") as f:
    u = f["/data/%d/meshes/u" % step][()]
    v = f["/data/%d/meshes/v" % step][()]
    h = f["/data/%d/meshes/u" % step].attrs["gridSpacing"]
assert u.shape == tuple(n), (u.shape, n)
c = np.ones(u.shape)
lam = 0.0
for d in range(nd):
    x = (np.arange(n[d]) + 0.5) / n[d]
    shape = [1] * nd
    shape[d] = n[d]
    c = c * np.cos(2 * math.pi * m[d] * x).reshape(shape)
    lam += 4.0 / h[d] ** 2 * math.sin(math.pi * m[d] / n[d]) ** 2
gu, gv = 1 - dt * (Du * lam + F), 1 - dt * (Dv * lam + F + k)
eu = np.max(np.abs(u - (1 - a * gu ** step * c)))
ev = np.max(np.abs(v - a * gv ** step * c))
bound = step * dt * a * a * (1 + a) + 1e-14 * step
signal = a * min(abs(gu), abs(gv)) ** step
print("linearised check, %d steps, amplitude %g: |u - u_lin| %.3g, |v - v_lin| %.3g, bound %.3g "
      "(the mode itself: %.3g)" % (step, a, eu, ev, bound, signal))
if not (eu <= bound and ev <= bound):
    sys.exit("FAIL: the fields leave the linearised solution by more than the bound")
if not bound < 0.1 * signal:
    sys.exit("FAIL: the check is too weak to see the mode (bound %.3g, mode %.3g)" % (bound, signal))
