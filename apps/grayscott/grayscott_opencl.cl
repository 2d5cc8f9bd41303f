// partita-grayscott's update on an OpenCL device (grayscott_opencl.c): grayscott.c's
// update() cell by cell, the same expression in the same order, one work-item per cell
// (the fastest loop axis first). FP_CONTRACT OFF and no -cl-mad-enable: every operation
// is rounded on its own, so u and v are the CPU's bit for bit.
#pragma OPENCL FP_CONTRACT OFF
#pragma OPENCL EXTENSION cl_khr_fp64 : enable

__kernel void gs_update(__global const double *u0, __global const double *v0, __global double *un,
                        __global double *vn, long offset, int first, long st0, long st1,
                        double c0, double c1, double c2, double dt, double F, double Fk,
                        double Du, double Dv) {
  const long m = get_global_id(0), j = get_global_id(1), i = get_global_id(2);
  const long st[3] = {st0, st1, 1};
  const double c[3] = {c0, c1, c2};
  const long r = offset + i * st0 + j * st1;
  __global const double *u = u0 + r, *v = v0 + r;
  double lu = 0, lv = 0;
  for (int a = first; a < 3; ++a) {
    const long s = st[a];
    lu += c[a] * (u[m + s] + u[m - s] - 2.0 * u[m]);
    lv += c[a] * (v[m + s] + v[m - s] - 2.0 * v[m]);
  }
  const double uvv = u[m] * v[m] * v[m];
  un[r + m] = u[m] + dt * (Du * lu - uvv + F * (1.0 - u[m]));
  vn[r + m] = v[m] + dt * (Dv * lv + uvv - Fk * v[m]);
}
