#include "heat_explicit.h"

#include <omp.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "pt_error.h"

/* The update of one cell is the same expression, in the same order, wherever the cell
 * lies (interior or boundary box, vector body or remainder): that, and no FMA
 * contraction (-ffp-contract=off), makes the field identical on any decomposition.
 * The boxes are also built for AVX2 and picked at load time: with 2-wide SSE2 vectors
 * the adds alone keep a core as busy as memory does (bench/heat-bench). Wider vectors of
 * the same adds and multiplies give the same bits. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define HEAT_BOX_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define HEAT_BOX_CLONES
#endif
/* Cache a tile's working set is sized for: half of this core's L2, the rest left to
 * the lines in flight and what the prefetcher brings. */
static int64_t cache_bytes(void) {
  static atomic_llong probed;  /* once; threads that race store the same value */
  const int64_t seen = atomic_load_explicit(&probed, memory_order_relaxed);
  if (seen) return seen;
  long l2 = -1;
#ifdef _SC_LEVEL2_CACHE_SIZE
  l2 = sysconf(_SC_LEVEL2_CACHE_SIZE);
#endif
  const int64_t bytes = (l2 > 0 ? l2 : 1 << 20) / 2;
  atomic_store_explicit(&probed, bytes, memory_order_relaxed);
  return bytes;
}

/* Rows of `len` doubles per column of a 3D sweep: four planes' worth of the column
 * (three read, one written) in the cache. */
static int64_t row_block(int64_t len) {
  const int64_t rows = cache_bytes() / (4 * len * (int64_t)sizeof(double));
  return rows < 4 ? 4 : rows;
}

/* The box [lo, hi) on the calling thread. */
HEAT_BOX_CLONES
static void box_serial(const pt_field *in, pt_field *out, const double c[], double q,
                       const int64_t lo[], const int64_t hi[]) {
  const int64_t s0 = in->stride[0], s1 = in->stride[1];
  const double c0 = c[0], c1 = c[1];
  if (in->ndim == 2) {
    for (int64_t i = lo[0]; i < hi[0]; ++i) {
      const double *restrict u = in->data + i * s0;
      double *restrict v = out->data + i * s0;
#pragma omp simd
      for (int64_t j = lo[1]; j < hi[1]; ++j)
        v[j] = u[j] + (c0 * ((u[j - s0] + u[j + s0]) - 2.0 * u[j]) +
                       c1 * ((u[j - 1] + u[j + 1]) - 2.0 * u[j])) + q;
    }
    return;
  }
  /* Columns of rows along axis 1, swept plane by plane: the three planes a column
   * reads stay in cache at any grid size (the layer condition), where whole planes of a
   * large grid would not. */
  const double c2 = c[2];
  const int64_t width = row_block(hi[2] - lo[2] + 2);
  for (int64_t j0 = lo[1]; j0 < hi[1]; j0 += width) {
    const int64_t j1 = j0 + width < hi[1] ? j0 + width : hi[1];
    for (int64_t i = lo[0]; i < hi[0]; ++i)
      for (int64_t j = j0; j < j1; ++j) {
        const double *restrict u = in->data + i * s0 + j * s1;
        double *restrict v = out->data + i * s0 + j * s1;
#pragma omp simd
        for (int64_t k = lo[2]; k < hi[2]; ++k)
          v[k] = u[k] + (c0 * ((u[k - s0] + u[k + s0]) - 2.0 * u[k]) +
                         c1 * ((u[k - s1] + u[k + s1]) - 2.0 * u[k]) +
                         c2 * ((u[k - 1] + u[k + 1]) - 2.0 * u[k])) + q;
      }
  }
}

static int box_empty(const pt_field *f, const int64_t lo[], const int64_t hi[]) {
  for (int d = 0; d < f->ndim; ++d)
    if (hi[d] <= lo[d]) return 1;
  return 0;
}

void heat_explicit_box(const pt_field *in, pt_field *out, const double c[], double q,
                       const int64_t lo[], const int64_t hi[]) {
  if (box_empty(in, lo, hi)) return;
  const int64_t rows = hi[0] - lo[0];
  /* Threads take contiguous runs of the outer axis, as the first touch placed them. */
#pragma omp parallel if (rows > 4)
  {
    const int64_t t = omp_get_thread_num(), nt = omp_get_num_threads();
    int64_t l[PT_MAXDIM], h[PT_MAXDIM];
    for (int d = 0; d < in->ndim; ++d) { l[d] = lo[d]; h[d] = hi[d]; }
    l[0] = lo[0] + rows * t / nt;
    h[0] = lo[0] + rows * (t + 1) / nt;
    if (h[0] > l[0]) box_serial(in, out, c, q, l, h);
  }
}

void heat_interior_box(const pt_field *f, int64_t lo[], int64_t hi[]) {
  for (int d = 0; d < f->ndim; ++d) {
    lo[d] = 1;
    hi[d] = f->n[d] - 1;
  }
}

int heat_boundary_slab(const pt_field *f, const int64_t blo[], const int64_t bhi[], int d, int side,
                       int64_t lo[], int64_t hi[]) {
  int64_t ilo[PT_MAXDIM], ihi[PT_MAXDIM];
  heat_interior_box(f, ilo, ihi);
  for (int e = 0; e < f->ndim; ++e) {
    if (ihi[e] < ilo[e]) ihi[e] = ilo[e];  /* an axis of one cell has no interior */
    if (e < d) { lo[e] = ilo[e]; hi[e] = ihi[e]; }
    else if (e > d) { lo[e] = blo[e]; hi[e] = bhi[e]; }
  }
  lo[d] = side ? ihi[d] : blo[d];
  hi[d] = side ? bhi[d] : ilo[d];
  return hi[d] > lo[d];
}

void heat_apply_bc(const heat_params *p, pt_field *f, int reach) {
  for (int d = 0; d < f->ndim; ++d)
    for (int side = 0; side < 2; ++side)
      if (p->bc[d][side] != HEAT_BC_PERIODIC)
        pt_field_wall_reach(f, d, side,
                            p->bc[d][side] == HEAT_BC_DIRICHLET ? PT_WALL_DIRICHLET : PT_WALL_NEUMANN,
                            p->bc_value[d][side], reach);
}

/* The cells a step computes `e` steps before the next exchange: the owned ones and e
 * layers beyond every face with a neighbour, whose ghosts the exchange filled deep
 * enough (ng >= e + 1) for e more steps. */
static void reach_box(const pt_field *f, int e, int64_t lo[], int64_t hi[]) {
  for (int d = 0; d < f->ndim; ++d) {
    lo[d] = f->decomp->nbr[d][0] != MPI_PROC_NULL ? -e : 0;
    hi[d] = f->n[d] + (f->decomp->nbr[d][1] != MPI_PROC_NULL ? e : 0);
  }
}

int heat_halos_create(heat_state *st, pt_halo *halo[2]) {
  int err = PT_OK;
  for (int k = 0; k < 2 && !err; ++k) {
    err = heat_params_blame(st->p, "run.halo", st->time_block > 1 ? pt_halo_create_box(st->u[k], st->p->halo, &halo[k])
                                                       : pt_halo_create(st->u[k], st->p->halo, &halo[k]));
  }
  return err;
}

/* The CPU back-end: the halos and, for blocks of several steps, the tiles' progress. */
typedef struct cpu {
  pt_halo *halo[2];
  int64_t ntile_max;
  atomic_llong *done;  /* per tile: the last wavefront position it has finished */
} cpu;


/* Cells along axis 1 per tile for blocks of m steps over decomposition d: run.time_tile,
 * or by default so that a tile's rows (planes in 3D) of both fields over the m + 3
 * wavefront positions it touches at once stay in cache, with a tile for each thread at
 * least when the axis allows; and at least 2 m + 2, so that the skew leaves every tile
 * cells at every level. */
static int64_t tile_width(const pt_decomp *d, int64_t want, int m) {
  const int64_t inner = d->ndim == 3 ? d->n[2] + 2 * m : 1, extent = d->n[1] + 2 * m;
  int64_t w = want ? want : cache_bytes() / (2 * (m + 3) * inner * (int64_t)sizeof(double));
  const int64_t threads = omp_get_max_threads();
  if (!want && threads > 1 && w * threads > extent) w = extent / threads;
  if (w < 2 * m + 2) w = 2 * m + 2;
  return w;
}

int heat_time_block_auto(const pt_decomp *d) {
  int best = 1;
  for (int m = 2; m <= HEAT_TIME_BLOCK_AUTO_MAX; ++m) {
    /* Redundant work: a step computes up to m - 1 layers beyond each face with a
     * neighbour, m / 2 on average; keep it within a tenth of the owned cells. */
    double extra = 0;
    for (int a = 0; a < d->ndim; ++a) {
      if (d->n[a] < 2 * m) return best;
      for (int side = 0; side < 2; ++side)
        if (d->nbr[a][side] != MPI_PROC_NULL) extra += 0.5 * m / (double)d->n[a];
    }
    if (extra > 0.1) break;
    /* A tile no wider than its skew does little but skew. */
    if (d->ndim == 3 && tile_width(d, 0, m) <= 2 * m + 2) break;
    best = m;
  }
  return best;
}

static int create(heat_state *st, void **impl) {
  cpu *c = calloc(1, sizeof *c);
  int err = pt_agree(st->decomp->cart, c ? PT_OK : PT_ERROR(PT_ERR_NOMEM, "out of memory"));
  if (!err && st->time_block > 1) {
    c->ntile_max = st->u[0]->n[1] + 2 * st->time_block;
    c->done = calloc((size_t)c->ntile_max, sizeof *c->done);
    err = pt_agree(st->decomp->cart, c->done ? PT_OK : PT_ERROR(PT_ERR_NOMEM, "out of memory"));
  }
  if (!err) err = heat_halos_create(st, c->halo);
  *impl = c;
  return err;
}

static void destroy(void **impl) {
  cpu *c = *impl;
  if (!c) return;
  for (int k = 0; k < 2; ++k) pt_halo_destroy(&c->halo[k]);
  free(c->done);
  free(c);
  *impl = NULL;
}

/* Fills the walls of `f` next to the cells [lo, hi) just computed, for the next level. */
static void tile_walls(const heat_params *p, pt_field *f, const int64_t lo[], const int64_t hi[]) {
  for (int d = 0; d < f->ndim; ++d)
    for (int side = 0; side < 2; ++side) {
      const int64_t adj = side ? f->n[d] - 1 : 0;
      if (p->bc[d][side] == HEAT_BC_PERIODIC || adj < lo[d] || adj >= hi[d]) continue;
      pt_field_wall_box(f, d, side, p->bc[d][side] == HEAT_BC_DIRICHLET ? PT_WALL_DIRICHLET : PT_WALL_NEUMANN,
                        p->bc_value[d][side], lo, hi);
    }
}

/* m >= 2 steps from fields[cur] in one pass through memory, after an exchange that filled
 * the ghosts m deep. Level t (the t-th step) computes its reach box, m - 1 - t layers
 * beyond the faces with a neighbour, as in separate sweeps, so every cell gets the same
 * expression of the same inputs: the same bits. The order is what changes:
 *  - a wavefront along axis 0: at position s, level t computes row (3D: plane) s - t. Row
 *    r of level t reads rows r - 1 .. r + 1 of level t - 1, the last of which was just
 *    computed; and it overwrites level t - 2's row r, whose last reader (level t - 1's row
 *    r + 1) came just before it. Two fields suffice.
 *  - tiles along axis 1, skewed back one cell per level: tile b holds level t's cells in
 *    [J_b - t, J_b+1 - t). Its left neighbour's level t - 1 cells it reads lie left of
 *    J_b - t + 1, and what that neighbour writes later (level L, left of J_b - L) never
 *    reaches what tile b still reads. So tile b may run position s once tile b - 1 has
 *    finished s, and threads take tiles in turn, in a pipeline.
 * A tile's rows of both fields over the positions in flight stay in cache (tile_width):
 * each cell is read from and written to memory about once per block, not once per step.
 * Walls are filled tile by tile as soon as the cells next to them are computed. */
static void block_steps(cpu *c, heat_state *s, int cur, int m) {
  const heat_params *p = s->p;
  pt_field *const *u = s->u;
  int64_t lo[HEAT_TIME_BLOCK_MAX][PT_MAXDIM], hi[HEAT_TIME_BLOCK_MAX][PT_MAXDIM];
  int64_t first = INT64_MAX, last = INT64_MIN;
  for (int t = 0; t < m; ++t) {
    reach_box(u[cur], m - 1 - t, lo[t], hi[t]);
    if (lo[t][0] + t < first) first = lo[t][0] + t;
    if (hi[t][0] - 1 + t > last) last = hi[t][0] - 1 + t;
  }
  heat_apply_bc(p, u[cur], m - 1);
  const int64_t w = tile_width(s->decomp, p->time_tile, m), j0 = lo[0][1];
  int64_t ntile = (hi[0][1] - j0 + w - 1) / w;
  if (ntile > c->ntile_max) ntile = c->ntile_max;
  for (int64_t b = 0; b < ntile; ++b) atomic_store_explicit(&c->done[b], first - 1, memory_order_relaxed);
#pragma omp parallel for schedule(static, 1)
  for (int64_t b = 0; b < ntile; ++b) {
    for (int64_t pos = first; pos <= last; ++pos) {
      while (b > 0 && atomic_load_explicit(&c->done[b - 1], memory_order_acquire) < pos) sched_yield();
      for (int t = 0; t < m; ++t) {
        int64_t blo[PT_MAXDIM], bhi[PT_MAXDIM];
        for (int d = 0; d < u[cur]->ndim; ++d) { blo[d] = lo[t][d]; bhi[d] = hi[t][d]; }
        blo[0] = pos - t;
        bhi[0] = blo[0] + 1;
        if (blo[0] < lo[t][0] || blo[0] >= hi[t][0]) continue;
        if (b > 0 && j0 + b * w - t > blo[1]) blo[1] = j0 + b * w - t;
        if (b < ntile - 1 && j0 + (b + 1) * w - t < bhi[1]) bhi[1] = j0 + (b + 1) * w - t;
        pt_field *in = u[(cur + t) & 1], *out = u[(cur + t + 1) & 1];
        if (box_empty(in, blo, bhi)) continue;
        box_serial(in, out, s->c, s->q, blo, bhi);
        if (t < m - 1) tile_walls(p, out, blo, bhi);
      }
      atomic_store_explicit(&c->done[b], pos, memory_order_release);
    }
    atomic_store_explicit(&c->done[b], INT64_MAX, memory_order_release);
  }
}

/* One step from fields[cur] after a fresh exchange, the interior computed while the
 * ghosts travel when run.overlap is on. */
static void one_step(heat_state *s, int cur, int overlap) {
  pt_field *in = s->u[cur], *out = s->u[1 - cur];
  int64_t lo[PT_MAXDIM], hi[PT_MAXDIM], blo[PT_MAXDIM], bhi[PT_MAXDIM];
  reach_box(in, 0, blo, bhi);
  heat_apply_bc(s->p, in, 0);
  if (overlap) {
    for (int d = 0; d < in->ndim; ++d)
      for (int side = 0; side < 2; ++side)
        if (heat_boundary_slab(in, blo, bhi, d, side, lo, hi)) heat_explicit_box(in, out, s->c, s->q, lo, hi);
  } else {
    heat_explicit_box(in, out, s->c, s->q, blo, bhi);
  }
}

/* The interior box of one step while the ghosts travel, in slabs of the outer axis with
 * a look at the exchange between them, so that its large messages move during the
 * sweep rather than after it. */
static int interior_with_progress(heat_state *s, int cur, pt_halo *halo) {
  enum { SLABS = 16 };
  pt_field *in = s->u[cur];
  int64_t lo[PT_MAXDIM], hi[PT_MAXDIM];
  heat_interior_box(in, lo, hi);
  const int64_t first = lo[0], rows = hi[0] - lo[0];
  for (int k = 0; k < SLABS && rows > 0; ++k) {
    lo[0] = first + rows * k / SLABS;
    hi[0] = first + rows * (k + 1) / SLABS;
    heat_explicit_box(in, s->u[1 - cur], s->c, s->q, lo, hi);
    PT_TRY(pt_halo_progress(halo));
  }
  return PT_OK;
}

/* n steps, in blocks of up to st->time_block steps, each after one exchange of ghosts
 * as deep as the block (one message per neighbour and block, not per step). Owned cells
 * are right at the end of every block, and the caller cuts blocks where output,
 * checkpoints, diagnostics or a stop check fall. */
static int advance(void *impl, heat_state *s, int64_t n) {
  cpu *c = impl;
  const heat_params *p = s->p;
  int cur = s->cur;
  while (n > 0) {
    const int m = n < s->time_block ? (int)n : s->time_block;
    /* The exchange overlaps a single step's interior; a block's first level is in its
     * wavefront, so a block waits for its ghosts. */
    const int split = m == 1 && p->overlap && !p->halo_off;
    pt_timers_start(s->timers, s->t_halo);
    if (!p->halo_off) PT_TRY(pt_halo_begin(c->halo[cur]));
    pt_timers_stop(s->timers, s->t_halo);
    if (split) {
      pt_timers_start(s->timers, s->t_compute);
      PT_TRY(interior_with_progress(s, cur, c->halo[cur]));
      pt_timers_stop(s->timers, s->t_compute);
    }
    pt_timers_start(s->timers, s->t_halo);
    if (!p->halo_off) PT_TRY(pt_halo_end(c->halo[cur]));
    pt_timers_stop(s->timers, s->t_halo);
    pt_timers_start(s->timers, s->t_compute);
    if (m == 1) one_step(s, cur, split);
    else block_steps(c, s, cur, m);
    pt_timers_stop(s->timers, s->t_compute);
    cur = (cur + m) & 1;
    n -= m;
  }
  return PT_OK;
}

static int serves(const heat_params *p, const pt_device_info *dev) {
  return p->scheme == HEAT_EXPLICIT && dev->backend == PT_BACKEND_CPU;
}

const heat_backend heat_backend_explicit = {"cpu", serves, create, destroy, NULL, NULL, advance};
