/* nbody_kernel: the interaction kernel every force strategy shares. Targets sit in
 * vector lanes (one 512-bit register of them at a time) and the sources stream past
 * one by one, so each target's sum runs over the sources strictly in the order given:
 * splitting the sources into blocks (with the accumulators carried from one call to the
 * next) or the targets into slices or threads changes no bit of the result. */
#ifndef NBODY_KERNEL_H
#define NBODY_KERNEL_H

#include <stdint.h>

/* Floating-point operations per interaction, the usual convention for GFLOP/s. */
#define NBODY_FLOPS_PER_INTERACTION 20

/* Targets per vector chunk: the kernel reads and writes target and accumulator arrays
 * in whole chunks, so they must hold nt rounded up to this (PT_PARTICLES_PAD does). */
#define NBODY_KERNEL_CHUNK 16

/* For targets [t0, t1) (t0 a multiple of NBODY_KERNEL_CHUNK) at (tx, ty, tz), adds the
 * pull of `ns` sources at (s[0], s[1], s[2]) with masses s[3]:
 *   acc[c][i] += sum_j m_j (s_j - t_i)_c / (|s_j - t_i|^2 + eps2)^(3/2)
 * and, if acc[3] is not NULL, acc[3][i] -= sum_j m_j / (|s_j - t_i|^2 + eps2)^(1/2).
 * A pair at distance 0 with eps2 = 0 contributes nothing (a body on itself). Runs the
 * chunks on the calling thread (callers thread over target slices). The widest vector
 * unit of the CPU is picked at run time (AVX-512, AVX2 or SSE2). Not collective. */
void nbody_kernel_f64(int64_t t0, int64_t t1, const double *const t[3], int64_t ns,
                      const double *const s[4], double eps2, double *const acc[4]);
void nbody_kernel_f32(int64_t t0, int64_t t1, const float *const t[3], int64_t ns,
                      const float *const s[4], float eps2, float *const acc[4]);

#endif
