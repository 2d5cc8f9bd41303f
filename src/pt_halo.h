/** @file
 * pt_halo: ghost-layer exchange of a pt_field behind one API, with back-ends chosen at
 * run time. Faces only (what 5- and 7-point stencils need): edge and corner ghosts are
 * not written. Periodic axes wrap, including a process grid of 1 along an axis.
 * ~~~
 *   p2p      non-blocking persistent sends/receives with MPI subarray datatypes
 *   neighbor MPI_Neighbor_alltoallw on the Cartesian communicator
 *   rma      MPI_Put into the neighbours' ghosts, fence synchronisation
 *   rma-pscw MPI_Put with post-start-complete-wait synchronisation
 * ~~~
 * begin/end split the exchange so interior work can overlap the transfer. A device
 * back-end (the field lives in a GPU's memory) packs its faces into contiguous buffers
 * itself and has pt_halo move those (pt_halo_create_packed, p2p or neighbor). */
#ifndef PT_HALO_H
#define PT_HALO_H

#include "pt_field.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The back-ends of the exchange (see the file comment). */
typedef enum {
  PT_HALO_P2P = 0,       /**< "p2p" */
  PT_HALO_NEIGHBOR = 1,  /**< "neighbor" */
  PT_HALO_RMA = 2,       /**< "rma" */
  PT_HALO_RMA_PSCW = 3,  /**< "rma-pscw" */
  PT_HALO_NKINDS = 4     /**< the number of back-ends */
} pt_halo_kind;

/** Names accepted by pt_halo_kind_parse, in enum order (NULL-terminated). */
extern const char *const pt_halo_kind_names[];

/** Parses "p2p", "neighbor", "rma" or "rma-pscw". Errors: PT_ERR_INPUT. Not collective. */
int pt_halo_kind_parse(const char *name, pt_halo_kind *kind);

/** A prepared exchange of one field's ghost layers (opaque). */
typedef struct pt_halo pt_halo;

/** Prepares the exchange of `f`'s ghost layers (datatypes, persistent requests, windows).
 * The field must outlive the exchange. Errors (agreed): PT_ERR_INPUT (unknown kind, a
 * block too large for MPI datatypes, an rma back-end this MPI cannot serve:
 * MPI_Win_create failed, or `rma` on a one-sided component whose fence is known to end
 * before the puts have landed: Open MPI 4's osc/ucx), PT_ERR_MPI, PT_ERR_NOMEM.
 * Collective over f->decomp->cart. */
int pt_halo_create(pt_field *f, pt_halo_kind kind, pt_halo **h);

/** As pt_halo_create, for the whole ghost box: faces, edges and corners, every one of
 * the ng layers (what a stencil with diagonal terms, or several steps between
 * exchanges, reads). The exchange runs in one phase per axis, in axis order, each
 * sending slabs that span the ghosts the phases before it filled; pt_halo_begin starts
 * the first and pt_halo_end completes the rest, so less of it overlaps interior work.
 * Ghosts on a physical (non-periodic, no neighbour) face are not written, and travel as
 * they are into the neighbours' edge and corner ghosts. Errors and collectivity as
 * pt_halo_create. */
int pt_halo_create_box(pt_field *f, pt_halo_kind kind, pt_halo **h);

/** As pt_halo_create, for faces the caller packs and unpacks itself (a device back-end's
 * kernels): the message across face k = 2 axis + side is the doubles [off[k], off[k+1])
 * of `send`, and the one received across it lands in the same range of `recv`. A face
 * with no neighbour (f->decomp->nbr) sends and receives nothing; the range of a face with
 * one must match the size of the peer's range for the opposite face. `off` has
 * 2 f->ndim + 1 entries and is copied; the buffers must outlive the exchange and may be
 * device memory if MPI accepts it. `f` gives only the decomposition and ndim (ng = 0:
 * nothing is exchanged). Errors (agreed): PT_ERR_INPUT (rma or rma-pscw, which have no
 * packed form; a range too large for an MPI count), PT_ERR_MPI, PT_ERR_NOMEM.
 * Collective over f->decomp->cart. */
int pt_halo_create_packed(pt_field *f, pt_halo_kind kind, const int64_t off[], double *send,
                          double *recv, pt_halo **h);

/** Completes an exchange still in flight, frees the datatypes, requests, window and
 * communicator, and sets *h to NULL (no-op on NULL). Collective over the Cartesian
 * communicator. */
void pt_halo_destroy(pt_halo **h);

/** Starts sending the owned boundary layers. Owned cells must not be written, nor ghosts
 * read, until pt_halo_end. Errors: PT_ERR_MPI, PT_ERR_RUNTIME (an exchange is already
 * in flight). Collective over the Cartesian communicator, in the same order on every
 * rank. */
int pt_halo_begin(pt_halo *h);
/** Completes the exchange: face ghosts hold the neighbours' values. Errors: PT_ERR_MPI,
 * PT_ERR_RUNTIME (no exchange in flight). Collective. */
int pt_halo_end(pt_halo *h);
/** Lets MPI move the exchange in flight along (tests the requests of its first phase),
 * for a caller that computes for long between pt_halo_begin and pt_halo_end: Open MPI's
 * shared-memory and TCP transports advance a large message only inside MPI calls. Does
 * nothing for the one-sided kinds or without an exchange in flight. Errors: PT_ERR_MPI.
 * Not collective. */
int pt_halo_progress(pt_halo *h);
/** begin + end. Collective. */
int pt_halo_exchange(pt_halo *h);

#ifdef __cplusplus
}
#endif
#endif
