/* The CUDA back-end of partita-nbody: the bodies, their accelerations and potential in
 * the rank's device memory (nbody_cuda, in s->dev) from nbody_sim_start on. nbody_force
 * exchanges the source blocks as on the CPU and the hooks here add them on the device:
 * only the blocks that travel between ranks pass through host memory. Forces agree with
 * the CPU's to round-off (1e-12 relative in FP64, docs/verification.md). Every device
 * call is checked with nbody_cuda_check, which aborts the job: the other ranks may
 * already wait in MPI for this one. Built with CUDA only. */
#include "config.h"

#include "nbody_backend.h"
#include "nbody_cuda.h"
#include "nbody_diag.h"
#include "pt_error.h"
#include "pt_reduce.h"

static int create(nbody_sim *s) {
  const pt_particles *p = s->p;
  int64_t maxblock = 0;
  for (int r = 0; r < p->size; ++r) maxblock = p->counts[r] > maxblock ? p->counts[r] : maxblock;
  nbody_cuda *g = NULL;
  int err = nbody_cuda_create(p->n, maxblock, s->prm->precision, &g);
  s->dev = g;
  return err;
}

static void destroy(nbody_sim *s) {
  nbody_cuda *g = s->dev;
  nbody_cuda_destroy(&g);
  s->dev = NULL;
}

static void upload(nbody_sim *s) { nbody_cuda_check(nbody_cuda_upload(s->dev, s->p)); }

static void to_host(nbody_sim *s) {
  nbody_cuda_check(nbody_cuda_download(s->dev, s->p, s->acc, s->pot_valid ? s->pot : NULL));
}

static void force_begin(void *g, void *own) { nbody_cuda_check(nbody_cuda_force_begin(g, own)); }

static void force_block(void *g, const void *blk, int64_t nb, double eps, int with_pot) {
  nbody_cuda_check(nbody_cuda_add_block(g, blk, nb, eps, with_pot));
}

static void force_end(void *g, double G, double eps, int with_pot) {
  nbody_cuda_check(nbody_cuda_force_end(g, G, eps, with_pot));
}

static const nbody_force_hooks hooks = {force_begin, force_block, force_end};

static int forces(nbody_sim *s, int want_pot) {
  s->host_stale = 1;
  return nbody_force_compute_with(s->force, &hooks, s->dev, want_pot);
}

static void kick(nbody_sim *s, double h) {
  nbody_cuda_check(nbody_cuda_kick(s->dev, h));
  s->host_stale = 1;
}

static void drift(nbody_sim *s, double h) {
  nbody_cuda_check(nbody_cuda_drift(s->dev, h));
  s->host_stale = 1;
}

/* pt_reduce_sum's two passes with the per-body work on the device: the same terms and
 * the same exact integer sums, so the same bits as the CPU back-end's for the same
 * state. */
static int sums(const nbody_sim *s, int err, double sum[]) {
  MPI_Comm comm = s->p->comm;
  PT_TRY(pt_agree(comm, err));
  pt_sum ps[NBODY_NQ];
  double maxabs[NBODY_NQ];
  int scale[NBODY_NQ];
  __int128 acc[NBODY_NQ];
  nbody_cuda_check(nbody_cuda_diag_maxabs(s->dev, maxabs));
  for (int q = 0; q < NBODY_NQ; ++q) {
    pt_sum_init(&ps[q]);
    ps[q].maxabs = maxabs[q];
    ps[q].count = s->p->n;
    PT_TRY(pt_sum_prepare(&ps[q], comm));
    scale[q] = ps[q].scale;
  }
  nbody_cuda_check(nbody_cuda_diag_sums(s->dev, scale, acc));
  for (int q = 0; q < NBODY_NQ; ++q) {
    ps[q].acc = acc[q];
    PT_TRY(pt_sum_finish(&ps[q], comm, &sum[q]));
  }
  return PT_OK;
}

const nbody_backend nbody_backend_device = {
    .kind = PT_BACKEND_CUDA, .create = create, .destroy = destroy, .upload = upload,
    .to_host = to_host, .forces = forces, .kick = kick, .drift = drift, .sums = sums};
