// partita-heat's explicit update on an OpenCL device (heat_opencl.c): one work-item per
// cell of the box [lo, lo + global size), the contiguous axis first. The expression and
// its order are heat_explicit_box's; FP_CONTRACT OFF (and no -cl-mad-enable) rounds each
// operation on its own, so the field is the CPU's bit for bit.
#pragma OPENCL FP_CONTRACT OFF
#pragma OPENCL EXTENSION cl_khr_fp64 : enable

__kernel void heat_box2d(__global const double *in, __global double *out, long offset,
                         long s0, double c0, double c1, double q, long lo0, long lo1) {
  const long i = lo0 + (long)get_global_id(1), j = lo1 + (long)get_global_id(0);
  __global const double *u = in + offset + i * s0;
  out[offset + i * s0 + j] =
      u[j] + (c0 * ((u[j - s0] + u[j + s0]) - 2.0 * u[j]) + c1 * ((u[j - 1] + u[j + 1]) - 2.0 * u[j])) + q;
}

__kernel void heat_box3d(__global const double *in, __global double *out, long offset,
                         long s0, long s1, double c0, double c1, double c2, double q, long lo0,
                         long lo1, long lo2) {
  const long i = lo0 + (long)get_global_id(2), j = lo1 + (long)get_global_id(1),
             k = lo2 + (long)get_global_id(0);
  __global const double *u = in + offset + i * s0 + j * s1;
  out[offset + i * s0 + j * s1 + k] =
      u[k] + (c0 * ((u[k - s0] + u[k + s0]) - 2.0 * u[k]) + c1 * ((u[k - s1] + u[k + s1]) - 2.0 * u[k]) +
              c2 * ((u[k - 1] + u[k + 1]) - 2.0 * u[k])) + q;
}
