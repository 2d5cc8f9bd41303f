/* cb_table: one benchmark's results, size by size: min/avg/max across the measuring ranks,
 * printed by rank 0 in the OSU micro-benchmarks' column layout as each row is measured,
 * and kept as JSON for the run report. */
#ifndef CB_TABLE_H
#define CB_TABLE_H

#include <cjson/cJSON.h>
#include <mpi.h>
#include <stdint.h>
#include <stdio.h>

typedef struct cb_table {
  char name[64];        /* JSON name: "pingpong", "put_latency_fence", "halo_2d", ... */
  char title[256];      /* printed above the columns */
  int latency;          /* 1: times per operation in us; 0: bandwidth in MB/s (10^6 B/s) */
  int full;             /* OSU's full layout: avg, min, max and iterations columns */
  int ranks;            /* ranks taking part */
  const char *label;    /* header of a leading text column ("Backend"), or NULL */
  cJSON *json, *rows;   /* rank 0 only */
  FILE *out;            /* rank 0's text output, NULL on the other ranks */
} cb_table;

/* Starts a table and prints its header on rank 0 of `comm`. `ranks` is the number of
 * ranks taking part. Errors: PT_ERR_NOMEM. Not collective. */
int cb_table_begin(cb_table *t, MPI_Comm comm, const char *name, int ranks, int latency, int full,
                   const char *label, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 8, 9)))
#endif
    ;

/* Adds the row for `size` bytes: `value` is this rank's figure (us or MB/s) and counts
 * only where `measuring` is nonzero; `label` fills the text column (or NULL). Rank 0
 * prints the row. Errors: PT_ERR_MPI, PT_ERR_NOMEM (agreed). Collective over `comm`. */
int cb_table_row(cb_table *t, MPI_Comm comm, const char *label, int64_t size, int64_t iterations,
                 double value, int measuring);

/* Prints a note under the table on rank 0 ("skipped: ...") and records it. Not
 * collective. */
void cb_table_note(cb_table *t, const char *note);

/* Moves the finished table into the JSON array `benchmarks` (rank 0; NULL elsewhere).
 * Not collective. */
void cb_table_end(cb_table *t, cJSON *benchmarks);

#endif
