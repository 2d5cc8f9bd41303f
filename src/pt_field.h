/** @file
 * pt_field: a distributed 2D/3D grid of doubles over a pt_decomp, with `ng` ghost
 * layers on every side and 64-byte aligned storage. Local index (i0, i1[, i2]) runs over
 * -ng .. n[d]+ng-1; the fastest axis is padded so every row starts 64-byte aligned. */
#ifndef PT_FIELD_H
#define PT_FIELD_H

#include <stddef.h>
#include <stdint.h>

#include "pt_decomp.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A field of doubles on this rank's block, ghosts included (pt_field_create). */
typedef struct pt_field {
  const pt_decomp *decomp;    /**< the decomposition (not owned: must outlive f) */
  int ndim;                   /**< number of axes (decomp->ndim) */
  int ng;                     /**< ghost layers on every side */
  int64_t n[PT_MAXDIM];       /**< owned cells per axis (decomp->n) */
  int64_t alloc[PT_MAXDIM];   /**< allocated extent per axis: n + 2 ng, fastest axis padded */
  int64_t stride[PT_MAXDIM];  /**< elements between neighbours along each axis */
  double *base;               /**< start of the allocation, 64-byte aligned */
  double *data;               /**< address of local index (0, 0[, 0]) */
} pt_field;

/** Allocates the field, zero-filled ghosts included. The memory is first touched inside
 * an OpenMP parallel loop with the same static schedule the kernels use, so pages land
 * on the threads that compute. Errors: PT_ERR_INPUT (ng < 0, or ng larger than the
 * smallest block along an axis that exchanges ghosts, i.e. one with more than one rank
 * or periodic; the check uses the global grid, so every rank gives the same verdict),
 * PT_ERR_NOMEM. Not collective. */
int pt_field_create(const pt_decomp *d, int ng, pt_field **f);

/** Frees the field and sets *f to NULL (no-op on NULL). Not collective. */
void pt_field_destroy(pt_field **f);

/** The storage rule of every field: allocated extents (n[d] + 2 ng, the fastest axis
 * rounded up to a multiple of 8 doubles = 64 bytes) and C-order strides for a block of
 * n[] owned cells. pt_halo uses it to address a neighbour's ghosts. Not collective. */
void pt_field_layout(int ndim, const int64_t n[], int ng, int64_t alloc[], int64_t stride[]);

/** Offset of local index idx[] (ghost indices allowed) from f->data. */
static inline ptrdiff_t pt_field_offset(const pt_field *f, const int64_t idx[]) {
  ptrdiff_t o = 0;
  for (int d = 0; d < f->ndim; ++d) o += (ptrdiff_t)(idx[d] * f->stride[d]);
  return o;
}

/** Copies the owned cells to/from a dense C-order buffer of decomp->n cells (ghosts are
 * neither read nor written). Not collective. */
void pt_field_pack_owned(const pt_field *f, double *dense);
/** The reverse of pt_field_pack_owned: owned cells from `dense`. Not collective. */
void pt_field_unpack_owned(pt_field *f, const double *dense);

/** Sets every owned cell to v (ghosts untouched). Not collective. */
void pt_field_fill(pt_field *f, double v);

/** What a ghost layer on the edge of the domain holds, from the owned layer next to it. */
typedef enum {
  PT_WALL_NEUMANN = 0,   /**< the owned value: zero gradient across the face */
  PT_WALL_DIRICHLET = 1  /**< 2 value - owned: `value` on the face, between the two cells */
} pt_wall;

/** Fills the ghost layer of face (d, side) (side 0: low, 1: high) that lies on the edge of
 * the domain (no neighbour there: not periodic, no rank beyond); a face with a neighbour
 * is left to the halo exchange. The face's extent along the other axes is the owned one
 * (a 5- or 7-point stencil reads no corner). Not collective. */
void pt_field_wall(pt_field *f, int d, int side, pt_wall kind, double value);

/** As pt_field_wall, and along every other axis also `reach` (<= ng) cells into the
 * ghosts on each side that has a neighbour: the wall of a box that a solver computes
 * redundantly beyond its owned cells (several steps between exchanges). Not collective. */
void pt_field_wall_reach(pt_field *f, int d, int side, pt_wall kind, double value, int reach);

/** As pt_field_wall, for the part of the face next to the cells of the box [lo, hi)
 * (local indices; lo[d] and hi[d] are not read, and a box along another axis may reach
 * into ghosts): the wall of a tile, filled as soon as the tile's cells are. A face
 * with a neighbour is left alone. Not collective. */
void pt_field_wall_box(pt_field *f, int d, int side, pt_wall kind, double value,
                       const int64_t lo[], const int64_t hi[]);

#ifdef __cplusplus
}
#endif
#endif
