// partita-nbody on an OpenCL device (nbody_opencl.c). Built once per run with
// -DREAL=double or -DREAL=float (the force precision) and -DTILE=T (the work-group size
// of nbody_pull). The state is one buffer of 11 n doubles: x y z, vx vy vz, m, ax ay az,
// pot. The interaction is nbody_kernel's expression in its order, and FP_CONTRACT OFF
// (with -cl-fp32-correctly-rounded-divide-sqrt in FP32) rounds each operation as C does.
#pragma OPENCL FP_CONTRACT OFF
#pragma OPENCL EXTENSION cl_khr_fp64 : enable

// own = this rank's block x[n] y[n] z[n] m[n] in the force precision (its x, y, z are
// also the targets); sums zeroed.
__kernel void nbody_begin(__global const double *state, long n, __global REAL *own,
                          __global REAL *sums) {
  const long i = get_global_id(0);
  if (i >= n) return;
  for (int c = 0; c < 3; ++c) own[c * n + i] = (REAL)state[c * n + i];
  own[3 * n + i] = (REAL)state[6 * n + i];
  for (int c = 0; c < 4; ++c) sums[c * n + i] = (REAL)0;
}

// Adds the pull of the nb sources of src (the same layout as own) on every target: one
// work-item per target, the sources passing through local memory a tile at a time, each
// target's sum running over them in order, as the CPU kernel's does. Work-items past the
// last target load their share of each tile and reach every barrier.
__kernel __attribute__((reqd_work_group_size(TILE, 1, 1)))
void nbody_pull(__global const REAL *own, long n, __global const REAL *src, long nb, REAL eps2,
                int with_pot, __global REAL *sums) {
  __local REAL sx[TILE], sy[TILE], sz[TILE], sm[TILE];
  const long i = get_global_id(0);
  const int l = (int)get_local_id(0), live = i < n;
  const REAL xi = live ? own[i] : 0, yi = live ? own[n + i] : 0, zi = live ? own[2 * n + i] : 0;
  REAL a0 = live ? sums[i] : 0, a1 = live ? sums[n + i] : 0, a2 = live ? sums[2 * n + i] : 0;
  REAL ph = live ? sums[3 * n + i] : 0;
  for (long j0 = 0; j0 < nb; j0 += TILE) {
    const long j = j0 + l;
    if (j < nb) {
      sx[l] = src[j];
      sy[l] = src[nb + j];
      sz[l] = src[2 * nb + j];
      sm[l] = src[3 * nb + j];
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    const int left = nb - j0 < TILE ? (int)(nb - j0) : TILE;
    for (int k = 0; k < left; ++k) {
      const REAL dx = sx[k] - xi, dy = sy[k] - yi, dz = sz[k] - zi;
      const REAL r2 = dx * dx + dy * dy + dz * dz + eps2;
      const REAL inv = r2 > 0 ? (REAL)1 / sqrt(r2) : (REAL)0;
      const REAL minv = sm[k] * inv;
      const REAL f = minv * inv * inv;
      a0 += f * dx;
      a1 += f * dy;
      a2 += f * dz;
      ph -= minv;
    }
    barrier(CLK_LOCAL_MEM_FENCE);
  }
  if (!live) return;
  sums[i] = a0;
  sums[n + i] = a1;
  sums[2 * n + i] = a2;
  if (with_pot) sums[3 * n + i] = ph;
}

// acc = G sums and, with with_pot, pot = G (sum + own term): the pull added -m / eps for
// the body itself, and the same value, computed the same way, is taken back.
__kernel void nbody_end(__global double *state, long n, __global const REAL *own,
                        __global const REAL *sums, double G, REAL eps2, int with_pot) {
  const long i = get_global_id(0);
  if (i >= n) return;
  for (int c = 0; c < 3; ++c) state[(7 + c) * n + i] = G * (double)sums[c * n + i];
  if (!with_pot) return;
  const double self = eps2 > 0 ? (double)(own[3 * n + i] * ((REAL)1 / sqrt(eps2))) : 0.0;
  state[10 * n + i] = G * ((double)sums[3 * n + i] + self);
}

// y += h dy over three components: a kick (y = v, dy = a) or a drift (y = x, dy = v);
// y and dy are offsets into the state, in doubles.
__kernel void nbody_axpy(__global double *state, long n, long y, long dy, double h) {
  const long i = get_global_id(0);
  if (i >= n) return;
  for (int c = 0; c < 3; ++c) state[y + c * n + i] += h * state[dy + c * n + i];
}
