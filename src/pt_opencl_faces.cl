// The face kernel of pt_opencl (pt_opencl_faces_run): every listed face of one or two
// fields in one launch, one work-item per face cell. Faces are small next to the volume,
// so the index arithmetic does not matter. No contraction: ghost = value - owned is one
// rounded subtraction, as pt_field_wall computes it.
#pragma OPENCL FP_CONTRACT OFF
#pragma OPENCL EXTENSION cl_khr_fp64 : enable

// e[7 k ...]: axis, side, field, mode, first, count, buf of face k; val[k] its value.
__kernel void pt_faces(__global double *f0, __global double *f1, long offset,
                       __global double *buf, __global const long *e,
                       __global const double *val, long total, int ndim, long n0, long n1,
                       long n2, long s0, long s1, long s2) {
  const long x = get_global_id(0);
  if (x >= total) return;
  int k = 0;
  while (x >= e[7 * k + 4] + e[7 * k + 5]) ++k;
  __global const long *f = e + 7 * k;
  const int axis = (int)f[0], side = (int)f[1], mode = (int)f[3];
  __global double *u = (f[2] ? f1 : f0) + offset;
  const long n[3] = {n0, n1, n2}, s[3] = {s0, s1, s2};
  long r = x - f[4], adj = 0;
  for (int d = ndim - 1; d >= 0; --d) {
    if (d == axis) continue;
    adj += (r % n[d]) * s[d];
    r /= n[d];
  }
  adj += (side ? n[axis] - 1 : 0) * s[axis];
  const long ghost = adj + (side ? s[axis] : -s[axis]);
  const long b = f[6] + (x - f[4]);
  if (mode == 0) buf[b] = u[adj];
  else if (mode == 1) u[ghost] = buf[b];
  else if (mode == 2) u[ghost] = val[k] - u[adj];
  else u[ghost] = u[adj];
}
