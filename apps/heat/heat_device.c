/* The CUDA back-end of partita-heat: both fields mirrored on the rank's GPU (heat_cuda),
 * the faces packed there and exchanged by pt_halo (staged through pinned host buffers
 * unless MPI takes device memory). Built with CUDA only. */
#include "heat_explicit.h"

#include <stdlib.h>

#include "heat_cuda.h"
#include "pt_error.h"

typedef struct device {
  heat_cuda *gpu;
  pt_halo *halo;     /* the packed faces; NULL when no face has a neighbour */
  int device_stale;  /* the host fields are newer (before the first step) */
  int host_stale;    /* the device's field is newer */
} device;

static void destroy(void **impl) {
  device *dv = *impl;
  if (!dv) return;
  pt_halo_destroy(&dv->halo);
  heat_cuda_destroy(&dv->gpu);
  free(dv);
  *impl = NULL;
}

static int create(heat_state *st, void **impl) {
  MPI_Comm cart = st->decomp->cart;
  device *dv = calloc(1, sizeof *dv);
  *impl = dv;
  PT_TRY(pt_agree(cart, dv ? PT_OK : PT_ERROR(PT_ERR_NOMEM, "out of memory")));
  /* run.backend = auto may have chosen the device: the rule a deck's cuda meets. */
  if (st->p->cfg) PT_TRY(pt_agree(cart, heat_params_device_halo(st->p, st->p->cfg)));
  PT_TRY(pt_agree(cart, heat_cuda_create(st->p, st->u[0], st->c, st->q, st->device.mpi_cuda_aware,
                                         &dv->gpu)));
  const heat_cuda_faces *fc = heat_cuda_faces_of(dv->gpu);
  dv->device_stale = 1;
  return heat_params_blame(st->p, "run.halo", pt_halo_create_packed(st->u[0], st->p->halo, fc->off, fc->send, fc->recv,
                                                      &dv->halo));
}

/* The explicit step on the device. With overlap, the boundary stream packs the faces
 * while the interior stream updates the interior box; the faces travel; one kernel
 * fills every ghost face and the boundary slabs follow on the boundary stream. The
 * cells and the expression are the CPU back-end's, so the field is its bit for bit. */
static int run_step(device *dv, heat_state *s) {
  const heat_params *p = s->p;
  heat_cuda *g = dv->gpu;
  const int k = s->cur, exchange = !p->halo_off && heat_cuda_faces_of(g)->off[HEAT_NFACE] > 0;
  const pt_field *f = s->u[k];
  int64_t lo[PT_MAXDIM], hi[PT_MAXDIM];
  if (dv->device_stale) {
    for (int j = 0; j < 2; ++j) PT_TRY(heat_cuda_upload(g, j, s->u[j]));
    dv->device_stale = 0;
  }
  pt_timers_start(s->timers, s->t_halo);
  if (exchange) PT_TRY(heat_cuda_pack(g, k));
  pt_timers_stop(s->timers, s->t_halo);
  if (p->overlap) {
    pt_timers_start(s->timers, s->t_compute);
    heat_interior_box(f, lo, hi);
    PT_TRY(heat_cuda_box(g, k, lo, hi, HEAT_CUDA_INTERIOR));
    pt_timers_stop(s->timers, s->t_compute);
  }
  pt_timers_start(s->timers, s->t_halo);
  if (exchange) {
    PT_TRY(heat_cuda_pack_wait(g));
    PT_TRY(pt_halo_exchange(dv->halo));
  }
  pt_timers_stop(s->timers, s->t_halo);
  pt_timers_start(s->timers, s->t_compute);
  PT_TRY(heat_cuda_fill_ghosts(g, k, exchange));
  int64_t olo[PT_MAXDIM], ohi[PT_MAXDIM];
  for (int d = 0; d < f->ndim; ++d) { olo[d] = 0; ohi[d] = f->n[d]; }
  if (p->overlap) {
    for (int d = 0; d < f->ndim; ++d)
      for (int side = 0; side < 2; ++side)
        if (heat_boundary_slab(f, olo, ohi, d, side, lo, hi))
          PT_TRY(heat_cuda_box(g, k, lo, hi, HEAT_CUDA_BOUNDARY));
  } else {
    PT_TRY(heat_cuda_box(g, k, olo, ohi, HEAT_CUDA_BOUNDARY));
  }
  /* The next step packs what both streams wrote, and the timers see the kernels. */
  PT_TRY(heat_cuda_sync(g));
  pt_timers_stop(s->timers, s->t_compute);
  dv->host_stale = 1;
  return PT_OK;
}

static int step(void *impl, heat_state *s) {
  /* A device failure mid-run is an internal fault: the other ranks may already wait in
   * a collective this rank will not join. */
  int err = run_step(impl, s);
  if (err == PT_ERR_RUNTIME) pt_abort_recorded();
  return err;
}

static void to_host(void *impl, heat_state *s) {
  device *dv = impl;
  if (dv->host_stale && heat_cuda_download(dv->gpu, s->cur, s->u[s->cur])) pt_abort_recorded();
  dv->host_stale = 0;
}

static int serves(const heat_params *p, const pt_device_info *dev) {
  return p->scheme == HEAT_EXPLICIT && dev->backend == PT_BACKEND_CUDA;
}

const heat_backend heat_backend_device = {"cuda", serves, create, destroy, step, to_host, NULL};
