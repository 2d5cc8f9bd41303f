/* halo_race: hunts for races in the halo back-ends. Two fields are exchanged in turn, as
 * a double-buffered solver does (the kernel writes one field's owned cells while the
 * other's exchange is in flight). Before each exchange every owned cell is set to a value
 * that encodes its global index and the round; after it, every face ghost must hold
 * exactly what its owner set in this round (what a 1-rank run holds there), and every
 * ghost beyond a wall the round's wall marker written before the exchange. A stale or
 * torn ghost is caught in the round it happens, not smeared into a final field.
 *   halo_race KIND ROUNDS GRID:PERIODIC...
 * GRID is NXxNY or NXxNYxNZ, PERIODIC one 0/1 per axis ("48x48x48:001"); each grid runs
 * in turn in one launch, with its own decomposition, fields and windows. Prints one line
 * per grid on rank 0 and one per rank with a fault; exits 1 when any rank saw one. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "partita.h"

#define PROG "halo_race"

/* Exact in a double while round < 2^20 and the grid has < 2^32 cells. */
static double owned_value(int64_t g, int64_t round) { return (double)round * 4294967296.0 + (double)g; }
static double wall_value(int64_t round) { return -1.0 - (double)round; }

/* Global C-order index of local index idx[]; the caller wraps periodic axes. */
static int64_t global_index(const pt_decomp *d, const int64_t idx[]) {
  int64_t g = 0;
  for (int a = 0; a < d->ndim; ++a) g = g * d->gsize[a] + ((d->lo[a] + idx[a]) % d->gsize[a] + d->gsize[a]) % d->gsize[a];
  return g;
}

/* Walks the cells of the box lo..hi (exclusive) of f, calling fn on each. */
typedef int64_t (*cell_fn)(pt_field *f, const int64_t idx[], int axis, int side, int64_t round);
static int64_t walk(pt_field *f, const int64_t lo[], const int64_t hi[], cell_fn fn, int axis, int side,
                    int64_t round) {
  int64_t bad = 0, idx[PT_MAXDIM] = {0, 0, 0};
  const int64_t hi2 = f->ndim == 3 ? hi[2] : 1, lo2 = f->ndim == 3 ? lo[2] : 0;
  for (idx[0] = lo[0]; idx[0] < hi[0]; ++idx[0])
    for (idx[1] = lo[1]; idx[1] < hi[1]; ++idx[1])
      for (idx[2] = lo2; idx[2] < hi2; ++idx[2]) bad += fn(f, idx, axis, side, round);
  return bad;
}

static int64_t set_owned(pt_field *f, const int64_t idx[], int axis, int side, int64_t round) {
  (void)axis, (void)side;
  f->data[pt_field_offset(f, idx)] = owned_value(global_index(f->decomp, idx), round);
  return 0;
}

static int64_t set_wall(pt_field *f, const int64_t idx[], int axis, int side, int64_t round) {
  (void)axis, (void)side;
  f->data[pt_field_offset(f, idx)] = wall_value(round);
  return 0;
}

static int64_t check_ghost(pt_field *f, const int64_t idx[], int axis, int side, int64_t round) {
  const pt_decomp *d = f->decomp;
  double want = d->nbr[axis][side] == MPI_PROC_NULL ? wall_value(round)
                                                    : owned_value(global_index(d, idx), round);
  return f->data[pt_field_offset(f, idx)] != want;
}

/* The ghost slab of face (axis, side), over the owned cells of the other axes. */
static void face_box(const pt_field *f, int axis, int side, int64_t lo[], int64_t hi[]) {
  for (int a = 0; a < f->ndim; ++a) {
    lo[a] = 0;
    hi[a] = f->n[a];
  }
  lo[axis] = side ? f->n[axis] : -f->ng;
  hi[axis] = side ? f->n[axis] + f->ng : 0;
}

static int64_t for_faces(pt_field *f, cell_fn fn, int walls_only, int64_t round) {
  int64_t bad = 0;
  for (int a = 0; a < f->ndim; ++a)
    for (int side = 0; side < 2; ++side) {
      if (walls_only && f->decomp->nbr[a][side] != MPI_PROC_NULL) continue;
      int64_t lo[PT_MAXDIM], hi[PT_MAXDIM];
      face_box(f, a, side, lo, hi);
      bad += walk(f, lo, hi, fn, a, side, round);
    }
  return bad;
}

static int64_t fill(pt_field *f, int64_t round) {
  int64_t lo[PT_MAXDIM] = {0, 0, 0}, hi[PT_MAXDIM];
  for (int a = 0; a < f->ndim; ++a) hi[a] = f->n[a];
  walk(f, lo, hi, set_owned, 0, 0, round);
  return for_faces(f, set_wall, 1, round);
}

static int usage(void) {
  return PT_ERROR(PT_ERR_INPUT, "usage: " PROG " KIND ROUNDS NXxNY[xNZ]:PERIODIC...");
}

/* Parses "48x48x48:001". Returns 0 on a malformed spec. */
static int parse_spec(const char *spec, int *ndim, int64_t gsize[], int periodic[]) {
  char per[8] = "";
  long long n[3] = {0, 0, 0};
  int got = sscanf(spec, "%lldx%lldx%lld:%7s", &n[0], &n[1], &n[2], per);
  if (got != 4) {
    n[2] = 0;
    if (sscanf(spec, "%lldx%lld:%7s", &n[0], &n[1], per) != 3) return 0;
  }
  *ndim = n[2] > 0 ? 3 : 2;
  if ((int)strlen(per) != *ndim) return 0;
  for (int a = 0; a < *ndim; ++a) {
    if (n[a] < 1 || (per[a] != '0' && per[a] != '1')) return 0;
    gsize[a] = n[a];
    periodic[a] = per[a] == '1';
  }
  return 1;
}

/* One grid: every round exchanges one field while the other is written, then checks. */
static int run_spec(MPI_Comm comm, pt_halo_kind kind, int64_t rounds, const char *spec, int64_t *bad) {
  int ndim = 0, periodic[PT_MAXDIM] = {0, 0, 0}, rank;
  int64_t gsize[PT_MAXDIM] = {1, 1, 1}, first_bad = -1;
  MPI_Comm_rank(comm, &rank);
  *bad = 0;
  if (!parse_spec(spec, &ndim, gsize, periodic)) return pt_agree(comm, usage());
  pt_decomp *d = NULL;
  pt_field *f[2] = {NULL, NULL};
  pt_halo *h[2] = {NULL, NULL};
  int err = pt_decomp_create(comm, ndim, gsize, periodic, NULL, &d);
  for (int k = 0; k < 2 && !err; ++k) err = pt_agree(comm, pt_field_create(d, 1, &f[k]));
  for (int k = 0; k < 2 && !err; ++k) err = pt_halo_create(f[k], kind, &h[k]);
  for (int64_t r = 0; !err && r < rounds; ++r) {
    pt_field *cur = f[r % 2], *other = f[1 - r % 2];
    fill(cur, r);
    err = pt_halo_begin(h[r % 2]);
    /* The kernel's share: it writes the other field while this one travels. */
    if (!err) fill(other, r + 1);
    if (!err) err = pt_halo_end(h[r % 2]);
    int64_t b = err ? 0 : for_faces(cur, check_ghost, 0, r);
    if (b && first_bad < 0) first_bad = r;
    *bad += b;
  }
  err = pt_agree(comm, err);
  if (*bad)
    fprintf(stderr, PROG ": [rank %d] %s %s: %" PRId64 " wrong ghost values, first in round %" PRId64 "\n", rank,
            pt_halo_kind_names[kind], spec, *bad, first_bad);
  int64_t total = 0;
  MPI_Allreduce(bad, &total, 1, MPI_INT64_T, MPI_SUM, comm);
  if (!err && rank == 0)
    printf(PROG ": %s %s, %d ranks (process grid %d x %d%s%.0d), %" PRId64 " rounds: %" PRId64
           " wrong ghost values\n",
           pt_halo_kind_names[kind], spec, d->size, d->dims[0], d->dims[1], ndim == 3 ? " x " : "",
           ndim == 3 ? d->dims[2] : 0, rounds, total);
  *bad = total;
  for (int k = 0; k < 2; ++k) {
    pt_halo_destroy(&h[k]);
    pt_field_destroy(&f[k]);
  }
  pt_decomp_destroy(&d);
  return err;
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  MPI_Comm comm = MPI_COMM_WORLD;
  int rank;
  MPI_Comm_rank(comm, &rank);
  pt_halo_kind kind = PT_HALO_P2P;
  int64_t rounds = 0, bad = 0;
  int err = argc < 4 ? usage() : pt_halo_kind_parse(argv[1], &kind);
  if (!err) {
    rounds = strtoll(argv[2], NULL, 10);
    if (rounds < 1 || rounds >= (1 << 20)) err = usage();
  }
  err = pt_agree(comm, err);
  for (int i = 3; !err && i < argc; ++i) {
    int64_t b = 0;
    err = run_spec(comm, kind, rounds, argv[i], &b);
    bad += b;
  }
  if (err && rank == 0) fprintf(stderr, PROG ": %s\n", pt_error_message());
  MPI_Finalize();
  return err || bad ? 1 : 0;
}
