#include "pt_report.h"

#include <cjson/cJSON.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pt_error.h"
#include "pt_io.h"

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

struct pt_report {
  cJSON *root;
};

int pt_report_create(const char *app, pt_report **r) {
  *r = calloc(1, sizeof **r);
  if (*r) (*r)->root = cJSON_CreateObject();
  if (!*r || !(*r)->root || !cJSON_AddStringToObject((*r)->root, "app", app)) {
    pt_report_destroy(r);
    return PT_ERROR(PT_ERR_NOMEM, "out of memory for the run report");
  }
  return PT_OK;
}

void pt_report_destroy(pt_report **r) {
  if (!*r) return;
  cJSON_Delete((*r)->root);
  free(*r);
  *r = NULL;
}

static cJSON *section_of(pt_report *r, const char *section) {
  cJSON *s = cJSON_GetObjectItemCaseSensitive(r->root, section);
  return s ? s : cJSON_AddObjectToObject(r->root, section);
}

static int add_item(pt_report *r, const char *section, const char *key, cJSON *item) {
  cJSON *s = item ? section_of(r, section) : NULL;
  if (!s) {
    cJSON_Delete(item);
    return PT_ERROR(PT_ERR_NOMEM, "out of memory for the run report");
  }
  if (cJSON_GetObjectItemCaseSensitive(s, key))
    cJSON_ReplaceItemInObjectCaseSensitive(s, key, item);
  else cJSON_AddItemToObject(s, key, item);
  return PT_OK;
}

int pt_report_add_double(pt_report *r, const char *section, const char *key, double v) {
  return add_item(r, section, key, cJSON_CreateNumber(v));
}

int pt_report_add_int(pt_report *r, const char *section, const char *key, long long v) {
  return add_item(r, section, key, cJSON_CreateNumber((double)v));
}

int pt_report_add_string(pt_report *r, const char *section, const char *key, const char *v) {
  return add_item(r, section, key, cJSON_CreateString(v));
}

/* Rank 0 only: the report's fixed sections and the file itself. */
static int write_report(pt_report *r, const pt_timer_stats *s, int n, int size,
                        const char *deck, const char *path) {
  char tmp[PT_PATH_MAX];
  PT_TRY(pt_io_path(tmp, sizeof tmp, "--report", "%s.tmp", path));
  char host[256] = "", date[32] = "";
  gethostname(host, sizeof host - 1);
  time_t now = time(NULL);
  strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
  cJSON *run = section_of(r, "run");
  cJSON_AddStringToObject(run, "software", "Partita " PACKAGE_VERSION);
  cJSON_AddStringToObject(run, "date", date);
  cJSON_AddStringToObject(run, "host", host);
  cJSON_AddNumberToObject(run, "mpi_ranks", size);
  cJSON_AddNumberToObject(run, "omp_threads", omp_get_max_threads());
  if (deck) cJSON_AddStringToObject(run, "input_deck", deck);
  cJSON *timers = cJSON_AddObjectToObject(r->root, "timers");
  for (int i = 0; timers && i < n; ++i) {
    cJSON *o = cJSON_AddObjectToObject(timers, s[i].name);
    cJSON_AddNumberToObject(o, "calls", (double)s[i].calls);
    cJSON_AddNumberToObject(o, "min_s", s[i].min);
    cJSON_AddNumberToObject(o, "avg_s", s[i].avg);
    cJSON_AddNumberToObject(o, "max_s", s[i].max);
    cJSON_AddNumberToObject(o, "imbalance", s[i].imbalance);
  }
  char *text = cJSON_Print(r->root);
  if (!text) return PT_ERROR(PT_ERR_NOMEM, "out of memory for the run report");
  int err = PT_OK;
  FILE *f = fopen(tmp, "w");
  if (!f) err = PT_ERROR(PT_ERR_IO, "cannot write run report '%s'", path);
  else {
    int bad = fputs(text, f) < 0 || fputc('\n', f) == EOF;
    bad |= fclose(f) != 0;
    if (bad || rename(tmp, path) != 0) {
      remove(tmp);
      err = PT_ERROR(PT_ERR_IO, "cannot write run report '%s'", path);
    }
  }
  free(text);
  return err;
}

int pt_report_write(pt_report *r, const pt_timers *t, MPI_Comm comm, const char *deck,
                    const char *path) {
  int rank, size, n = pt_timers_count(t);
  PT_MPI(MPI_Comm_rank(comm, &rank));
  PT_MPI(MPI_Comm_size(comm, &size));
  pt_timer_stats *s = calloc((size_t)(n ? n : 1), sizeof *s);
  /* pt_timers_reduce is collective: a rank without memory says so first. */
  int err = pt_agree(comm, s ? PT_OK : PT_ERROR(PT_ERR_NOMEM, "out of memory"));
  if (!err) err = pt_timers_reduce(t, comm, s);
  if (!err && rank == 0) err = write_report(r, s, n, size, deck, path);
  free(s);
  return pt_agree(comm, err);
}
