#include "pt_decomp.h"

#include <stdio.h>
#include <stdlib.h>

#include "pt_error.h"

void pt_decomp_block(int64_t n, int np, int p, int64_t *start, int64_t *count) {
  int64_t q = n / np, r = n % np;
  *count = q + (p < r);
  *start = p * q + (p < r ? p : r);
}

void pt_decomp_box_of(const pt_decomp *d, const int coords[], int64_t lo[], int64_t n[]) {
  for (int a = 0; a < d->ndim; ++a)
    pt_decomp_block(d->gsize[a], d->dims[a], coords[a], &lo[a], &n[a]);
}

int pt_decomp_owner(const pt_decomp *d, int axis, int64_t g) {
  int64_t n = d->gsize[axis], np = d->dims[axis];
  if (g < 0 || g >= n) return -1;
  int64_t q = n / np, r = n % np;
  /* The first r blocks hold q+1 cells, the rest q: invert pt_decomp_block in O(1). */
  int64_t big = r * (q + 1);
  return (int)(g < big ? g / (q + 1) : r + (g - big) / q);
}

int64_t pt_decomp_local_cells(const pt_decomp *d) {
  int64_t c = 1;
  for (int a = 0; a < d->ndim; ++a) c *= d->n[a];
  return c;
}

int64_t pt_decomp_global_cells(const pt_decomp *d) {
  int64_t c = 1;
  for (int a = 0; a < d->ndim; ++a) c *= d->gsize[a];
  return c;
}

/* "5 x 7" from sizes, or "2 x *" from process counts where 0 means "free". */
const char *pt_decomp_axis_name(int ndim, int a) {
  static const char *const names[PT_MAXDIM] = {"x", "y", "z"};
  return a >= 0 && a < ndim && ndim <= PT_MAXDIM ? names[ndim - 1 - a] : "?";
}

const char *pt_decomp_shape(char *buf, size_t len, int ndim, const int64_t v[]) {
  size_t off = 0;
  buf[0] = '\0';
  for (int k = 0; k < ndim && off < len; ++k) {
    const int a = ndim - 1 - k;
    const char *sep = k ? " x " : "";
    int w = v[a] ? snprintf(buf + off, len - off, "%s%lld", sep, (long long)v[a])
                 : snprintf(buf + off, len - off, "%s*", sep);
    if (w < 0) break;
    off += (size_t)w;
  }
  return buf;
}

/* Search state for the process grid: the best grid so far and its cost. */
typedef struct grid_search {
  int ndim;
  const int64_t *gsize;
  const int *periodic, *fixed;
  int cur[PT_MAXDIM], best[PT_MAXDIM];
  double best_cost;
  int found;
} grid_search;

/* Cost of a process grid: the total area of the cuts between blocks, i.e. the number of
 * cells that cross a rank boundary in one exchange of one ghost layer, summed over the
 * whole grid (each cut is sent both ways, so this is half the traffic). A periodic axis
 * of p > 1 processes has p cuts (the wrap is a cut too); otherwise p - 1. Load balance
 * needs no term: blocks always differ by at most one cell. Doubles are exact up to 2^53
 * and the comparison is the same on every rank, so the choice stays deterministic. */
static double grid_cost(const grid_search *s) {
  double cost = 0;
  for (int a = 0; a < s->ndim; ++a) {
    int p = s->cur[a];
    int cuts = p == 1 ? 0 : s->periodic[a] ? p : p - 1;
    double area = 1;
    for (int b = 0; b < s->ndim; ++b)
      if (b != a) area *= (double)s->gsize[b];
    cost += cuts * area;
  }
  return cost;
}

/* Enumerates every factorisation of `rem` over axes a..ndim-1. Factors run from large to
 * small and only a strictly cheaper grid replaces the best, so among equal costs the
 * first found wins: the one with more ranks along the slower axes, the order
 * MPI_Dims_create uses. */
static void grid_search_axis(grid_search *s, int a, int rem) {
  if (a == s->ndim) {
    if (rem != 1) return;
    double c = grid_cost(s);
    if (!s->found || c < s->best_cost) {
      s->found = 1;
      s->best_cost = c;
      for (int b = 0; b < s->ndim; ++b) s->best[b] = s->cur[b];
    }
    return;
  }
  int hi = s->fixed[a] ? s->fixed[a] : rem;
  int lo = s->fixed[a] ? s->fixed[a] : a == s->ndim - 1 ? rem : 1;
  for (int f = hi; f >= lo; --f) {
    if (rem % f || f > s->gsize[a]) continue;
    s->cur[a] = f;
    grid_search_axis(s, a + 1, rem / f);
  }
}

/* Validates the request and picks the process grid. Purely local and deterministic, so
 * every rank reaches the same verdict. */
static int choose_dims(int ndim, const int64_t gsize[], const int periodic[],
                       const int dims_req[], int nranks, int dims[]) {
  if (ndim < 2 || ndim > 3)
    return PT_ERROR(PT_ERR_INPUT, "number of dimensions must be 2 or 3 (got %d)", ndim);
  int64_t cells = 1;
  for (int a = 0; a < ndim; ++a) {
    if (gsize[a] < 1)
      return PT_ERROR(PT_ERR_INPUT, "global size along axis %s must be at least 1 (got %lld)",
                      pt_decomp_axis_name(ndim, a), (long long)gsize[a]);
    if (cells > INT64_MAX / gsize[a]) {
      char g[96];
      return PT_ERROR(PT_ERR_INPUT, "grid %s has more cells than a 64-bit index can count",
                      pt_decomp_shape(g, sizeof g, ndim, gsize));
    }
    cells *= gsize[a];
  }
  int fixed[PT_MAXDIM] = {0};
  int64_t fixed64[PT_MAXDIM] = {0};
  int64_t fixed_prod = 1;
  int nfree = 0;
  for (int a = 0; a < ndim; ++a) {
    fixed[a] = dims_req ? dims_req[a] : 0;
    if (fixed[a] < 0)
      return PT_ERROR(PT_ERR_INPUT,
                      "process count along axis %s must be at least 0 (0 = automatic), got %d",
                      pt_decomp_axis_name(ndim, a), fixed[a]);
    fixed64[a] = fixed[a];
    /* Saturates once past nranks: the product is only compared with nranks. */
    if (fixed[a] && fixed_prod <= nranks) fixed_prod *= fixed[a];
    if (!fixed[a]) ++nfree;
  }
  char g[96], p[96];
  if (nfree == 0 && fixed_prod != nranks)
    return PT_ERROR(PT_ERR_INPUT, "process grid %s does not match the number of ranks (%d)",
                    pt_decomp_shape(p, sizeof p, ndim, fixed64), nranks);
  if (nranks % fixed_prod)
    return PT_ERROR(
        PT_ERR_INPUT,
        "process grid %s cannot use %d ranks: the fixed counts must multiply to a divisor of %d",
        pt_decomp_shape(p, sizeof p, ndim, fixed64), nranks, nranks);

  int zero[PT_MAXDIM] = {0};
  grid_search s = {
      .ndim = ndim, .gsize = gsize, .periodic = periodic ? periodic : zero, .fixed = fixed};
  grid_search_axis(&s, 0, nranks);
  if (!s.found) {
    if (nfree == ndim)
      return PT_ERROR(
          PT_ERR_INPUT,
          "grid %s cannot be split over %d ranks: every rank needs at least one cell per axis",
          pt_decomp_shape(g, sizeof g, ndim, gsize), nranks);
    return PT_ERROR(
        PT_ERR_INPUT,
        "grid %s cannot be split over %d ranks as %s: every rank needs at least one cell per axis",
        pt_decomp_shape(g, sizeof g, ndim, gsize), nranks,
        pt_decomp_shape(p, sizeof p, ndim, fixed64));
  }
  for (int a = 0; a < ndim; ++a) dims[a] = s.best[a];
  return PT_OK;
}

/* Builds the Cartesian communicator and this rank's box. */
static int setup(pt_decomp *d, MPI_Comm comm) {
  PT_MPI(MPI_Cart_create(comm, d->ndim, d->dims, d->periodic, 0, &d->cart));
  PT_MPI(MPI_Comm_set_errhandler(d->cart, MPI_ERRORS_RETURN));
  PT_MPI(MPI_Comm_rank(d->cart, &d->rank));
  PT_MPI(MPI_Comm_size(d->cart, &d->size));
  PT_MPI(MPI_Cart_coords(d->cart, d->rank, d->ndim, d->coords));
  for (int a = 0; a < d->ndim; ++a)
    PT_MPI(MPI_Cart_shift(d->cart, a, 1, &d->nbr[a][0], &d->nbr[a][1]));
  pt_decomp_box_of(d, d->coords, d->lo, d->n);
  return PT_OK;
}

int pt_decomp_create(MPI_Comm comm, int ndim, const int64_t gsize[], const int periodic[],
                     const int dims_req[], pt_decomp **out) {
  *out = NULL;
  int nranks;
  PT_MPI(MPI_Comm_size(comm, &nranks));
  int dims[PT_MAXDIM] = {0};
  PT_TRY(pt_agree(comm, choose_dims(ndim, gsize, periodic, dims_req, nranks, dims)));

  pt_decomp *d = calloc(1, sizeof *d);
  int err = d ? PT_OK : PT_ERROR(PT_ERR_NOMEM, "out of memory allocating the decomposition");
  if (d) {
    d->ndim = ndim;
    d->cart = MPI_COMM_NULL;
    for (int a = 0; a < ndim; ++a) {
      d->gsize[a] = gsize[a];
      d->dims[a] = dims[a];
      d->periodic[a] = periodic && periodic[a] ? 1 : 0;
    }
  }
  /* setup starts with a collective MPI_Cart_create: no rank may skip it alone. */
  err = pt_agree(comm, err);
  if (!err) err = pt_agree(comm, setup(d, comm));
  if (err) {
    pt_decomp_destroy(&d);
    return err;
  }
  *out = d;
  return PT_OK;
}

void pt_decomp_destroy(pt_decomp **d) {
  if (!d || !*d) return;
  /* Unchecked: a destroy has no error to return; a failed free only leaks the handle. */
  if ((*d)->cart != MPI_COMM_NULL) MPI_Comm_free(&(*d)->cart);
  free(*d);
  *d = NULL;
}
