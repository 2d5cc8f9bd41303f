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

/* Bytes this rank sends per exchange of k ghost layers: k layers of each face that has a
 * neighbour; deeper than one, the whole ghost box (pt_halo_create_box), whose slab along
 * an axis spans the ghosts of the axes exchanged before it. */
static int64_t exchange_bytes(const pt_decomp *d, int k) {
  int64_t b = 0;
  for (int a = 0; a < d->ndim; ++a) {
    int64_t face = (int64_t)sizeof(double) * k;
    for (int e = 0; e < d->ndim; ++e)
      if (e != a) face *= d->n[e] + (k > 1 && e < a ? 2 * k : 0);
    for (int side = 0; side < 2; ++side)
      if (d->nbr[a][side] != MPI_PROC_NULL) b += face;
  }
  return b;
}

/* Messages this rank sends per exchange: one per face with a neighbour. */
static int exchange_messages(const pt_decomp *d) {
  int m = 0;
  for (int a = 0; a < d->ndim; ++a)
    for (int side = 0; side < 2; ++side) m += d->nbr[a][side] != MPI_PROC_NULL;
  return m;
}

/* One back-end's row at ghost depth k; an rma back-end the MPI cannot serve is a note. */
static int time_depth(const cb_params *p, MPI_Comm comm, cb_table *t, const pt_decomp *d, int kind, int k) {
  pt_field *f = NULL;
  PT_TRY(pt_agree(comm, pt_field_create(d, k, &f)));
  pt_field_fill(f, 1.0);
  pt_halo *h = NULL;
  int err = k > 1 ? pt_halo_create_box(f, (pt_halo_kind)kind, &h) : pt_halo_create(f, (pt_halo_kind)kind, &h);
  char label[64];
  snprintf(label, sizeof label, k > 1 ? "%s:k%d" : "%s", pt_halo_kind_names[kind], k);
  if (err == PT_ERR_INPUT) {
    /* e.g. an rma back-end on an MPI whose one-sided component cannot make windows */
    char note[512];
    snprintf(note, sizeof note, "%s skipped: %s", label, pt_error_message());
    cb_table_note(t, note);
    pt_error_clear();
    err = PT_OK;
  } else {
    double sec = 0;
    if (!err) err = cb_loop_time(comm, p, p->halo_iterations, op_exchange, h, &sec);
    if (!err)
      err = cb_table_row(t, comm, label, exchange_bytes(d, k), p->halo_iterations,
                         sec * 1e6 / (double)p->halo_iterations, 1);
  }
  pt_halo_destroy(&h);
  pt_field_destroy(&f);
  return err;
}

static int run_dims(const cb_params *p, MPI_Comm comm, int ndim, cJSON *benchmarks) {
  const int64_t n = p->halo_n[ndim - 2];
  const int64_t gsize[PT_MAXDIM] = {n, n, n};
  const int periodic[PT_MAXDIM] = {1, 1, 1};
  pt_decomp *d = NULL;
  PT_TRY(pt_decomp_create(comm, ndim, gsize, periodic, NULL, &d));
  char name[16], grid[64], procs[64];
  snprintf(name, sizeof name, "halo_%dd", ndim);
  int gl = 0, pl = 0;
  for (int a = 0; a < ndim; ++a) {
    gl += snprintf(grid + gl, sizeof grid - (size_t)gl, "%s%lld", a ? " x " : "", (long long)n);
    pl += snprintf(procs + pl, sizeof procs - (size_t)pl, "%s%d", a ? " x " : "", d->dims[a]);
  }
  cb_table t = {.json = NULL};
  int err = cb_table_begin(&t, comm, name, d->size, 1, 1, "Backend",
                           "halo exchange of a %dD field %s on %d ranks (process grid %s, "
                           "periodic), k ghost layers (k > 1: edges and corners too, one "
                           "exchange per k steps); Size = bytes sent per rank per exchange",
                           ndim, grid, d->size, procs);
  for (int j = 0; j < p->n_halo_depth && !err; ++j)
    for (int kind = 0; kind < PT_HALO_NKINDS && !err; ++kind)
      if (p->halo_kind[kind]) err = time_depth(p, comm, &t, d, kind, p->halo_depth[j]);
  /* What deeper ghosts buy: the same messages per exchange, k times fewer per step. */
  char note[256];
  int len = snprintf(note, sizeof note, "messages per rank per step:");
  for (int j = 0; j < p->n_halo_depth && len < (int)sizeof note; ++j)
    len += snprintf(note + len, sizeof note - (size_t)len, "%s k=%d: %.3g", j ? "," : "",
                    p->halo_depth[j], exchange_messages(d) / (double)p->halo_depth[j]);
  if (!err) cb_table_note(&t, note);
  cb_table_end(&t, benchmarks);
  pt_decomp_destroy(&d);
  return err;
}

int cb_halo_run(const cb_params *p, MPI_Comm comm, cJSON *benchmarks) {
  if (!p->run[CB_HALO]) return PT_OK;
  for (int nd = 2; nd <= 3; ++nd)
    if (p->halo_dims[nd - 2]) PT_TRY(run_dims(p, comm, nd, benchmarks));
  return PT_OK;
}
