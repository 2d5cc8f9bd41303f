/* nbody_kernel_fast: the interaction kernel of nbody_kernel.h with the same arguments,
 * contract and order of summation (each target's sum runs over the sources strictly in
 * the order given, so blocking the sources or slicing the targets changes no bit), but
 * 1/sqrt from the CPU's 14-bit reciprocal square root estimate (AVX-512 vrsqrt14)
 * corrected by a truncated binomial series instead of a correctly rounded square root
 * and division. The correction is carried far enough that its truncation error is below
 * the rounding of the remaining operations: a few ulp per interaction, as the exact
 * kernel (docs/verification.md gives the measured force error). On a CPU or compiler
 * without AVX-512 these are the exact kernels. Not collective. */
#ifndef NBODY_KERNEL_FAST_H
#define NBODY_KERNEL_FAST_H

#include <stdint.h>

void nbody_kernel_fast_f64(int64_t t0, int64_t t1, const double *const t[3], int64_t ns,
                           const double *const s[4], double eps2, double *const acc[4]);
void nbody_kernel_fast_f32(int64_t t0, int64_t t1, const float *const t[3], int64_t ns,
                           const float *const s[4], float eps2, float *const acc[4]);

/* 1 when the fast kernels run the AVX-512 code on this CPU, 0 when they are the exact
 * kernels (no AVX-512 in the CPU or in the compiler). */
int nbody_kernel_fast_native(void);

#endif
