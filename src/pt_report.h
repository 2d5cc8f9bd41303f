/** @file
 * pt_report: the JSON run report (written with cJSON): the app's results in sections,
 * the phase timers of pt_timer, the MPI/OpenMP layout, the host and the resolved deck. */
#ifndef PT_REPORT_H
#define PT_REPORT_H

#include <mpi.h>

#include "pt_timer.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Run report: key/value results grouped in sections, written as JSON by rank 0 with the
 * timers, the MPI/OpenMP layout, the host and the resolved input deck. */
typedef struct pt_report pt_report;

/** Creates an empty report of program `app` (its "app" entry). Errors: PT_ERR_NOMEM.
 * Not collective. */
int pt_report_create(const char *app, pt_report **r);
/** Frees the report and sets *r to NULL (no-op on NULL). Not collective. */
void pt_report_destroy(pt_report **r);
/** Adds "section": {"key": value} entries. Not collective. */
int pt_report_add_double(pt_report *r, const char *section, const char *key, double v);
/** As pt_report_add_double, for an integer (stored as a double: exact up to 2^53). A key
 * already in the section is replaced. Errors: PT_ERR_NOMEM. Not collective. */
int pt_report_add_int(pt_report *r, const char *section, const char *key, long long v);
/** As pt_report_add_double, for a string (copied). A key already in the section is
 * replaced. Errors: PT_ERR_NOMEM. Not collective. */
int pt_report_add_string(pt_report *r, const char *section, const char *key, const char *v);

/** Writes the report to `path` (temp file then rename, so a reader never sees half a
 * report). Collective over `comm`: reduces the timers; rank 0 writes. Errors: PT_ERR_IO
 * (agreed across ranks). `deck` may be NULL. */
int pt_report_write(pt_report *r, const pt_timers *t, MPI_Comm comm, const char *deck,
                    const char *path);

#ifdef __cplusplus
}
#endif
#endif
