/* heat_explicit: the forward-Euler update of partita-heat on a cell-centred grid and its
 * CPU back-end. Cell i of axis d sits at x = (i + 1/2) h_d. Dirichlet faces hold the
 * value on the face (ghost = 2 v - u), Neumann faces are insulated (ghost = u), periodic
 * faces wrap. The other back-ends reuse the pieces: the boxes and their expression (the
 * implicit schemes' explicit half, the device's slabs) and the halos. */
#ifndef HEAT_EXPLICIT_H
#define HEAT_EXPLICIT_H

#include "heat_backend.h"
#include "pt_halo.h"

/* The steps per exchange that run.time_block = auto takes for this rank's subdomain of
 * d: the most (up to HEAT_TIME_BLOCK_AUTO_MAX) whose redundant work beyond the faces
 * with a neighbour stays within a tenth of the owned cells, that the subdomain holds
 * twice along every axis, and whose tiles still fit the cache. Not collective (the
 * subdomains differ: the caller takes the ranks' minimum). */
int heat_time_block_auto(const pt_decomp *d);

/* Fills the ghosts on physical (non-periodic) boundaries of `f` from its owned cells
 * and the boundary conditions, `reach` cells into the ghosts along the other axes
 * (pt_field_wall_reach). Not collective. */
void heat_apply_bc(const heat_params *p, pt_field *f, int reach);

/* One explicit forward-Euler update of the cells in the box [lo, hi) (local indices):
 * out = in + sum_d c_d (in[-1] - 2 in + in[+1]) + q. Not collective. */
void heat_explicit_box(const pt_field *in, pt_field *out, const double c[], double q,
                       const int64_t lo[], const int64_t hi[]);

/* The owned cells that read no ghost (computed while the halo travels). Not collective. */
void heat_interior_box(const pt_field *f, int64_t lo[], int64_t hi[]);

/* The cells of the box [blo, bhi) (the owned cells, or more) outside the interior box, as
 * 2 ndim disjoint slabs: slab (d, side) lies below or above the interior along axis d,
 * within it along the axes before d, and spans [blo, bhi) along the axes after. Returns
 * 0 for a slab that is empty (side 1 of an axis of one cell). Not collective. */
int heat_boundary_slab(const pt_field *f, const int64_t blo[], const int64_t bhi[], int d, int side,
                       int64_t lo[], int64_t hi[]);

/* The halos of both fields with the deck's run.halo back-end. Errors (agreed): as
 * pt_halo_create, a back-end this MPI cannot serve named as the deck's run.halo.
 * Collective. */
int heat_halos_create(heat_state *st, pt_halo *halo[2]);

#endif
