/** @file
 * pt_reduce: reductions whose result does not depend on the rank count or the order of
 * the terms, for diagnostics that must be reproducible (total heat, L2 norms, energies).
 * Sums are exact integer sums of each term quantised against the global maximum
 * magnitude: with 2^126 of headroom the quantum is max|x| * n * 2^-126, so the result
 * keeps well over 53 bits of the sum's magnitude for any n below 2^60. */
#ifndef PT_REDUCE_H
#define PT_REDUCE_H

#include <mpi.h>
#include <stddef.h>
#include <stdint.h>

#include "pt_field.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Accumulates terms on one rank; combine with pt_sum_finish. Not collective. */
typedef struct pt_sum {
  double maxabs;   /**< pass 1: largest |term| */
  int64_t count;   /**< pass 1: number of terms */
  int scale;       /**< pass 2: terms are multiplied by 2^scale and rounded */
  __int128 acc;    /**< pass 2: exact integer sum */
} pt_sum;

/** Two passes over the same terms: pt_sum_scan (pass 1) for each term, then
 * pt_sum_prepare (collective: agrees on the quantum), pt_sum_add (pass 2) for each term,
 * then pt_sum_finish (collective) returns the sum on every rank. pt_sum_init starts an
 * empty sum. */
static inline void pt_sum_init(pt_sum *s) { s->maxabs = 0; s->count = 0; s->scale = 0; s->acc = 0; }
/** Pass 1: counts term `x` and notes its magnitude (a NaN as infinite). Not collective. */
static inline void pt_sum_scan(pt_sum *s, double x) {
  double a = x < 0 ? -x : x;
  /* A NaN fails every comparison: record it as infinite so pt_sum_prepare rejects it. */
  if (!(a <= s->maxabs)) s->maxabs = a == a ? a : 1.0 / 0.0;
  s->count++;
}
/** Ends pass 1: agrees on the largest magnitude and the term count, which fix the quantum.
 * Collective over comm. Errors: PT_ERR_MPI, PT_ERR_RUNTIME for a non-finite term. */
int pt_sum_prepare(pt_sum *s, MPI_Comm comm);
/** Pass 2: adds term `x`, scaled to the agreed quantum and rounded to an integer (the only
 * rounding, and a deterministic one). Not collective. */
void pt_sum_add(pt_sum *s, double x);
/** Ends pass 2: *sum is the exact sum of the quantised terms, rounded once, the same on
 * every rank. Collective over comm. Errors: PT_ERR_MPI. */
int pt_sum_finish(pt_sum *s, MPI_Comm comm, double *sum);

/** Reproducible sum of n local values over comm (both passes). Collective. */
int pt_reduce_sum(MPI_Comm comm, const double *x, size_t n, double *sum);

/** What a solver's diagnostics report of a field. */
typedef struct pt_stats {
  double sum;    /**< of the cell values: reproducible (pt_sum) */
  double sumsq;  /**< of the squares of the cell values: reproducible */
  double min;    /**< smallest cell value */
  double max;    /**< largest cell value */
} pt_stats;

/** Statistics of the owned cells of `f` over its whole decomposition: the same bits on
 * any rank and thread count. Errors: PT_ERR_MPI, PT_ERR_RUNTIME (a non-finite value).
 * Collective over f->decomp->cart. */
int pt_reduce_field(const pt_field *f, pt_stats *st);

#ifdef __cplusplus
}
#endif
#endif
