/** @file
 * pt_decomp: Cartesian domain decomposition of a global 2D or 3D grid over the ranks of
 * a communicator. Any global size on any rank count: blocks along an axis differ by at
 * most one cell (the first `n % p` blocks get the extra cell). Axis 0 is the slowest
 * varying index in memory and in files; axis ndim-1 the fastest. */
#ifndef PT_DECOMP_H
#define PT_DECOMP_H

#include <mpi.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Largest number of grid axes (fields are 2D or 3D). */
#define PT_MAXDIM 3

/** One rank's view of the decomposition (pt_decomp_create). */
typedef struct pt_decomp {
  int ndim;                   /**< number of axes: 2 or 3 */
  int64_t gsize[PT_MAXDIM];   /**< global cells per axis */
  int dims[PT_MAXDIM];        /**< process grid */
  int periodic[PT_MAXDIM];    /**< 1 where the axis wraps around */
  int coords[PT_MAXDIM];      /**< this rank's position in the process grid */
  int64_t lo[PT_MAXDIM];      /**< first global index owned */
  int64_t n[PT_MAXDIM];       /**< cells owned per axis */
  int nbr[PT_MAXDIM][2];      /**< neighbour ranks in `cart` (-1 side, +1 side), or MPI_PROC_NULL */
  MPI_Comm cart;              /**< Cartesian communicator (owned) */
  int rank;                   /**< this rank in `cart` */
  int size;                   /**< ranks in `cart` */
} pt_decomp;

/** Builds the decomposition. `dims_req[d]` > 0 fixes the process count along axis d; 0
 * lets Partita choose, minimising the total cut area between blocks among the
 * factorisations of the rank count that give every rank at least one cell per axis;
 * ties go to more ranks on the slower axes (dims_req and periodic may be NULL: all
 * automatic, none periodic). The Cartesian communicator keeps the ranks of `comm`
 * (no reordering) and returns MPI errors. Errors (PT_ERR_INPUT, agreed): ndim not 2 or
 * 3, a size < 1, more cells than int64_t counts, fixed dims < 0 or not matching the
 * rank count, or a grid too small for the rank count ("grid 5 x 5 cannot be split over
 * 32 ranks: ..."); PT_ERR_MPI, PT_ERR_NOMEM. Collective over `comm`. */
int pt_decomp_create(MPI_Comm comm, int ndim, const int64_t gsize[], const int periodic[],
                     const int dims_req[], pt_decomp **d);

/** Frees the Cartesian communicator and the decomposition, sets *d to NULL (no-op on
 * NULL). Collective over d->cart. */
void pt_decomp_destroy(pt_decomp **d);

/** Axes are named as in files (axisLabels): the fastest-varying, last axis is x, then y
 * and z; a shape reads fastest axis first ("nx x ny", "256 x 128" for 128 rows of 256).
 * pt_decomp_axis_name gives "x", "y" or "z" for axis `a` of `ndim`; pt_decomp_shape
 * writes `v` in that order into `buf` (0 as "*", for "automatic"). Not collective. */
const char *pt_decomp_axis_name(int ndim, int a);
/** Writes the `ndim` values `v` into `buf` as a shape, fastest axis first ("256 x 128";
 * 0 as "*"), and returns `buf`. Not collective. */
const char *pt_decomp_shape(char *buf, size_t len, int ndim, const int64_t v[]);

/** Block of `p` among `np` blocks of `n` cells: first index and count (the first n % np
 * blocks hold one cell more). Not collective. */
void pt_decomp_block(int64_t n, int np, int p, int64_t *start, int64_t *count);

/** Owned box of the rank at process-grid coordinates `coords`. Not collective. */
void pt_decomp_box_of(const pt_decomp *d, const int coords[], int64_t lo[], int64_t n[]);

/** Coordinate along `axis` of the process that owns global index `g`, in O(1); -1 if g
 * is outside the grid. Not collective. */
int pt_decomp_owner(const pt_decomp *d, int axis, int64_t g);

/** Number of cells owned by this rank. Not collective. */
int64_t pt_decomp_local_cells(const pt_decomp *d);
/** Number of cells in the whole grid. Not collective. */
int64_t pt_decomp_global_cells(const pt_decomp *d);

#ifdef __cplusplus
}
#endif
#endif
