#include "pt_field.h"

#include <stdint.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "pt_error.h"

enum { PT_FIELD_ALIGN = 64, PT_FIELD_PAD = PT_FIELD_ALIGN / sizeof(double) };

void pt_field_layout(int ndim, const int64_t n[], int ng, int64_t alloc[], int64_t stride[]) {
  for (int a = 0; a < ndim; ++a) alloc[a] = n[a] + 2 * (int64_t)ng;
  /* Padding the fastest axis to whole cache lines makes every row start aligned. */
  alloc[ndim - 1] = (alloc[ndim - 1] + PT_FIELD_PAD - 1) / PT_FIELD_PAD * PT_FIELD_PAD;
  stride[ndim - 1] = 1;
  for (int a = ndim - 2; a >= 0; --a) stride[a] = stride[a + 1] * alloc[a + 1];
}

/* The ghost width must fit in the smallest block along every axis that exchanges
 * ghosts. Blocks differ by at most one cell, so the smallest is n / p cells and is held
 * by the last process along the axis: the verdict is the same on every rank. */
static int check_ghost_width(const pt_decomp *d, int ng) {
  if (ng < 0) return PT_ERROR(PT_ERR_INPUT, "ghost width must be at least 0 (got %d)", ng);
  for (int a = 0; a < d->ndim; ++a) {
    if (d->dims[a] == 1 && !d->periodic[a]) continue;
    int64_t smallest = d->gsize[a] / d->dims[a];
    if (ng <= smallest) continue;
    int coords[PT_MAXDIM] = {0}, owner;
    coords[a] = d->dims[a] - 1;
    PT_MPI(MPI_Cart_rank(d->cart, coords, &owner));
    return PT_ERROR(PT_ERR_INPUT,
                    "ghost width %d exceeds the %lld cells owned along axis %s by rank %d: use "
                    "fewer ranks or a larger grid",
                    ng, (long long)smallest, pt_decomp_axis_name(d->ndim, a), owner);
  }
  return PT_OK;
}

int pt_field_create(const pt_decomp *d, int ng, pt_field **out) {
  *out = NULL;
  PT_TRY(check_ghost_width(d, ng));
  pt_field *f = calloc(1, sizeof *f);
  if (!f) return PT_ERROR(PT_ERR_NOMEM, "out of memory allocating a field");
  f->decomp = d;
  f->ndim = d->ndim;
  f->ng = ng;
  for (int a = 0; a < d->ndim; ++a) f->n[a] = d->n[a];
  pt_field_layout(f->ndim, f->n, ng, f->alloc, f->stride);

  /* The padded fastest axis makes the byte size a multiple of 64, as aligned_alloc
   * requires; only overflow needs checking. */
  size_t elems = 1;
  for (int a = 0; a < f->ndim; ++a) {
    if ((uint64_t)f->alloc[a] > SIZE_MAX / sizeof(double) / elems) {
      free(f);
      return PT_ERROR(PT_ERR_NOMEM,
                      "a block of %lld cells with %d ghost layers is too large to address",
                      (long long)pt_decomp_local_cells(d), ng);
    }
    elems *= (size_t)f->alloc[a];
  }
  /* Each field 9 cache lines further into its page than the last, modulo a page. */
  static atomic_uint created;
  const size_t page = 4096, line = PT_FIELD_ALIGN,
               stagger = (atomic_fetch_add_explicit(&created, 1, memory_order_relaxed) * 9u) % (page / line) * line;
  /* aligned_alloc wants a whole number of pages. */
  const size_t bytes = elems > (SIZE_MAX - 2 * page) / sizeof(double) ? 0 : (elems * sizeof(double) + 2 * page - 1) / page * page;
  f->block = bytes ? aligned_alloc(page, bytes) : NULL;
  f->base = f->block ? (double *)f->block + stagger / sizeof(double) : NULL;
  if (!f->base) {
    free(f);
    return PT_ERROR(PT_ERR_NOMEM, "out of memory allocating a field of %zu doubles", elems);
  }
  int64_t planes = f->alloc[0], plane = f->stride[0];
  double *base = f->base;
#ifdef _OPENMP
#pragma omp parallel for schedule(static)
#endif
  for (int64_t i = 0; i < planes; ++i) memset(base + i * plane, 0, (size_t)plane * sizeof(double));
  int64_t origin[PT_MAXDIM];
  for (int a = 0; a < f->ndim; ++a) origin[a] = ng;
  f->data = f->base + pt_field_offset(f, origin);
  *out = f;
  return PT_OK;
}

void pt_field_destroy(pt_field **f) {
  if (!f || !*f) return;
  free((*f)->block);
  free(*f);
  *f = NULL;
}

/* The owned cells form rows along the fastest axis; these give the number of rows and
 * the address of row r in C order, for 2D and 3D alike. */
static int64_t owned_rows(const pt_field *f) {
  int64_t rows = 1;
  for (int a = 0; a < f->ndim - 1; ++a) rows *= f->n[a];
  return rows;
}

static double *owned_row(const pt_field *f, int64_t r) {
  ptrdiff_t off = 0;
  for (int a = f->ndim - 2; a >= 0; --a) {
    off += (ptrdiff_t)(r % f->n[a] * f->stride[a]);
    r /= f->n[a];
  }
  return f->data + off;
}

void pt_field_pack_owned(const pt_field *f, double *dense) {
  int64_t rows = owned_rows(f), len = f->n[f->ndim - 1];
  for (int64_t r = 0; r < rows; ++r)
    memcpy(dense + r * len, owned_row(f, r), (size_t)len * sizeof(double));
}

void pt_field_unpack_owned(pt_field *f, const double *dense) {
  int64_t rows = owned_rows(f), len = f->n[f->ndim - 1];
  for (int64_t r = 0; r < rows; ++r)
    memcpy(owned_row(f, r), dense + r * len, (size_t)len * sizeof(double));
}

void pt_field_fill(pt_field *f, double v) {
  int64_t rows = owned_rows(f), len = f->n[f->ndim - 1];
  for (int64_t r = 0; r < rows; ++r) {
    double *row = owned_row(f, r);
    for (int64_t i = 0; i < len; ++i) row[i] = v;
  }
}

void pt_field_wall(pt_field *f, int d, int side, pt_wall kind, double value) {
  pt_field_wall_reach(f, d, side, kind, value, 0);
}

void pt_field_wall_reach(pt_field *f, int d, int side, pt_wall kind, double value, int reach) {
  const pt_decomp *dc = f->decomp;
  int64_t lo[PT_MAXDIM] = {0, 0, 0}, hi[PT_MAXDIM] = {1, 1, 1};
  for (int e = 0; e < f->ndim; ++e) {
    lo[e] = dc->nbr[e][0] != MPI_PROC_NULL ? -reach : 0;
    hi[e] = f->n[e] + (dc->nbr[e][1] != MPI_PROC_NULL ? reach : 0);
  }
  pt_field_wall_box(f, d, side, kind, value, lo, hi);
}

void pt_field_wall_box(pt_field *f, int d, int side, pt_wall kind, double value,
                       const int64_t lo[], const int64_t hi[]) {
  if (f->decomp->nbr[d][side] != MPI_PROC_NULL) return;
  /* The other axes as an outer and an inner one (one of extent 1 in 2D), so the cells
   * are walked with strides: this runs once per step and face, or per tile. */
  int64_t l[2] = {0, 0}, h[2] = {1, 1}, st[2] = {0, 0};
  for (int e = 0, k = 2 - (f->ndim - 1); e < f->ndim; ++e) {
    if (e == d) continue;
    l[k] = lo[e];
    h[k] = hi[e];
    st[k++] = f->stride[e];
  }
  const ptrdiff_t adj = side ? (ptrdiff_t)((f->n[d] - 1) * f->stride[d]) : 0;
  const ptrdiff_t ghost = side ? (ptrdiff_t)(f->n[d] * f->stride[d]) : -(ptrdiff_t)f->stride[d];
  const double two_v = 2.0 * value;
  for (int64_t a = l[0]; a < h[0]; ++a)
    for (int64_t b = l[1]; b < h[1]; ++b) {
      double *cell = f->data + a * st[0] + b * st[1];
      cell[ghost] = kind == PT_WALL_DIRICHLET ? two_v - cell[adj] : cell[adj];
    }
}
