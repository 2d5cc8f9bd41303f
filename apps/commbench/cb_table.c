#include "cb_table.h"

#include <math.h>
#include <stdarg.h>
#include <string.h>

#include "pt_error.h"

/* OSU's layout: a 10-wide size column, then 18-wide figures with 2 decimals. */
enum { SIZE_W = 10, FIELD_W = 18, LABEL_W = 12 };

int cb_table_begin(cb_table *t, MPI_Comm comm, const char *name, int ranks, int latency, int full,
                   const char *label, const char *fmt, ...) {
  int rank;
  MPI_Comm_rank(comm, &rank);
  memset(t, 0, sizeof *t);
  snprintf(t->name, sizeof t->name, "%s", name);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(t->title, sizeof t->title, fmt, ap);
  va_end(ap);
  t->latency = latency;
  t->full = full;
  t->ranks = ranks;
  t->label = label;
  if (rank != 0) return PT_OK;
  t->out = stdout;
  t->json = cJSON_CreateObject();
  if (!t->json) return PT_ERROR(PT_ERR_NOMEM, "out of memory");
  cJSON_AddStringToObject(t->json, "name", t->name);
  cJSON_AddStringToObject(t->json, "title", t->title);
  cJSON_AddNumberToObject(t->json, "ranks", ranks);
  cJSON_AddStringToObject(t->json, "metric", latency ? "latency_us" : "bandwidth_MBps");
  t->rows = cJSON_AddArrayToObject(t->json, "rows");
  if (!t->rows) return PT_ERROR(PT_ERR_NOMEM, "out of memory");
  const char *what = latency ? "Latency(us)" : "Bandwidth (MB/s)";
  fprintf(t->out, "\n# partita-commbench: %s\n", t->title);
  if (label) fprintf(t->out, "# %-*s", LABEL_W - 2, label);
  fprintf(t->out, "%-*s", SIZE_W, label ? "Size" : "# Size");
  if (full) {
    char h[3][32];
    snprintf(h[0], sizeof h[0], "Avg %s", what);
    snprintf(h[1], sizeof h[1], "Min %s", what);
    snprintf(h[2], sizeof h[2], "Max %s", what);
    fprintf(t->out, "%*s%*s%*s%*s\n", FIELD_W, h[0], FIELD_W, h[1], FIELD_W, h[2], 12, "Iterations");
  } else {
    fprintf(t->out, "%*s\n", FIELD_W, latency ? "Latency (us)" : what);
  }
  fflush(t->out);
  return PT_OK;
}

int cb_table_row(cb_table *t, MPI_Comm comm, const char *label, int64_t size, int64_t iterations,
                 double value, int measuring) {
  /* One reduction gives the maximum of v and of -v (the minimum), and the sum and count. */
  double mx[2] = {measuring ? value : -INFINITY, measuring ? -value : -INFINITY};
  double sum[2] = {measuring ? value : 0.0, measuring ? 1.0 : 0.0};
  double gmx[2], gsum[2];
  PT_MPI(MPI_Allreduce(mx, gmx, 2, MPI_DOUBLE, MPI_MAX, comm));
  PT_MPI(MPI_Allreduce(sum, gsum, 2, MPI_DOUBLE, MPI_SUM, comm));
  if (!t->out || gsum[1] == 0) return PT_OK;
  const double avg = gsum[0] / gsum[1], mn = -gmx[1], mxv = gmx[0];
  if (label) fprintf(t->out, "%-*s", LABEL_W, label);
  fprintf(t->out, "%-*lld", SIZE_W, (long long)size);
  if (t->full)
    fprintf(t->out, "%*.2f%*.2f%*.2f%*lld\n", FIELD_W, avg, FIELD_W, mn, FIELD_W, mxv, 12,
            (long long)iterations);
  else
    fprintf(t->out, "%*.2f\n", FIELD_W, avg);
  fflush(t->out);
  cJSON *row = cJSON_CreateObject();
  if (!row) return PT_ERROR(PT_ERR_NOMEM, "out of memory");
  if (label) cJSON_AddStringToObject(row, "label", label);
  cJSON_AddNumberToObject(row, "size", (double)size);
  cJSON_AddNumberToObject(row, "iterations", (double)iterations);
  cJSON_AddNumberToObject(row, "avg", avg);
  cJSON_AddNumberToObject(row, "min", mn);
  cJSON_AddNumberToObject(row, "max", mxv);
  cJSON_AddItemToArray(t->rows, row);
  return PT_OK;
}

void cb_table_note(cb_table *t, const char *note) {
  if (!t->out) return;
  fprintf(t->out, "# %s\n", note);
  cJSON_AddStringToObject(t->json, "note", note);
}

void cb_table_end(cb_table *t, cJSON *benchmarks) {
  if (t->json) {
    if (benchmarks) cJSON_AddItemToArray(benchmarks, t->json);
    else cJSON_Delete(t->json);
  }
  t->json = t->rows = NULL;
}
