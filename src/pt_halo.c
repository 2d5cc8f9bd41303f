#include "pt_halo.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pt_error.h"
#include "pt_log.h"

/* Faces: 2a is the -1 side of axis a, 2a+1 the +1 side. This is also the neighbour
 * order MPI defines for a Cartesian communicator, so the neighbor back-end's blocks are
 * indexed by face too. A message crossing face k lands in the peer's face k^1 ghosts;
 * it is tagged k so that the two messages between the same pair of ranks (a periodic
 * axis of 1 or 2 ranks) cannot be confused. */
enum { NFACE = 2 * PT_MAXDIM };

/* Open MPI's non-blocking neighbour collectives (coll/libnbc) pair the two blocks
 * exchanged with a duplicate Cartesian neighbour the wrong way round: the -1 ghosts
 * receive what the peer sent towards its own -1 side. Seen with 4.1.4 (open-mpi/ompi
 * #14430, fixed upstream by #14416); the blocking ones follow the standard (#7232). */
#if defined(OPEN_MPI)
enum { NBC_DUPLICATES_BROKEN = 1 };
#else
enum { NBC_DUPLICATES_BROKEN = 0 };
#endif

/* Open MPI 4's osc/ucx ends an MPI_Win_fence epoch (a UCX worker flush, then a barrier)
 * before puts with non-contiguous datatypes have all landed at the target: the ghosts
 * complete only during the target's later MPI progress. Seen with Open MPI 4.1.4 and UCX
 * 1.13.1 on shared memory (a 3D face of 48 x 48 cells or more, 3 or 5 ranks, whose
 * barrier is recursive doubling), with plain MPI too (docs/verification.md). Its
 * post-start-complete-wait, and osc/pt2pt's fence, deliver every ghost. Open MPI names a
 * window after the component that serves it ("ucx window 3"). */
#if defined(OPEN_MPI) && defined(OMPI_MAJOR_VERSION) && OMPI_MAJOR_VERSION < 5
static const char fence_broken_component[] = "ucx window";
#else
static const char fence_broken_component[] = "";
#endif

const char *const pt_halo_kind_names[] = {"p2p", "neighbor", "rma", "rma-pscw", NULL};

int pt_halo_kind_parse(const char *name, pt_halo_kind *kind) {
  for (int k = 0; name && k < PT_HALO_NKINDS; ++k)
    if (strcmp(name, pt_halo_kind_names[k]) == 0) {
      *kind = (pt_halo_kind)k;
      return PT_OK;
    }
  return PT_ERROR(PT_ERR_INPUT, "unknown halo back-end '%s' (expected p2p, neighbor, rma or rma-pscw)",
                  name ? name : "");
}

struct pt_halo {
  pt_field *f;
  pt_halo_kind kind;
  /* Edges and corners too (pt_halo_create_box): one phase per axis, in axis order, whose
   * slabs span the ghosts the earlier phases filled. Otherwise one phase of all faces. */
  int box, nphase;
  /* A private duplicate of the Cartesian communicator: exchanges of different fields in
   * flight at the same time can never match each other's messages. */
  MPI_Comm comm;
  int nface;
  int peer[NFACE];              /* rank across each face; MPI_PROC_NULL: nothing to do */
  MPI_Datatype send[NFACE];     /* owned layers next to each face */
  MPI_Datatype recv[NFACE];     /* ghost layers beyond each face (two-sided back-ends) */
  MPI_Datatype target[NFACE];   /* the peer's ghosts filled across each face (one-sided) */
  int active;                   /* between begin and end */
  /* p2p: phase p's requests are [req_first[p], req_first[p + 1]) */
  MPI_Request req[2 * NFACE];
  int nreq, req_first[PT_MAXDIM + 1];
  /* neighbor: the arrays must outlive the non-blocking call */
  int counts[PT_MAXDIM][NFACE];
  MPI_Aint sdispls[NFACE], rdispls[NFACE];
  MPI_Datatype stypes[NFACE], rtypes[NFACE];
  int blocking;
  MPI_Request coll;
  /* rma, rma-pscw */
  MPI_Win win;
  MPI_Group group;              /* the distinct neighbours (rma-pscw) */
  /* Packed faces (pt_halo_create_packed): contiguous buffers instead of the field. */
  int packed;
  int64_t off[NFACE + 1];
  double *psend, *precv;
};

/* Allocated index along the face's axis of the first owned layer next to side `side`,
 * and of the first ghost layer beyond it, in a block of n owned cells. */
static int64_t owned_first(int64_t n, int ng, int side) { return side ? n : ng; }
static int64_t ghost_first(int64_t n, int ng, int side) { return side ? n + ng : 0; }

/* The ng layers starting at allocated index `first` along `axis`, spanning the owned
 * cells of the other axes (and their ghosts too along the axes before `axis` if `span`),
 * in the storage of a block of n[] owned cells. The subarray covers the whole
 * allocation, so every slab is addressed from the field's base. */
static int slab_type(int ndim, const int64_t n[], int ng, int axis, int64_t first, int span,
                     MPI_Datatype *t) {
  int64_t alloc[PT_MAXDIM], stride[PT_MAXDIM];
  pt_field_layout(ndim, n, ng, alloc, stride);
  int sizes[PT_MAXDIM], sub[PT_MAXDIM], start[PT_MAXDIM];
  for (int a = 0; a < ndim; ++a) {
    if (alloc[a] > INT_MAX)
      return PT_ERROR(PT_ERR_INPUT, "a block of %lld cells along axis %s is too large for MPI datatypes",
                      (long long)n[a], pt_decomp_axis_name(ndim, a));
    sizes[a] = (int)alloc[a];
    const int wide = span && a < axis;
    sub[a] = a == axis ? ng : (int)n[a] + (wide ? 2 * ng : 0);
    start[a] = a == axis ? (int)first : wide ? 0 : ng;
  }
  PT_MPI(MPI_Type_create_subarray(ndim, sizes, sub, start, MPI_ORDER_C, MPI_DOUBLE, t));
  PT_MPI(MPI_Type_commit(t));
  return PT_OK;
}

/* The datatypes of every face, shared by all back-ends. Local. */
static int build_types(pt_halo *h) {
  const pt_field *f = h->f;
  const pt_decomp *d = f->decomp;
  int one_sided = h->kind == PT_HALO_RMA || h->kind == PT_HALO_RMA_PSCW;
  for (int k = 0; k < h->nface; ++k) {
    int a = k / 2, side = k % 2;
    h->peer[k] = f->ng > 0 ? d->nbr[a][side] : MPI_PROC_NULL;
    if (h->peer[k] == MPI_PROC_NULL) continue;
    PT_TRY(slab_type(f->ndim, f->n, f->ng, a, owned_first(f->n[a], f->ng, side), h->box, &h->send[k]));
    if (!one_sided) {
      PT_TRY(slab_type(f->ndim, f->n, f->ng, a, ghost_first(f->n[a], f->ng, side), h->box, &h->recv[k]));
      continue;
    }
    /* The peer's block may hold one cell more or less along this axis, and so a
     * different padding: address its ghosts in its own layout. */
    int coords[PT_MAXDIM];
    int64_t lo[PT_MAXDIM], pn[PT_MAXDIM];
    PT_MPI(MPI_Cart_coords(d->cart, h->peer[k], d->ndim, coords));
    pt_decomp_box_of(d, coords, lo, pn);
    PT_TRY(slab_type(f->ndim, pn, f->ng, a, ghost_first(pn[a], f->ng, side ^ 1), h->box, &h->target[k]));
  }
  return PT_OK;
}

/* Face k as a message: a subarray of the field, or a run of doubles of a packed buffer. */
static double *face_buf(const pt_halo *h, int k, int receive, int *count, MPI_Datatype *type) {
  if (h->packed) {
    *count = (int)(h->off[k + 1] - h->off[k]);
    *type = MPI_DOUBLE;
    double *buf = receive ? h->precv : h->psend;
    return buf ? buf + h->off[k] : NULL;
  }
  *count = 1;
  *type = receive ? h->recv[k] : h->send[k];
  return h->f->base;
}

/* Face k travels in phase p. */
static int in_phase(const pt_halo *h, int p, int k) { return !h->box || k / 2 == p; }

/* The persistent receive and send of face k. */
static int init_face(pt_halo *h, int k) {
  int count;
  MPI_Datatype type;
  double *buf = face_buf(h, k, 1, &count, &type);
  PT_MPI(MPI_Recv_init(buf, count, type, h->peer[k], k ^ 1, h->comm, &h->req[h->nreq]));
  ++h->nreq;
  buf = face_buf(h, k, 0, &count, &type);
  PT_MPI(MPI_Send_init(buf, count, type, h->peer[k], k, h->comm, &h->req[h->nreq]));
  ++h->nreq;
  return PT_OK;
}

static int setup_p2p(pt_halo *h) {
  for (int p = 0; p < h->nphase; ++p) {
    h->req_first[p] = h->nreq;
    for (int k = 0; k < h->nface; ++k)
      if (in_phase(h, p, k) && h->peer[k] != MPI_PROC_NULL) PT_TRY(init_face(h, k));
  }
  h->req_first[h->nphase] = h->nreq;
  return PT_OK;
}

static int setup_neighbor(pt_halo *h) {
  const pt_decomp *d = h->f->decomp;
  /* Absolute addresses from MPI_BOTTOM: a field's send and receive slabs share one
   * allocation, and this way neither buffer argument names it. Faces without a peer send
   * and receive nothing, but still need a valid datatype. */
  for (int k = 0; k < h->nface; ++k) {
    int on = h->peer[k] != MPI_PROC_NULL, count;
    MPI_Datatype type;
    double *buf = face_buf(h, k, 0, &count, &type);
    PT_MPI(MPI_Get_address(buf, &h->sdispls[k]));
    h->stypes[k] = on ? type : MPI_DOUBLE;
    buf = face_buf(h, k, 1, &count, &type);
    PT_MPI(MPI_Get_address(buf, &h->rdispls[k]));
    h->rtypes[k] = on ? type : MPI_DOUBLE;
    for (int p = 0; p < h->nphase; ++p) h->counts[p][k] = on && in_phase(h, p, k) ? count : 0;
  }
  for (int a = 0; a < d->ndim; ++a)
    if (NBC_DUPLICATES_BROKEN && h->f->ng > 0 && d->periodic[a] && d->dims[a] <= 2) h->blocking = 1;
  /* Once per process: a solver creates one halo per field, a test suite hundreds. */
  static int noticed = 0;
  if (h->blocking && !noticed) {
    noticed = 1;
    pt_log(PT_LOG_INFO, "halo: neighbor back-end runs blocking (no overlap): Open MPI's non-blocking neighbour "
                        "collective swaps the ghosts of a periodic axis with 1 or 2 ranks");
  }
  return PT_OK;
}

/* Refuses fence synchronisation on a one-sided component known to end the epoch early:
 * a wrong ghost would give a wrong answer without a word. Local; every rank of the
 * window sees the same component. */
static int check_fence_component(pt_halo *h) {
  char name[MPI_MAX_OBJECT_NAME] = "";
  int len = 0;
  PT_MPI(MPI_Win_get_name(h->win, name, &len));
  if (!fence_broken_component[0] || strncmp(name, fence_broken_component, strlen(fence_broken_component)) != 0)
    return PT_OK;
  return PT_ERROR(PT_ERR_INPUT,
                  "halo back-end 'rma' refused: Open MPI's osc/ucx serves the window, and its MPI_Win_fence "
                  "can return before the ghosts have landed (wrong results); choose rma-pscw or p2p, or let "
                  "osc/pt2pt serve one-sided windows (OMPI_MCA_osc=^rdma,ucx)");
}

static int setup_rma(pt_halo *h) {
  const pt_field *f = h->f;
  MPI_Aint bytes = (MPI_Aint)sizeof(double);
  for (int a = 0; a < f->ndim; ++a) bytes *= (MPI_Aint)f->alloc[a];
  /* Only fence or PSCW synchronisation is used: no passive-target locks. */
  MPI_Info info;
  PT_MPI(MPI_Info_create(&info));
  int rc = MPI_Info_set(info, "no_locks", "true");
  if (rc == MPI_SUCCESS)
    rc = MPI_Win_create(f->base, bytes, (int)sizeof(double), info, h->comm, &h->win);
  /* Unchecked: the window has taken what it needs; a failed free only leaks the info. */
  MPI_Info_free(&info);
  if (rc != MPI_SUCCESS) {
    /* Typically no one-sided component can serve the window (Open MPI's osc/rdma needs
     * a transport with RDMA, which a single rank or shared memory without a single-copy
     * mechanism lacks): the user can pick another back-end. */
    char why[MPI_MAX_ERROR_STRING];
    int len;
    if (MPI_Error_string(rc, why, &len) != MPI_SUCCESS) snprintf(why, sizeof why, "error %d", rc);
    return PT_ERROR(PT_ERR_INPUT,
                    "halo back-end '%s' is not available: MPI_Win_create failed (%s); choose another back-end "
                    "or enable MPI one-sided communication (Open MPI: an osc component such as rdma or pt2pt)",
                    pt_halo_kind_names[h->kind], why);
  }
  PT_MPI(MPI_Win_set_errhandler(h->win, MPI_ERRORS_RETURN));
  if (h->kind == PT_HALO_RMA) return check_fence_component(h);

  /* Post and start take each process once, even a neighbour on both sides or this
   * process itself (a periodic axis of one rank: it exposes its window to itself). */
  int ranks[NFACE], nr = 0;
  for (int k = 0; k < h->nface; ++k) {
    int seen = h->peer[k] == MPI_PROC_NULL;
    for (int i = 0; i < nr && !seen; ++i) seen = ranks[i] == h->peer[k];
    if (!seen) ranks[nr++] = h->peer[k];
  }
  MPI_Group all;
  PT_MPI(MPI_Comm_group(h->comm, &all));
  int err = PT_MPI_CHECK(MPI_Group_incl(all, nr, ranks, &h->group));
  /* Unchecked: the subgroup is made; a failed free only leaks the whole group's handle. */
  MPI_Group_free(&all);
  return err;
}

/* Collective part of create. */
static int setup_backend(pt_halo *h) {
  PT_MPI(MPI_Comm_dup(h->f->decomp->cart, &h->comm));
  switch (h->kind) {
    case PT_HALO_P2P: return setup_p2p(h);
    case PT_HALO_NEIGHBOR: return setup_neighbor(h);
    default: return setup_rma(h);
  }
}

/* The peers across each face, and for packed faces nothing more: the caller's buffers
 * are the messages. Local. */
static int build_packed(pt_halo *h) {
  const pt_decomp *d = h->f->decomp;
  if (h->kind == PT_HALO_RMA || h->kind == PT_HALO_RMA_PSCW)
    return PT_ERROR(PT_ERR_INPUT, "halo back-end '%s' does not exchange packed faces (a device back-end's): "
                    "choose p2p or neighbor", pt_halo_kind_names[h->kind]);
  for (int k = 0; k < h->nface; ++k) {
    h->peer[k] = h->f->ng > 0 ? d->nbr[k / 2][k % 2] : MPI_PROC_NULL;
    if (h->off[k + 1] < h->off[k] || h->off[k + 1] - h->off[k] > INT_MAX)
      return PT_ERROR(PT_ERR_INPUT, "packed face %d holds %lld values: not a valid MPI count", k,
                      (long long)(h->off[k + 1] - h->off[k]));
  }
  return PT_OK;
}

/* Shared by both constructors: `off` is NULL for an exchange of the field itself. */
static int create(pt_field *f, pt_halo_kind kind, int box, const int64_t off[], double *send,
                  double *recv, pt_halo **out) {
  *out = NULL;
  MPI_Comm cart = f->decomp->cart;
  int err = PT_OK;
  pt_halo *h = NULL;
  if ((unsigned)kind >= PT_HALO_NKINDS)
    err = PT_ERROR(PT_ERR_INPUT, "unknown halo back-end %d", (int)kind);
  else if (!(h = calloc(1, sizeof *h)))
    err = PT_ERROR(PT_ERR_NOMEM, "out of memory allocating a halo exchange");
  if (h) {
    h->f = f;
    h->kind = kind;
    h->comm = MPI_COMM_NULL;
    h->nface = 2 * f->ndim;
    h->box = box;
    h->nphase = box ? f->ndim : 1;
    for (int k = 0; k < NFACE; ++k) h->send[k] = h->recv[k] = h->target[k] = MPI_DATATYPE_NULL;
    h->coll = MPI_REQUEST_NULL;
    h->win = MPI_WIN_NULL;
    h->group = MPI_GROUP_NULL;
    if (off) {
      h->packed = 1;
      memcpy(h->off, off, sizeof(int64_t) * (size_t)(h->nface + 1));
      h->psend = send;
      h->precv = recv;
      err = build_packed(h);
    } else {
      err = build_types(h);
    }
  }
  /* Agree before the collective set-up, so that no rank enters it alone. */
  err = pt_agree(cart, err);
  if (!err) err = pt_agree(cart, setup_backend(h));
  if (err) {
    pt_halo_destroy(&h);
    return err;
  }
  *out = h;
  return PT_OK;
}

int pt_halo_create(pt_field *f, pt_halo_kind kind, pt_halo **out) {
  return create(f, kind, 0, NULL, NULL, NULL, out);
}

int pt_halo_create_box(pt_field *f, pt_halo_kind kind, pt_halo **out) {
  return create(f, kind, 1, NULL, NULL, NULL, out);
}

int pt_halo_create_packed(pt_field *f, pt_halo_kind kind, const int64_t off[], double *send, double *recv,
                          pt_halo **out) {
  return create(f, kind, 0, off, send, recv, out);
}

void pt_halo_destroy(pt_halo **hp) {
  if (!hp || !*hp) return;
  pt_halo *h = *hp;
  if (h->active) pt_halo_end(h);
  /* Unchecked: a destroy has no error to return; a failed free only leaks the handle. */
  for (int i = 0; i < h->nreq; ++i) MPI_Request_free(&h->req[i]);
  if (h->win != MPI_WIN_NULL) MPI_Win_free(&h->win);
  if (h->group != MPI_GROUP_NULL) MPI_Group_free(&h->group);
  for (int k = 0; k < NFACE; ++k) {
    if (h->send[k] != MPI_DATATYPE_NULL) MPI_Type_free(&h->send[k]);
    if (h->recv[k] != MPI_DATATYPE_NULL) MPI_Type_free(&h->recv[k]);
    if (h->target[k] != MPI_DATATYPE_NULL) MPI_Type_free(&h->target[k]);
  }
  if (h->comm != MPI_COMM_NULL) MPI_Comm_free(&h->comm);
  free(h);
  *hp = NULL;
}

static int put_all(pt_halo *h, int p) {
  for (int k = 0; k < h->nface; ++k)
    if (in_phase(h, p, k) && h->peer[k] != MPI_PROC_NULL)
      PT_MPI(MPI_Put(h->f->base, 1, h->send[k], h->peer[k], 0, 1, h->target[k], h->win));
  return PT_OK;
}

static int start_phase(pt_halo *h, int p) {
  int *counts = h->counts[p];
  switch (h->kind) {
    case PT_HALO_P2P:
      PT_MPI(MPI_Startall(h->req_first[p + 1] - h->req_first[p], h->req + h->req_first[p]));
      break;
    case PT_HALO_NEIGHBOR:
      if (h->blocking)
        PT_MPI(MPI_Neighbor_alltoallw(MPI_BOTTOM, counts, h->sdispls, h->stypes, MPI_BOTTOM, counts,
                                      h->rdispls, h->rtypes, h->comm));
      else
        PT_MPI(MPI_Ineighbor_alltoallw(MPI_BOTTOM, counts, h->sdispls, h->stypes, MPI_BOTTOM, counts,
                                       h->rdispls, h->rtypes, h->comm, &h->coll));
      break;
    case PT_HALO_RMA:
      /* NOPRECEDE is valid: the previous phase's closing fence completed every put and
       * none was issued since. The fence still orders the puts after the target's own
       * fence, so they cannot land while it reads its old ghosts. */
      PT_MPI(MPI_Win_fence(MPI_MODE_NOPRECEDE, h->win));
      PT_TRY(put_all(h, p));
      break;
    default:
      /* Post before start: start may wait for the targets' posts, this rank's included.
       * No assertions: kernels store into the window between exchanges. */
      PT_MPI(MPI_Win_post(h->group, 0, h->win));
      PT_MPI(MPI_Win_start(h->group, 0, h->win));
      PT_TRY(put_all(h, p));
      break;
  }
  return PT_OK;
}

static int finish_phase(pt_halo *h, int p) {
  switch (h->kind) {
    case PT_HALO_P2P:
      PT_MPI(MPI_Waitall(h->req_first[p + 1] - h->req_first[p], h->req + h->req_first[p],
                         MPI_STATUSES_IGNORE));
      break;
    case PT_HALO_NEIGHBOR:
      /* After a blocking exchange the request is null and this returns at once. */
      PT_MPI(MPI_Wait(&h->coll, MPI_STATUS_IGNORE));
      break;
    case PT_HALO_RMA:
      /* Until the next phase's fence no rank issues RMA calls (NOSUCCEED), so none puts
       * into this window (NOPUT). NOSTORE would not be valid: a caller may set boundary
       * ghosts during the exchange. */
      PT_MPI(MPI_Win_fence(MPI_MODE_NOSUCCEED | MPI_MODE_NOPUT, h->win));
      break;
    default:
      PT_MPI(MPI_Win_complete(h->win));
      PT_MPI(MPI_Win_wait(h->win));
      break;
  }
  return PT_OK;
}

int pt_halo_begin(pt_halo *h) {
  if (h->active) return PT_ERROR(PT_ERR_RUNTIME, "pt_halo_begin: the previous exchange was not ended");
  PT_TRY(start_phase(h, 0));
  h->active = 1;
  return PT_OK;
}

/* The phases after the first read what the one before delivered: they run here, one
 * after the other. */
int pt_halo_end(pt_halo *h) {
  if (!h->active) return PT_ERROR(PT_ERR_RUNTIME, "pt_halo_end: no exchange was begun");
  h->active = 0;
  PT_TRY(finish_phase(h, 0));
  for (int p = 1; p < h->nphase; ++p) {
    PT_TRY(start_phase(h, p));
    PT_TRY(finish_phase(h, p));
  }
  return PT_OK;
}

int pt_halo_progress(pt_halo *h) {
  int done;
  if (!h->active) return PT_OK;
  if (h->kind == PT_HALO_P2P)
    PT_MPI(MPI_Testall(h->req_first[1] - h->req_first[0], h->req + h->req_first[0], &done,
                       MPI_STATUSES_IGNORE));
  else if (h->kind == PT_HALO_NEIGHBOR)
    PT_MPI(MPI_Test(&h->coll, &done, MPI_STATUS_IGNORE));
  return PT_OK;
}

int pt_halo_exchange(pt_halo *h) {
  PT_TRY(pt_halo_begin(h));
  return pt_halo_end(h);
}
