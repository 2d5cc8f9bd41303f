#include "config.h"
#include "nbody_force.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "nbody_kernel.h"
#include "nbody_kernel_fast.h"
#include "pt_decomp.h"
#include "pt_error.h"

/* A block of nb bodies travels as one message: x[nb] y[nb] z[nb] m[nb], in the force
 * precision. Targets and accumulators are padded per-particle arrays. */
struct nbody_force {
  const pt_particles *p;
  int strategy, precision;
  double G, eps;
  /* nbody.kernel's choice, in each precision */
  void (*kernel_f64)(int64_t, int64_t, const double *const[3], int64_t, const double *const[4],
                     double, double *const[4]);
  void (*kernel_f32)(int64_t, int64_t, const float *const[3], int64_t, const float *const[4],
                     float, float *const[4]);
  size_t es;              /* bytes per value: 8 (fp64) or 4 (fp32) */
  MPI_Datatype etype;     /* MPI_DOUBLE or MPI_FLOAT */
  MPI_Datatype btype;     /* one body's four values, for block-counted collectives */
  void *tgt[3], *acc[4];  /* this rank's positions and sums, in the force precision */
  void *own;              /* this rank's packed block (the window memory for rma) */
  void *buf[2];           /* allgather: every block; ring, rma: two blocks in flight */
  MPI_Comm ring;          /* ring: periodic 1D Cartesian topology */
  int left, right;
  MPI_Win win;
  int locked;             /* win is in its lock_all epoch */
  MPI_Request req[2];
  int nreq;
  pt_timers *timers;
  int t_kernel, t_comm;
  const nbody_force_hooks *hooks;  /* during nbody_force_compute_with: who adds blocks */
  void *ctx;                       /* passed to each hook */
};

static void timer_start(nbody_force *f, int id) { if (f->timers) pt_timers_start(f->timers, id); }
static void timer_stop(nbody_force *f, int id) { if (f->timers) pt_timers_stop(f->timers, id); }

/* dst[i] = src[i] in the force precision. */
static void convert(const nbody_force *f, void *dst, const double *src, int64_t n) {
  if (f->precision == NBODY_FP64)
    memcpy(dst, src, sizeof(double) * (size_t)n);
  else
    for (int64_t i = 0; i < n; ++i) ((float *)dst)[i] = (float)src[i];
}

static double value(const nbody_force *f, const void *a, int64_t i) {
  return f->precision == NBODY_FP64 ? ((const double *)a)[i] : (double)((const float *)a)[i];
}

static void pack_block(const nbody_force *f, void *blk) {
  const pt_particles *p = f->p;
  char *b = blk;
  for (int c = 0; c < 3; ++c) convert(f, b + (size_t)c * (size_t)p->n * f->es, p->x[c], p->n);
  convert(f, b + 3 * (size_t)p->n * f->es, p->mass, p->n);
}

/* Gives MPI a chance to move the block in flight while the kernel runs: with shared
 * memory and osc/pt2pt, messages advance only inside MPI calls. */
static int progress(nbody_force *f) {
  if (!f->nreq) return PT_OK;
  int done;
  PT_MPI(MPI_Testall(f->nreq, f->req, &done, MPI_STATUSES_IGNORE));
  if (done) f->nreq = 0;
  return PT_OK;
}

static int wait_requests(nbody_force *f) {
  timer_start(f, f->t_comm);
  int err = MPI_Waitall(f->nreq, f->req, MPI_STATUSES_IGNORE);
  timer_stop(f, f->t_comm);
  f->nreq = 0;
  PT_MPI(err);
  return PT_OK;
}

/* The pull of block `blk` (nb bodies) on every local target, in target slices with a
 * progress call between them. Slicing the targets changes no bit (nbody_kernel.h). A
 * back-end with hooks adds the block itself and may leave that work running (a device
 * kernel) while the caller waits for the next block. */
static int add_block(nbody_force *f, const void *blk, int64_t nb, int with_pot) {
  if (f->hooks) {
    timer_start(f, f->t_kernel);
    f->hooks->block(f->ctx, blk == f->own ? NULL : blk, nb, f->eps, with_pot);
    timer_stop(f, f->t_kernel);
    return progress(f);
  }
  const int64_t nt = pt_particles_padded(f->p->n);
  /* Slices of at least 16 chunks, 4 per thread: enough work to amortise the parallel
   * region, often enough progress for the message in flight. */
  const int threads = omp_get_max_threads();
  const int64_t slice = NBODY_KERNEL_CHUNK * (int64_t)(4 * threads > 16 ? 4 * threads : 16);
  const char *b = blk;
  const size_t stride = (size_t)nb * f->es;
  for (int64_t s0 = 0; s0 < nt; s0 += slice) {
    int64_t s1 = s0 + slice < nt ? s0 + slice : nt;
    timer_start(f, f->t_kernel);
    /* Each thread gets one contiguous run of chunks, so the kernel can tile the sources
     * over all of them. */
#pragma omp parallel
    {
      int64_t first, count;
      pt_decomp_block((s1 - s0) / NBODY_KERNEL_CHUNK, omp_get_num_threads(), omp_get_thread_num(),
                      &first, &count);
      const int64_t c0 = s0 + first * NBODY_KERNEL_CHUNK, c1 = c0 + count * NBODY_KERNEL_CHUNK;
      if (count > 0 && f->precision == NBODY_FP64) {
        const double *const t[3] = {f->tgt[0], f->tgt[1], f->tgt[2]};
        const double *const src[4] = {(const double *)b, (const double *)(b + stride),
                                      (const double *)(b + 2 * stride), (const double *)(b + 3 * stride)};
        double *const acc[4] = {f->acc[0], f->acc[1], f->acc[2], with_pot ? f->acc[3] : NULL};
        f->kernel_f64(c0, c1, t, nb, src, f->eps * f->eps, acc);
      } else if (count > 0) {
        const float *const t[3] = {f->tgt[0], f->tgt[1], f->tgt[2]};
        const float *const src[4] = {(const float *)b, (const float *)(b + stride),
                                     (const float *)(b + 2 * stride), (const float *)(b + 3 * stride)};
        float *const acc[4] = {f->acc[0], f->acc[1], f->acc[2], with_pot ? f->acc[3] : NULL};
        f->kernel_f32(c0, c1, t, nb, src, (float)(f->eps * f->eps), acc);
      }
    }
    timer_stop(f, f->t_kernel);
    PT_TRY(progress(f));
  }
  return PT_OK;
}

static void *block_of(const nbody_force *f, void *base, int r) {
  return (char *)base + 4 * (size_t)f->p->displs[r] * f->es;
}

static int compute_allgather(nbody_force *f, int with_pot) {
  const pt_particles *p = f->p;
  timer_start(f, f->t_comm);
  int err = MPI_Allgatherv(f->own, (int)p->n, f->btype, f->buf[0], p->counts, p->displs,
                           f->btype, p->comm);
  timer_stop(f, f->t_comm);
  PT_MPI(err);
  for (int r = 0; r < p->size; ++r) {
    /* A back-end with hooks has this rank's block: it need not travel back. */
    const void *blk = f->hooks && r == p->rank ? f->own : block_of(f, f->buf[0], r);
    PT_TRY(add_block(f, blk, p->counts[r], with_pot));
  }
  return PT_OK;
}

static int compute_ring(nbody_force *f, int with_pot) {
  const pt_particles *p = f->p;
  const void *cur = f->own;
  for (int k = 0; k < p->size; ++k) {
    int src = ((p->rank - k) % p->size + p->size) % p->size;      /* block held now */
    int nxt = ((p->rank - k - 1) % p->size + p->size) % p->size;  /* block arriving */
    if (k < p->size - 1) {
      PT_MPI(MPI_Irecv(f->buf[k % 2], 4 * p->counts[nxt], f->etype, f->left, k, f->ring, &f->req[0]));
      PT_MPI(MPI_Isend(cur, 4 * p->counts[src], f->etype, f->right, k, f->ring, &f->req[1]));
      f->nreq = 2;
    }
    PT_TRY(add_block(f, cur, p->counts[src], with_pot));
    PT_TRY(wait_requests(f));
    cur = f->buf[k % 2];
  }
  return PT_OK;
}

static int rma_fetch(nbody_force *f, int r, void *into) {
  int n = 4 * f->p->counts[r];
  PT_MPI(MPI_Rget(into, n, f->etype, r, 0, n, f->etype, f->win, &f->req[0]));
  f->nreq = 1;
  return PT_OK;
}

static int next_remote(const pt_particles *p, int from) {
  for (int r = from; r < p->size; ++r)
    if (r != p->rank) return r;
  return -1;
}

static int compute_rma(nbody_force *f, int with_pot) {
  const pt_particles *p = f->p;
  /* Our block must be in the window before anyone reads it... */
  PT_MPI(MPI_Win_sync(f->win));
  timer_start(f, f->t_comm);
  int err = MPI_Barrier(p->comm);
  timer_stop(f, f->t_comm);
  PT_MPI(err);
  int slot = 0, pending = next_remote(p, 0);
  if (pending >= 0) PT_TRY(rma_fetch(f, pending, f->buf[slot]));
  for (int r = 0; r < p->size; ++r) {
    const void *blk = f->own;
    if (r != p->rank) {
      PT_TRY(wait_requests(f));
      blk = f->buf[slot];
      slot = 1 - slot;
      pending = next_remote(p, r + 1);
      if (pending >= 0) PT_TRY(rma_fetch(f, pending, f->buf[slot]));
    }
    PT_TRY(add_block(f, blk, p->counts[r], with_pot));
  }
  /* ...and stay there until everyone has fetched it. */
  timer_start(f, f->t_comm);
  err = MPI_Barrier(p->comm);
  timer_stop(f, f->t_comm);
  PT_MPI(err);
  return PT_OK;
}

/* Every block's pull on this rank's targets, the blocks exchanged by the strategy. */
static int compute_blocks(nbody_force *f, int with_pot) {
  switch (f->strategy) {
    case NBODY_ALLGATHER: return compute_allgather(f, with_pot);
    case NBODY_RING: return compute_ring(f, with_pot);
    default: return compute_rma(f, with_pot);
  }
}

int nbody_force_compute(nbody_force *f, double *const acc[3], double *pot) {
  const pt_particles *p = f->p;
  const int64_t np = pt_particles_padded(p->n);
  for (int c = 0; c < 3; ++c) convert(f, f->tgt[c], p->x[c], p->n);
  for (int c = 0; c < 4; ++c) memset(f->acc[c], 0, (size_t)np * f->es);
  pack_block(f, f->own);
  PT_TRY(compute_blocks(f, pot != NULL));
  for (int c = 0; c < 3; ++c)
    for (int64_t i = 0; i < p->n; ++i) acc[c][i] = f->G * value(f, f->acc[c], i);
  if (!pot) return PT_OK;
  /* With eps > 0 the kernel counted each body's own term -m/eps; take back exactly
   * the value it added, computed the same way in the same precision. */
  for (int64_t i = 0; i < p->n; ++i) {
    double self = 0;
    if (f->eps > 0 && f->precision == NBODY_FP64)
      self = p->mass[i] * (1.0 / sqrt(f->eps * f->eps));
    else if (f->eps > 0)
      self = (double)((float)p->mass[i] * (1.0f / sqrtf((float)(f->eps * f->eps))));
    pot[i] = f->G * (value(f, f->acc[3], i) + self);
  }
  return PT_OK;
}

int nbody_force_compute_with(nbody_force *f, const nbody_force_hooks *hooks, void *ctx,
                             int with_pot) {
  /* With one rank nothing travels, so the own block is not copied to the host. */
  timer_start(f, f->t_kernel);
  hooks->begin(ctx, f->p->size > 1 ? f->own : NULL);
  timer_stop(f, f->t_kernel);
  f->hooks = hooks;
  f->ctx = ctx;
  int err = compute_blocks(f, with_pot);
  f->hooks = NULL;
  f->ctx = NULL;
  PT_TRY(err);
  timer_start(f, f->t_kernel);
  hooks->end(ctx, f->G, f->eps, with_pot);
  timer_stop(f, f->t_kernel);
  return PT_OK;
}

static int setup(nbody_force *f) {
  const pt_particles *p = f->p;
  PT_MPI(MPI_Type_contiguous(4, f->etype, &f->btype));
  PT_MPI(MPI_Type_commit(&f->btype));
  for (int c = 0; c < 3; ++c) PT_TRY(pt_particles_alloc(p, f->es, &f->tgt[c]));
  for (int c = 0; c < 4; ++c) PT_TRY(pt_particles_alloc(p, f->es, &f->acc[c]));
  int64_t maxblock = 0;
  for (int r = 0; r < p->size; ++r) maxblock = p->counts[r] > maxblock ? p->counts[r] : maxblock;
  size_t own_bytes = 4 * (size_t)p->n * f->es, bytes = 4 * (size_t)maxblock * f->es + f->es;
  if (f->strategy == NBODY_ALLGATHER) bytes = 4 * (size_t)p->ntotal * f->es + f->es;
  int nbuf = f->strategy == NBODY_ALLGATHER ? 1 : 2;
  for (int k = 0; k < nbuf; ++k)
    if (!(f->buf[k] = malloc(bytes))) return PT_ERROR(PT_ERR_NOMEM, "out of memory for force buffers");
  if (f->strategy == NBODY_RMA) {
    PT_MPI(MPI_Win_allocate((MPI_Aint)own_bytes, (int)f->es, MPI_INFO_NULL, p->comm, &f->own, &f->win));
    MPI_Win_set_errhandler(f->win, MPI_ERRORS_RETURN);
    PT_MPI(MPI_Win_lock_all(MPI_MODE_NOCHECK, f->win));
    f->locked = 1;
  } else if (!(f->own = malloc(own_bytes + f->es))) {
    return PT_ERROR(PT_ERR_NOMEM, "out of memory for force buffers");
  }
  if (f->strategy == NBODY_RING) {
    int dims[1] = {p->size}, periods[1] = {1};
    PT_MPI(MPI_Cart_create(p->comm, 1, dims, periods, 0, &f->ring));
    MPI_Comm_set_errhandler(f->ring, MPI_ERRORS_RETURN);
    PT_MPI(MPI_Cart_shift(f->ring, 0, 1, &f->left, &f->right));
  }
  return PT_OK;
}

int nbody_force_create(const pt_particles *p, int strategy, int precision, int kernel,
                       double G, double eps, pt_timers *timers, nbody_force **out) {
  *out = NULL;
  nbody_force *f = calloc(1, sizeof *f);
  if (!f) return pt_agree(p->comm, PT_ERROR(PT_ERR_NOMEM, "out of memory"));
  f->p = p;
  f->strategy = strategy;
  f->precision = precision;
  f->kernel_f64 = kernel == NBODY_KERNEL_FAST ? nbody_kernel_fast_f64 : nbody_kernel_f64;
  f->kernel_f32 = kernel == NBODY_KERNEL_FAST ? nbody_kernel_fast_f32 : nbody_kernel_f32;
  f->G = G;
  f->eps = eps;
  f->es = precision == NBODY_FP64 ? sizeof(double) : sizeof(float);
  f->etype = precision == NBODY_FP64 ? MPI_DOUBLE : MPI_FLOAT;
  f->btype = MPI_DATATYPE_NULL;
  f->ring = MPI_COMM_NULL;
  f->win = MPI_WIN_NULL;
  f->timers = timers;
  if (timers) {
    f->t_kernel = pt_timers_add(timers, "forces");
    f->t_comm = pt_timers_add(timers, "communication");
  }
  int err = pt_agree(p->comm, setup(f));
  if (err)
    nbody_force_destroy(&f);
  else
    *out = f;
  return err;
}

void nbody_force_destroy(nbody_force **pf) {
  nbody_force *f = *pf;
  if (!f) return;
  if (f->win != MPI_WIN_NULL) {
    if (f->locked) MPI_Win_unlock_all(f->win);
    MPI_Win_free(&f->win);
  } else {
    free(f->own);
  }
  if (f->ring != MPI_COMM_NULL) MPI_Comm_free(&f->ring);
  if (f->btype != MPI_DATATYPE_NULL) MPI_Type_free(&f->btype);
  for (int c = 0; c < 3; ++c) free(f->tgt[c]);
  for (int c = 0; c < 4; ++c) free(f->acc[c]);
  free(f->buf[0]);
  free(f->buf[1]);
  free(f);
  *pf = NULL;
}
