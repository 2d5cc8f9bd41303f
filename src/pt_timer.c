#include "pt_timer.h"

#include <stdlib.h>
#include <string.h>

#include "pt_error.h"

#define PT_TIMER_NAME 48

typedef struct pt_phase {
  char name[PT_TIMER_NAME];
  double total, started;
  long long calls;
  long long round;  /* the round of the last counted call */
} pt_phase;

struct pt_timers {
  int n, cap;
  pt_phase *p;
  int whole;  /* the phase the others are parts of (pt_timers_set_total), or -1 */
  int other;  /* the "other" phase that pt_timers_reduce fills in, or -1 */
  long long round;  /* pt_timers_round calls so far */
};

int pt_timers_create(pt_timers **t) {
  *t = calloc(1, sizeof **t);
  if (!*t) return PT_ERROR(PT_ERR_NOMEM, "out of memory for timers");
  (*t)->whole = (*t)->other = -1;
  return PT_OK;
}

void pt_timers_destroy(pt_timers **t) {
  if (!*t) return;
  free((*t)->p);
  free(*t);
  *t = NULL;
}

int pt_timers_add(pt_timers *t, const char *name) {
  for (int i = 0; i < t->n; ++i)
    if (strcmp(t->p[i].name, name) == 0) return i;
  if (t->n == t->cap) {
    int cap = t->cap ? 2 * t->cap : 8;
    pt_phase *p = realloc(t->p, (size_t)cap * sizeof *p);
    if (!p) return PT_ERROR(PT_ERR_NOMEM, "out of memory for timers"), -1;
    t->p = p;
    t->cap = cap;
  }
  pt_phase *ph = &t->p[t->n];
  memset(ph, 0, sizeof *ph);
  snprintf(ph->name, sizeof ph->name, "%s", name);
  return t->n++;
}

void pt_timers_start(pt_timers *t, int id) {
  pt_phase *ph = &t->p[id];
  ph->started = MPI_Wtime();
  if (t->round == 0 || ph->round != t->round) ph->calls++;
  ph->round = t->round;
}

void pt_timers_round(pt_timers *t) { t->round++; }

void pt_timers_stop(pt_timers *t, int id) { t->p[id].total += MPI_Wtime() - t->p[id].started; }

int pt_timers_set_total(pt_timers *t, int id) {
  int other = pt_timers_add(t, "other");
  if (other < 0) return PT_ERR_NOMEM;
  t->whole = id;
  t->other = other;
  return PT_OK;
}

/* This rank's seconds of phase i; "other" is what the whole has beyond its parts. */
static double seconds(const pt_timers *t, int i) {
  if (i != t->other) return t->p[i].total;
  double rest = t->p[t->whole].total;
  for (int j = 0; j < t->n; ++j)
    if (j != t->whole && j != t->other) rest -= t->p[j].total;
  return rest > 0 ? rest : 0;
}

double pt_timers_elapsed(const pt_timers *t, int id) { return t->p[id].total; }

int pt_timers_count(const pt_timers *t) { return t->n; }

int pt_timers_reduce(const pt_timers *t, MPI_Comm comm, pt_timer_stats *stats) {
  int size, n = t->n;
  PT_MPI(MPI_Comm_size(comm, &size));
  if (n == 0) return PT_OK;
  double *loc = malloc(sizeof(double) * (size_t)n * 3), *red = loc ? loc + n : NULL;
  /* The reductions are collective: a rank without memory says so first. */
  int err = pt_agree(comm, loc ? PT_OK : PT_ERROR(PT_ERR_NOMEM, "out of memory for timers"));
  if (err) {
    free(loc);
    return err;
  }
  for (int i = 0; i < n; ++i) loc[i] = seconds(t, i);
  err = PT_MPI_CHECK(MPI_Allreduce(loc, red, n, MPI_DOUBLE, MPI_SUM, comm));
  for (int i = 0; i < n && !err; ++i) stats[i].avg = red[i] / size;
  if (!err) err = PT_MPI_CHECK(MPI_Allreduce(loc, red, n, MPI_DOUBLE, MPI_MIN, comm));
  for (int i = 0; i < n && !err; ++i) stats[i].min = red[i];
  if (!err) err = PT_MPI_CHECK(MPI_Allreduce(loc, red, n, MPI_DOUBLE, MPI_MAX, comm));
  for (int i = 0; i < n && !err; ++i) {
    stats[i].max = red[i];
    stats[i].name = t->p[i].name;
    stats[i].calls = t->p[i].calls;
    stats[i].imbalance = stats[i].avg > 0 ? (stats[i].max - stats[i].avg) / stats[i].avg : 0;
  }
  free(loc);
  return err;
}

int pt_timers_print(const pt_timers *t, MPI_Comm comm, FILE *out) {
  int rank, n = t->n;
  PT_MPI(MPI_Comm_rank(comm, &rank));
  pt_timer_stats *s = calloc((size_t)(n ? n : 1), sizeof *s);
  int *order = calloc((size_t)(n ? n : 1), sizeof *order);
  /* pt_timers_reduce is collective: a rank without memory says so first. */
  int err = pt_agree(comm, s && order ? PT_OK : PT_ERROR(PT_ERR_NOMEM, "out of memory for timers"));
  if (!err) err = pt_timers_reduce(t, comm, s);
  if (!err && rank == 0) {
    double total = 0;
    if (t->whole >= 0) total = s[t->whole].avg;
    else
      for (int i = 0; i < n; ++i) total += s[i].avg;
    fprintf(out, "%-18s %10s %11s %11s %11s %9s %7s\n", "phase", "calls", "min [s]", "avg [s]",
            "max [s]", "imbal.", "%");
    /* The whole first, then its parts in the order they were registered, "other" last. */
    int m = 0;
    if (t->whole >= 0) order[m++] = t->whole;
    for (int i = 0; i < n; ++i)
      if (i != t->whole && i != t->other) order[m++] = i;
    if (t->other >= 0) order[m++] = t->other;
    for (int k = 0; k < m; ++k) {
      const int i = order[k];
      char calls[24] = "-";
      if (i != t->other) snprintf(calls, sizeof calls, "%lld", s[i].calls);
      fprintf(out, "%-18s %10s %11.4g %11.4g %11.4g %8.1f%% %6.1f%%\n", s[i].name, calls,
              s[i].min, s[i].avg, s[i].max, 100 * s[i].imbalance,
              total > 0 ? 100 * s[i].avg / total : 0.0);
    }
    fflush(out);
  }
  free(order);
  free(s);
  return err;
}

/* ------------------------------------------------------------------------------------ */
