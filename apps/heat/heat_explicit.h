/* heat_explicit: the forward-Euler update of partita-heat on a cell-centred grid and its
 * CPU back-end. Cell i of axis d sits at x = (i + 1/2) h_d. Dirichlet faces hold the
 * value on the face (ghost = 2 v - u), Neumann faces are insulated (ghost = u), periodic
 * faces wrap. The other back-ends reuse the pieces: the boxes and their expression (the
 * implicit schemes' explicit half, the device's slabs) and the halos. */
#ifndef HEAT_EXPLICIT_H
#define HEAT_EXPLICIT_H

#include "heat_backend.h"
#include "pt_halo.h"

/* Fills the ghosts on physical (non-periodic) boundaries of `f` from its owned cells
 * and the boundary conditions. Not collective. */
void heat_apply_bc(const heat_params *p, pt_field *f);

/* One explicit forward-Euler update of the cells in the box [lo, hi) (local indices):
 * out = in + sum_d c_d (in[-1] - 2 in + in[+1]) + q. Not collective. */
void heat_explicit_box(const pt_field *in, pt_field *out, const double c[], double q,
                       const int64_t lo[], const int64_t hi[]);

/* The owned cells that read no ghost (computed while the halo travels). Not collective. */
void heat_interior_box(const pt_field *f, int64_t lo[], int64_t hi[]);

/* The owned cells outside the interior box, as 2 ndim disjoint slabs: slab (d, side) is
 * layer 0 or n-1 of axis d, restricted to the interior along the axes before d. Returns
 * 0 for the slab that does not exist (side 1 of an axis of one cell). Not collective. */
int heat_boundary_slab(const pt_field *f, int d, int side, int64_t lo[], int64_t hi[]);

/* A halo back-end this MPI cannot serve, or refuses (err = PT_ERR_INPUT), is the deck's
 * run.halo at fault: returns the error again naming the key (when the parameters come
 * from a deck), any other `err` unchanged. Not collective. */
int heat_halo_error(const heat_params *p, int err);

/* The halos of both fields with the deck's run.halo back-end. Errors (agreed): as
 * pt_halo_create, a back-end this MPI cannot serve named as the deck's run.halo.
 * Collective. */
int heat_halos_create(heat_state *st, pt_halo *halo[2]);

#endif
