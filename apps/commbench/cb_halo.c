#include "cb_halo.h"

#include <stdio.h>

#include "cb_loop.h"
#include "cb_table.h"
#include "pt_error.h"
#include "pt_field.h"
#include "pt_halo.h"

static int op_exchange(void *v, int64_t it) {
  (void)it;
  return pt_halo_exchange(v);
}

/* Bytes this rank sends per exchange: one layer of each face that has a neighbour. */
static int64_t face_bytes(const pt_decomp *d) {
  int64_t b = 0;
  for (int a = 0; a < d->ndim; ++a) {
    int64_t face = (int64_t)sizeof(double);
    for (int e = 0; e < d->ndim; ++e)
      if (e != a) face *= d->n[e];
    for (int side = 0; side < 2; ++side)
      if (d->nbr[a][side] != MPI_PROC_NULL) b += face;
  }
  return b;
}

static int run_dims(const cb_params *p, MPI_Comm comm, int ndim, cJSON *benchmarks) {
  const int64_t n = p->halo_n[ndim - 2];
  const int64_t gsize[PT_MAXDIM] = {n, n, n};
  const int periodic[PT_MAXDIM] = {1, 1, 1};
  pt_decomp *d = NULL;
  pt_field *f = NULL;
  PT_TRY(pt_decomp_create(comm, ndim, gsize, periodic, NULL, &d));
  int err = pt_agree(comm, pt_field_create(d, 1, &f));
  char name[16], grid[64], procs[64];
  snprintf(name, sizeof name, "halo_%dd", ndim);
  int gl = 0, pl = 0;
  for (int a = 0; a < ndim; ++a) {
    gl += snprintf(grid + gl, sizeof grid - (size_t)gl, "%s%lld", a ? " x " : "", (long long)n);
    pl += snprintf(procs + pl, sizeof procs - (size_t)pl, "%s%d", a ? " x " : "", d->dims[a]);
  }
  cb_table t = {.json = NULL};
  if (!err)
    err = cb_table_begin(&t, comm, name, d->size, 1, 1, "Backend",
                         "halo exchange of a %dD field %s on %d ranks (process grid %s, 1 ghost "
                         "layer, periodic); Size = bytes sent per rank per exchange",
                         ndim, grid, d->size, procs);
  if (!err) pt_field_fill(f, 1.0);
  const int64_t bytes = face_bytes(d);
  for (int k = 0; k < PT_HALO_NKINDS && !err; ++k) {
    if (!p->halo_kind[k]) continue;
    pt_halo *h = NULL;
    int herr = pt_halo_create(f, (pt_halo_kind)k, &h);
    if (herr == PT_ERR_INPUT) {
      /* e.g. an rma back-end on an MPI whose one-sided component cannot make windows */
      char note[512];
      snprintf(note, sizeof note, "%s skipped: %s", pt_halo_kind_names[k], pt_error_message());
      cb_table_note(&t, note);
      pt_error_clear();
      continue;
    }
    err = herr;
    double sec = 0;
    if (!err) err = cb_loop_time(comm, p, p->halo_iterations, op_exchange, h, &sec);
    if (!err)
      err = cb_table_row(&t, comm, pt_halo_kind_names[k], bytes, p->halo_iterations,
                         sec * 1e6 / (double)p->halo_iterations, 1);
    pt_halo_destroy(&h);
  }
  cb_table_end(&t, benchmarks);
  pt_field_destroy(&f);
  pt_decomp_destroy(&d);
  return err;
}

int cb_halo_run(const cb_params *p, MPI_Comm comm, cJSON *benchmarks) {
  if (!p->run[CB_HALO]) return PT_OK;
  for (int nd = 2; nd <= 3; ++nd)
    if (p->halo_dims[nd - 2]) PT_TRY(run_dims(p, comm, nd, benchmarks));
  return PT_OK;
}
