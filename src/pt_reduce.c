#include "pt_reduce.h"

#include <math.h>
#include <stdlib.h>

#include "pt_error.h"

int pt_sum_prepare(pt_sum *s, MPI_Comm comm) {
  double in[2] = {s->maxabs, (double)s->count}, out[2];
  PT_MPI(MPI_Allreduce(&in[0], &out[0], 1, MPI_DOUBLE, MPI_MAX, comm));
  PT_MPI(MPI_Allreduce(&in[1], &out[1], 1, MPI_DOUBLE, MPI_SUM, comm));
  if (!isfinite(out[0])) return PT_ERROR(PT_ERR_RUNTIME, "sum of non-finite values (NaN or Inf)");
  /* Largest scale with max * count * 2^scale < 2^125: no term and no partial sum can
   * overflow the 128-bit accumulator, whatever the order of addition. */
  int emax = 0, ecount = 0;
  frexp(out[0], &emax);
  frexp(out[1] + 1, &ecount);
  s->scale = out[0] > 0 ? 125 - emax - ecount : 0;
  s->acc = 0;
  return PT_OK;
}

void pt_sum_add(pt_sum *s, double x) {
  /* ldexp is exact; rounding to an integer is the only (deterministic) approximation,
   * and an integer-valued double below 2^125 converts to __int128 exactly. */
  s->acc += (__int128)nearbyint(ldexp(x, s->scale));
}

/* Sums 128-bit integers exactly; the combination order cannot matter. */
static void sum_i128(void *in, void *inout, int *len, MPI_Datatype *dt) {
  (void)dt;
  __int128 *a = in, *b = inout;
  for (int i = 0; i < *len; ++i) b[i] += a[i];
}

int pt_sum_finish(pt_sum *s, MPI_Comm comm, double *sum) {
  MPI_Datatype t;
  MPI_Op op;
  PT_MPI(MPI_Type_contiguous((int)sizeof(__int128), MPI_BYTE, &t));
  PT_MPI(MPI_Type_commit(&t));
  PT_MPI(MPI_Op_create(sum_i128, 1, &op));
  __int128 total = 0;
  int err = PT_MPI_CHECK(MPI_Allreduce(&s->acc, &total, 1, t, op, comm));
  /* Unchecked: the sum is made (or its error recorded); a failed free only leaks. */
  MPI_Op_free(&op);
  MPI_Type_free(&t);
  PT_TRY(err);
  /* One correctly rounded conversion, then an exact power-of-two scaling. */
  *sum = ldexp((double)total, -s->scale);
  return PT_OK;
}

int pt_reduce_sum(MPI_Comm comm, const double *x, size_t n, double *sum) {
  pt_sum s;
  pt_sum_init(&s);
  for (size_t i = 0; i < n; ++i) pt_sum_scan(&s, x[i]);
  PT_TRY(pt_sum_prepare(&s, comm));
  for (size_t i = 0; i < n; ++i) pt_sum_add(&s, x[i]);
  return pt_sum_finish(&s, comm, sum);
}

int pt_reduce_field(const pt_field *f, pt_stats *st) {
  MPI_Comm comm = f->decomp->cart;
  const int64_t total = pt_decomp_local_cells(f->decomp);
  double mn = INFINITY, mx = -INFINITY;
  pt_sum sum, sq;
  pt_sum_init(&sum);
  pt_sum_init(&sq);
  /* Two passes over the owned cells: scan the magnitudes, then add exactly. */
  for (int pass = 0; pass < 2; ++pass) {
    if (pass == 1) {
      PT_TRY(pt_sum_prepare(&sum, comm));
      PT_TRY(pt_sum_prepare(&sq, comm));
    }
    for (int64_t c = 0; c < total; ++c) {
      int64_t idx[PT_MAXDIM], r = c;
      for (int k = f->ndim - 1; k >= 0; --k) {
        idx[k] = r % f->n[k];
        r /= f->n[k];
      }
      const double u = f->data[pt_field_offset(f, idx)];
      if (pass == 0) {
        pt_sum_scan(&sum, u);
        pt_sum_scan(&sq, u * u);
        mn = u < mn ? u : mn;
        mx = u > mx ? u : mx;
      } else {
        pt_sum_add(&sum, u);
        pt_sum_add(&sq, u * u);
      }
    }
  }
  PT_TRY(pt_sum_finish(&sum, comm, &st->sum));
  PT_TRY(pt_sum_finish(&sq, comm, &st->sumsq));
  PT_MPI(MPI_Allreduce(&mn, &st->min, 1, MPI_DOUBLE, MPI_MIN, comm));
  PT_MPI(MPI_Allreduce(&mx, &st->max, 1, MPI_DOUBLE, MPI_MAX, comm));
  return PT_OK;
}
