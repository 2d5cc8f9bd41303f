/* fileno, fstat and strcasecmp are POSIX, not C11. */
#define _POSIX_C_SOURCE 200809L
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "pt_config.h"

#include <ctype.h>
#include <float.h>
#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "pt_error.h"

/* One key the deck or an override gives. */
typedef struct entry {
  char *key;         /* "section.key" */
  char *value;
  int line;          /* deck line of the value; 0 when an override gave it */
  const char *set;   /* the override that gave the value (owned by cfg->sets), or NULL */
  int used;          /* some getter or pt_config_has asked for it */
} entry;

/* One key the application asked for, in first-asked order, with what --help-keys
 * says of it (set by the first getter that asked). */
typedef struct asked {
  char *key;
  char *value;       /* effective value as INI text; NULL if only tested by pt_config_has */
  const char *type;  /* "int", "number", ...; NULL until a getter asked */
  char *def;         /* the default as INI text, "(required)", or "(none)" */
  char *allowed;     /* the values a getter accepts */
  int unused;        /* pt_config_unused: known, not used by this run */
} asked;

struct pt_config {
  char *name;        /* deck file name, NULL when there is no deck */
  entry *e;
  int ne, ecap;
  asked *a;
  int na, acap;
  char **sets;
  int nset;
};

/* ---------------------------------------------------------------- small helpers */

static char *dup_n(const char *s, size_t n) {
  char *d = malloc(n + 1);
  if (d) {
    memcpy(d, s, n);
    d[n] = '\0';
  }
  return d;
}

static char *dup_s(const char *s) { return dup_n(s, strlen(s)); }

static int nomem(void) { return PT_ERROR(PT_ERR_NOMEM, "pt_config: out of memory"); }

static size_t section_len(const char *key) {
  const char *dot = strchr(key, '.');
  return dot ? (size_t)(dot - key) : strlen(key);
}

static int same_section(const char *k1, const char *k2) {
  size_t n = section_len(k1);
  return n == section_len(k2) && strncmp(k1, k2, n) == 0;
}

static entry *find_entry(const pt_config *cfg, const char *key) {
  for (int i = 0; i < cfg->ne; ++i)
    if (strcmp(cfg->e[i].key, key) == 0) return &cfg->e[i];
  return NULL;
}

/* The shortest decimal form that reads back as exactly `x`: "0.1", not
 * "0.10000000000000001", so resolved decks stay readable and round-trip bitwise. */
static void fmt_double(char *buf, size_t n, double x) {
  /* Whole numbers as such: "10", not "1e+01". */
  if (x == floor(x) && fabs(x) < 1e15) {
    snprintf(buf, n, "%.0f", x);
    return;
  }
  for (int prec = 1; prec <= 17; ++prec) {
    snprintf(buf, n, "%.*g", prec, x);
    if (strtod(buf, NULL) == x) return;
  }
}

/* "FILE:LINE: ", "--set a.b=c: ", "FILE: " for a key the deck lacks, or "" with no deck. */
static void location(const pt_config *cfg, const entry *e, char *buf, size_t n) {
  if (e && e->set)
    snprintf(buf, n, "--set %s: ", e->set);
  else if (e)
    snprintf(buf, n, "%s:%d: ", cfg->name, e->line);
  else if (cfg->name)
    snprintf(buf, n, "%s: ", cfg->name);
  else
    buf[0] = '\0';
}

static int key_verror(const pt_config *cfg, const char *key, const char *fmt, va_list ap) {
  char loc[512], msg[768];
  location(cfg, find_entry(cfg, key), loc, sizeof loc);
  vsnprintf(msg, sizeof msg, fmt, ap);
  return PT_ERROR(PT_ERR_INPUT, "%s%s: %s", loc, key, msg);
}

int pt_config_error(const pt_config *cfg, const char *key, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int err = key_verror(cfg, key, fmt, ap);
  va_end(ap);
  return err;
}

/* Adds or replaces a key. `line` 0 with `set` non-NULL marks an override. */
static int put_entry(pt_config *cfg, const char *key, size_t keylen, const char *value,
                     size_t vallen, int line, const char *set) {
  char *v = dup_n(value, vallen);
  if (!v) return nomem();
  for (int i = 0; i < cfg->ne; ++i) {
    entry *e = &cfg->e[i];
    if (strlen(e->key) == keylen && strncmp(e->key, key, keylen) == 0) {
      free(e->value);
      e->value = v;
      e->line = line;
      e->set = set;
      return PT_OK;
    }
  }
  if (cfg->ne == cfg->ecap) {
    int cap = cfg->ecap ? 2 * cfg->ecap : 16;
    entry *ne = realloc(cfg->e, (size_t)cap * sizeof *ne);
    if (!ne) {
      free(v);
      return nomem();
    }
    cfg->e = ne;
    cfg->ecap = cap;
  }
  char *k = dup_n(key, keylen);
  if (!k) {
    free(v);
    return nomem();
  }
  cfg->e[cfg->ne++] = (entry){k, v, line, set, 0};
  return PT_OK;
}

/* ---------------------------------------------------------------- parsing */

/* State shared by the inih reader and handler. inih is built without line numbers in
 * the handler (INI_HANDLER_LINENO=0), so the reader counts lines for it. */
typedef struct parse_state {
  pt_config *cfg;
  const char *text;
  size_t len, pos;
  int line;
  int err, err_line;   /* first error found by reader or handler, and its line */
} parse_state;

static void parse_error(parse_state *st, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static void parse_error(parse_state *st, int code, const char *fmt, ...) {
  if (st->err) return;
  va_list ap;
  va_start(ap, fmt);
  pt_error_vset(code, NULL, 0, fmt, ap);
  va_end(ap);
  st->err = code;
  st->err_line = st->line;
}

/* fgets-like reader over the in-memory deck. The line terminator is not copied (inih
 * strips trailing blanks anyway), so a line may hold num-1 characters. Leading blanks
 * are dropped: otherwise inih would take an indented "key = value" as the continuation
 * of the previous key's value. */
static char *read_line(char *str, int num, void *stream) {
  parse_state *st = stream;
  if (st->pos >= st->len) return NULL;
  const char *s = st->text + st->pos;
  size_t avail = st->len - st->pos;
  const char *nl = memchr(s, '\n', avail);
  size_t n = nl ? (size_t)(nl - s) : avail;
  st->pos += nl ? n + 1 : n;
  st->line++;
  if (n > 0 && s[n - 1] == '\r') n--;
  str[0] = '\0';
  if (n > (size_t)num - 1)
    parse_error(st, PT_ERR_INPUT, "%s:%d: line too long (max %d characters)", st->cfg->name,
                st->line, num - 1);
  else if (memchr(s, '\0', n))
    parse_error(st, PT_ERR_INPUT, "%s:%d: contains a NUL byte (not a text file?)",
                st->cfg->name, st->line);
  else {
    while (n > 0 && (*s == ' ' || *s == '\t')) {
      ++s;
      --n;
    }
    memcpy(str, s, n);
    str[n] = '\0';
  }
  return str;
}

static int on_key(void *user, const char *section, const char *name, const char *value) {
  parse_state *st = user;
  pt_config *cfg = st->cfg;
  /* The deck is rejected anyway: keep the first message. */
  if (st->err) return 1;
  if (!*name) {
    parse_error(st, PT_ERR_INPUT, "%s:%d: syntax error (expected [section] or key = value)",
                cfg->name, st->line);
    return 1;
  }
  if (!*section) {
    parse_error(st, PT_ERR_INPUT, "%s:%d: %s: key outside a section (put it under a [section])",
                cfg->name, st->line, name);
    return 1;
  }
  size_t sl = strlen(section), nl = strlen(name);
  char *key = malloc(sl + nl + 2);
  if (!key) {
    st->err = nomem();
    st->err_line = st->line;
    return 1;
  }
  memcpy(key, section, sl);
  key[sl] = '.';
  memcpy(key + sl + 1, name, nl + 1);
  const entry *old = find_entry(cfg, key);
  if (old)
    parse_error(st, PT_ERR_INPUT, "%s:%d: %s: given twice (first at line %d)", cfg->name,
                st->line, key, old->line);
  else if ((st->err = put_entry(cfg, key, sl + nl + 1, value, strlen(value), st->line, NULL)))
    st->err_line = st->line;
  free(key);
  return 1;
}

static int parse_deck(pt_config *cfg, const char *text, size_t len) {
  parse_state st = {cfg, text, len, 0, 0, 0, 0};
  int syntax = ini_parse_stream(read_line, &st, on_key, &st);
  if (syntax > 0 && (!st.err || syntax < st.err_line))
    return PT_ERROR(PT_ERR_INPUT, "%s:%d: syntax error (expected [section] or key = value)",
                    cfg->name, syntax);
  if (syntax < 0 && !st.err) return nomem();
  return st.err;
}

static int apply_set(pt_config *cfg, const char *set) {
  /* An override must be something a deck line could say, or the resolved deck stored
   * with the results would not reproduce the run (and a newline would split the one-
   * line error message). */
  for (const char *c = set; *c; ++c)
    if (iscntrl((unsigned char)*c) && *c != '\t')
      return PT_ERROR(PT_ERR_INPUT, "--set: an override contains a control character (byte 0x%02x)",
                      (unsigned)(unsigned char)*c);
  const char *eq = strchr(set, '=');
  if (!eq) return PT_ERROR(PT_ERR_INPUT, "--set %s: expected section.key=value", set);
  const char *k = set, *kend = eq;
  while (k < kend && (*k == ' ' || *k == '\t')) ++k;
  while (kend > k && (kend[-1] == ' ' || kend[-1] == '\t')) --kend;
  const char *dot = memchr(k, '.', (size_t)(kend - k));
  if (!dot || dot == k || dot + 1 == kend)
    return PT_ERROR(PT_ERR_INPUT, "--set %s: expected section.key=value", set);
  const char *v = eq + 1, *vend = v + strlen(v);
  while (*v == ' ' || *v == '\t') ++v;
  while (vend > v && (vend[-1] == ' ' || vend[-1] == '\t')) --vend;
  for (const char *c = v; c < vend; ++c)
    if (*c == ';' && (c == v || c[-1] == ' ' || c[-1] == '\t'))
      return PT_ERROR(PT_ERR_INPUT,
                      "--set %s: a value cannot hold ' ;', which starts a comment in a deck", set);
  /* The resolved deck writes it as "key = value" on one line, which inih must read. */
  if ((size_t)(kend - dot - 1) + 3 + (size_t)(vend - v) > INI_MAX_LINE - 1)
    return PT_ERROR(PT_ERR_INPUT,
                    "--set %.*s: value too long (a deck line holds at most %d characters)",
                    (int)(kend - k), k, INI_MAX_LINE - 1);
  return put_entry(cfg, k, (size_t)(kend - k), v, (size_t)(vend - v), 0, set);
}

/* `from_file`: the text is a deck file the user named, which must give some key. */
static int parse_all(const char *name, const char *text, size_t len, int nset,
                     const char *const *sets, int from_file, pt_config **out) {
  *out = NULL;
  if (text && !name) name = "<string>";
  pt_config *cfg = calloc(1, sizeof *cfg);
  if (!cfg) return nomem();
  int err = PT_OK;
  if (name && !(cfg->name = dup_s(name))) err = nomem();
  if (!err && nset > 0 && !(cfg->sets = calloc((size_t)nset, sizeof *cfg->sets)))
    err = nomem();
  for (int i = 0; !err && i < nset; ++i)
    if (!(cfg->sets[cfg->nset++] = dup_s(sets[i]))) err = nomem();
  if (!err && text) err = parse_deck(cfg, text, len);
  /* An empty deck is a truncated copy or the wrong file, never "all defaults". */
  if (!err && from_file && cfg->ne == 0)
    err = PT_ERROR(PT_ERR_INPUT, "%s: empty input deck (no key = value lines)", name);
  for (int i = 0; !err && i < nset; ++i) err = apply_set(cfg, cfg->sets[i]);
  if (err)
    pt_config_destroy(&cfg);
  *out = cfg;
  return err;
}

int pt_config_parse_string(const char *name, const char *text, int nset,
                           const char *const *sets, pt_config **cfg) {
  return parse_all(name, text, text ? strlen(text) : 0, nset, sets, 0, cfg);
}

/* Rank 0's half of pt_config_load: the whole file in memory. */
static int read_file(const char *path, char **text, size_t *len) {
  *text = NULL;
  *len = 0;
  FILE *f = fopen(path, "rb");
  if (!f) return PT_ERROR(PT_ERR_INPUT, "cannot open '%s': %s", path, strerror(errno));
  struct stat sb;
  int err = PT_OK;
  if (fstat(fileno(f), &sb) != 0)
    err = PT_ERROR(PT_ERR_INPUT, "cannot open '%s': %s", path, strerror(errno));
  else if (S_ISDIR(sb.st_mode))
    err = PT_ERROR(PT_ERR_INPUT, "cannot open '%s': %s", path, strerror(EISDIR));
  size_t cap = 4096, n = 0;
  char *buf = err ? NULL : malloc(cap);
  if (!err && !buf) err = nomem();
  while (!err) {
    if (n == cap) {
      /* The length travels as an MPI count. */
      if (cap > (size_t)INT_MAX / 2) {
        err = PT_ERROR(PT_ERR_INPUT, "'%s': too large for an input deck", path);
        break;
      }
      char *nb = realloc(buf, cap * 2);
      if (!nb) {
        err = nomem();
        break;
      }
      buf = nb;
      cap *= 2;
    }
    size_t got = fread(buf + n, 1, cap - n, f);
    n += got;
    if (got == 0) {
      if (ferror(f)) err = PT_ERROR(PT_ERR_INPUT, "cannot read '%s': %s", path, strerror(errno));
      break;
    }
  }
  fclose(f);
  if (err) {
    free(buf);
    return err;
  }
  *text = buf;
  *len = n;
  return PT_OK;
}

int pt_config_load(MPI_Comm comm, const char *path, int nset, const char *const *sets,
                   pt_config **cfg) {
  *cfg = NULL;
  int rank;
  PT_MPI(MPI_Comm_rank(comm, &rank));
  char *text = NULL;
  size_t len = 0;
  int err = PT_OK;
  /* -1 tells the other ranks that rank 0 could not read the deck; its message then
   * reaches them through pt_agree. */
  long long n = 0;
  if (rank == 0 && path) {
    err = read_file(path, &text, &len);
    n = err ? -1 : (long long)len;
  }
  if (PT_MPI_CHECK(MPI_Bcast(&n, 1, MPI_LONG_LONG, 0, comm))) err = PT_ERR_MPI;
  if (!err && n > 0) {
    if (rank != 0) {
      len = (size_t)n;
      /* Every rank must join the broadcast below, so there is no way back from here. */
      if (!(text = malloc(len))) PT_ABORT("pt_config_load: out of memory for %lld bytes", n);
    }
    err = PT_MPI_CHECK(MPI_Bcast(text, (int)n, MPI_CHAR, 0, comm));
  }
  if (!err && n >= 0)
    err = parse_all(path, path ? (text ? text : "") : NULL, len, nset, sets, path != NULL, cfg);
  free(text);
  err = pt_agree(comm, err);
  if (err) pt_config_destroy(cfg);
  return err;
}

void pt_config_destroy(pt_config **cfg) {
  if (!cfg || !*cfg) return;
  pt_config *c = *cfg;
  for (int i = 0; i < c->ne; ++i) {
    free(c->e[i].key);
    free(c->e[i].value);
  }
  for (int i = 0; i < c->na; ++i) {
    free(c->a[i].key);
    free(c->a[i].value);
    free(c->a[i].def);
    free(c->a[i].allowed);
  }
  for (int i = 0; i < c->nset; ++i) free(c->sets[i]);
  free(c->e);
  free(c->a);
  free(c->sets);
  free(c->name);
  free(c);
  *cfg = NULL;
}

/* ---------------------------------------------------------------- getters */

/* Marks `key` as known to the application; returns its record, NULL when out of memory. */
static asked *ask(pt_config *cfg, const char *key) {
  entry *e = find_entry(cfg, key);
  if (e) e->used = 1;
  for (int i = 0; i < cfg->na; ++i)
    if (strcmp(cfg->a[i].key, key) == 0) return &cfg->a[i];
  if (cfg->na == cfg->acap) {
    int cap = cfg->acap ? 2 * cfg->acap : 16;
    asked *na = realloc(cfg->a, (size_t)cap * sizeof *na);
    if (!na) return NULL;
    cfg->a = na;
    cfg->acap = cap;
  }
  char *k = dup_s(key);
  if (!k) return NULL;
  cfg->a[cfg->na] = (asked){k, NULL, NULL, NULL, NULL, 0};
  return &cfg->a[cfg->na++];
}

/* Looks `key` up for a getter: marks it known, returns its value or NULL if absent. */
static int lookup(pt_config *cfg, const char *key, asked **a, const char **value) {
  if (!(*a = ask(cfg, key))) return nomem();
  const entry *e = find_entry(cfg, key);
  *value = e ? e->value : NULL;
  return PT_OK;
}

/* An unchanged value keeps its storage: get_string hands out a->value. */
static int resolve(asked *a, const char *text) {
  if (a->value && strcmp(a->value, text) == 0) return PT_OK;
  char *v = dup_s(text);
  if (!v) return nomem();
  free(a->value);
  a->value = v;
  return PT_OK;
}

/* What --help-keys shows of a key; the first getter to ask decides. */
static int describe(asked *a, const char *type, const char *def, const char *allowed) {
  if (a->type) return PT_OK;
  if (!(a->def = dup_s(def)) || !(a->allowed = dup_s(allowed))) return nomem();
  a->type = type;
  return PT_OK;
}

static int parse_int(const char *s, int64_t *v, int *range) {
  char *end;
  errno = 0;
  long long x = strtoll(s, &end, 10);
  *range = errno == ERANGE;
  *v = x;
  return end != s && *end == '\0';
}

/* Underflow is no error: strtod then gives the nearest double (maybe subnormal or 0),
 * and a resolved deck must read back subnormal values too. */
static int parse_double(const char *s, double *v, int *range) {
  char *end;
  errno = 0;
  *v = strtod(s, &end);
  *range = errno == ERANGE && fabs(*v) == HUGE_VAL;
  return end != s && *end == '\0';
}

int pt_config_get_int(pt_config *cfg, const char *key, int64_t def, int64_t min, int64_t max,
                      int64_t *out) {
  asked *a;
  const char *s;
  PT_TRY(lookup(cfg, key, &a, &s));
  int64_t v = def;
  if (s) {
    int range;
    if (!parse_int(s, &v, &range))
      return pt_config_error(cfg, key, "must be an integer (got '%s')", s);
    if (range) return pt_config_error(cfg, key, "out of range (got '%s')", s);
    if (v < min)
      return pt_config_error(cfg, key, "must be >= %lld (got %lld)", (long long)min, (long long)v);
    if (v > max)
      return pt_config_error(cfg, key, "must be <= %lld (got %lld)", (long long)max, (long long)v);
  }
  char buf[32], d[32], range_text[80];
  snprintf(buf, sizeof buf, "%lld", (long long)v);
  snprintf(d, sizeof d, "%lld", (long long)def);
  int pow2 = 0;
  while (pow2 < 62 && (INT64_C(1) << pow2) < max) ++pow2;
  /* Large limits that are powers of two read better as such. */
  if (pow2 >= 30 && (INT64_C(1) << pow2) == max)
    snprintf(range_text, sizeof range_text, "%lld to 2^%d", (long long)min, pow2);
  else
    snprintf(range_text, sizeof range_text, "%lld to %lld", (long long)min, (long long)max);
  PT_TRY(describe(a, "int", d, range_text));
  PT_TRY(resolve(a, buf));
  *out = v;
  return PT_OK;
}

int pt_config_get_double(pt_config *cfg, const char *key, double def, double min, double max,
                         double *out) {
  asked *a;
  const char *s;
  PT_TRY(lookup(cfg, key, &a, &s));
  double v = def;
  if (s) {
    int range;
    char lo[32], hi[32], got[32];
    if (!parse_double(s, &v, &range))
      return pt_config_error(cfg, key, "must be a number (got '%s')", s);
    if (range) return pt_config_error(cfg, key, "out of range (got '%s')", s);
    if (!isfinite(v)) return pt_config_error(cfg, key, "must be a finite number (got '%s')", s);
    fmt_double(lo, sizeof lo, min);
    fmt_double(hi, sizeof hi, max);
    fmt_double(got, sizeof got, v);
    if (v < min) return pt_config_error(cfg, key, "must be >= %s (got %s)", lo, got);
    if (v > max) return pt_config_error(cfg, key, "must be <= %s (got %s)", hi, got);
  }
  char buf[32], d[32], lo[32], hi[32], range_text[80] = "any";
  fmt_double(buf, sizeof buf, v);
  fmt_double(d, sizeof d, def);
  fmt_double(lo, sizeof lo, min);
  fmt_double(hi, sizeof hi, max);
  if (min > -DBL_MAX && max < DBL_MAX) snprintf(range_text, sizeof range_text, "%s to %s", lo, hi);
  else if (min > -DBL_MAX) snprintf(range_text, sizeof range_text, ">= %s", lo);
  else if (max < DBL_MAX) snprintf(range_text, sizeof range_text, "<= %s", hi);
  PT_TRY(describe(a, "number", d, range_text));
  PT_TRY(resolve(a, buf));
  *out = v;
  return PT_OK;
}

int pt_config_get_bool(pt_config *cfg, const char *key, int def, int *out) {
  static const char *const yes[] = {"true", "yes", "on", "1"};
  static const char *const no[] = {"false", "no", "off", "0"};
  asked *a;
  const char *s;
  PT_TRY(lookup(cfg, key, &a, &s));
  int v = def != 0;
  if (s) {
    v = -1;
    for (size_t i = 0; i < sizeof yes / sizeof *yes && v < 0; ++i) {
      if (strcasecmp(s, yes[i]) == 0) v = 1;
      if (strcasecmp(s, no[i]) == 0) v = 0;
    }
    if (v < 0) return pt_config_error(cfg, key, "must be true or false (got '%s')", s);
  }
  PT_TRY(describe(a, "bool", def ? "true" : "false", "true, false"));
  PT_TRY(resolve(a, v ? "true" : "false"));
  *out = v;
  return PT_OK;
}

int pt_config_get_string(pt_config *cfg, const char *key, const char *def, const char **out) {
  asked *a;
  const char *s;
  PT_TRY(lookup(cfg, key, &a, &s));
  PT_TRY(describe(a, "string", def ? (*def ? def : "(none)") : "(required)", "text"));
  if (!s && !def) return pt_config_error(cfg, key, "required key missing");
  PT_TRY(resolve(a, s ? s : def));
  *out = s ? s : a->value;
  return PT_OK;
}

int pt_config_get_choice(pt_config *cfg, const char *key, const char *def,
                         const char *const *choices, int *out) {
  asked *a;
  const char *s;
  PT_TRY(lookup(cfg, key, &a, &s));
  const char *want = s ? s : def;
  int idx = -1;
  for (int i = 0; choices[i] && idx < 0; ++i)
    if (strcmp(want, choices[i]) == 0) idx = i;
  if (idx < 0 && !s)
    return PT_ERROR(PT_ERR_RUNTIME, "pt_config_get_choice: default '%s' of %s is not a choice",
                    def, key);
  char list[512] = "";
  size_t off = 0;
  for (int i = 0; choices[i] && off < sizeof list; ++i)
    off += (size_t)snprintf(list + off, sizeof list - off, "%s%s", i ? ", " : "", choices[i]);
  PT_TRY(describe(a, "choice", def, list));
  if (idx < 0) return pt_config_error(cfg, key, "must be one of %s (got '%s')", list, s);
  PT_TRY(resolve(a, choices[idx]));
  *out = idx;
  return PT_OK;
}

int pt_config_get_doubles(pt_config *cfg, const char *key, int maxn, int *n, double *out) {
  asked *a;
  const char *s;
  PT_TRY(lookup(cfg, key, &a, &s));
  char range_text[48];
  snprintf(range_text, sizeof range_text, "1 to %d numbers", maxn);
  PT_TRY(describe(a, "list", "(none)", range_text));
  *n = 0;
  if (!s) return PT_OK;
  /* Separators may be commas, blanks or both ("1, 2", "1 2"), but a comma must sit
   * between two numbers: "1,,2" and "1," are errors, not silently shorter lists. */
  int count = 0, need = 1;
  for (const char *p = s + strspn(s, " \t"); *p; p += strspn(p, " \t")) {
    if (*p == ',') {
      if (need) return pt_config_error(cfg, key, "empty item in list '%s'", s);
      need = 1;
      ++p;
      continue;
    }
    size_t len = strcspn(p, ", \t");
    char *end;
    double x = strtod(p, &end);
    if (end != p + len || !isfinite(x))
      return pt_config_error(cfg, key, "item %d must be a finite number (got '%.*s')", count + 1,
                             (int)len, p);
    if (count < maxn) out[count] = x;
    ++count;
    need = 0;
    p += len;
  }
  if (count == 0)
    return pt_config_error(cfg, key, "must be a list of 1 to %d numbers (got '%s')", maxn, s);
  if (need) return pt_config_error(cfg, key, "empty item in list '%s'", s);
  if (count > maxn)
    return pt_config_error(cfg, key, "must be a list of 1 to %d numbers (got %d)", maxn, count);
  /* The text as given reads back to the same values and, unlike reformatted numbers,
   * is sure to fit within inih's line limit. */
  PT_TRY(resolve(a, s));
  *n = count;
  return PT_OK;
}

int pt_config_has(pt_config *cfg, const char *key) {
  /* Out of memory here only loses a did-you-mean hint: ask() marks the entry used first. */
  (void)ask(cfg, key);
  return find_entry(cfg, key) != NULL;
}

/* ---------------------------------------------------------------- finish, resolved */

static int edit_distance(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  if (lb > 63) return INT_MAX;
  int row[64];
  for (size_t j = 0; j <= lb; ++j) row[j] = (int)j;
  for (size_t i = 1; i <= la; ++i) {
    int diag = row[0];
    row[0] = (int)i;
    for (size_t j = 1; j <= lb; ++j) {
      int up = row[j];
      int best = diag + (a[i - 1] != b[j - 1]);
      if (up + 1 < best) best = up + 1;
      if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
      row[j] = best;
      diag = up;
    }
  }
  return row[lb];
}

int pt_config_finish(const pt_config *cfg) {
  for (int i = 0; i < cfg->ne; ++i) {
    const entry *e = &cfg->e[i];
    if (e->used) continue;
    char loc[512];
    location(cfg, e, loc, sizeof loc);
    int known_section = 0;
    const char *best = NULL;
    int bestd = 3;  /* suggest only near misses: at most two edits */
    for (int j = 0; j < cfg->na; ++j) {
      const char *k = cfg->a[j].key;
      if (!same_section(k, e->key)) continue;
      known_section = 1;
      int d = edit_distance(e->key, k);
      if (d < bestd) {
        bestd = d;
        best = k;
      }
    }
    if (!known_section)
      return PT_ERROR(PT_ERR_INPUT, "%s[%.*s]: unknown section", loc, (int)section_len(e->key),
                      e->key);
    if (best)
      return PT_ERROR(PT_ERR_INPUT, "%s%s: unknown key (did you mean %s?)", loc, e->key, best);
    return PT_ERROR(PT_ERR_INPUT, "%s%s: unknown key", loc, e->key);
  }
  return PT_OK;
}

int pt_config_unused(pt_config *cfg, const char *key) {
  asked *a = ask(cfg, key);
  if (!a) return nomem();
  free(a->value);
  a->value = NULL;
  a->unused = 1;
  return PT_OK;
}

int pt_config_describe(pt_config *cfg, const char *key, const char *allowed) {
  asked *a = ask(cfg, key);
  char *t = a ? dup_s(allowed) : NULL;
  if (!t) return nomem();
  free(a->allowed);
  a->allowed = t;
  return PT_OK;
}

void pt_config_print_keys(const pt_config *cfg, FILE *out) {
  fprintf(out, "%-30s %-7s %-14s %-34s %s\n", "key", "type", "default", "allowed", "this run");
  for (int i = 0; i < cfg->na; ++i) {
    const asked *a = &cfg->a[i];
    if (!a->type) continue;  /* only tested by pt_config_has: some getter describes it */
    const char *value = a->unused ? "(not used)" : a->value ? a->value : "(none)";
    fprintf(out, "%-30s %-7s %-14s %-34s %s\n", a->key, a->type, a->def, a->allowed, value);
  }
  fflush(out);
}

char *pt_config_resolved(const pt_config *cfg) {
  static const char header[] = "; resolved input deck (Partita)\n";
  size_t cap = sizeof header;
  for (int i = 0; i < cfg->na; ++i)
    if (cfg->a[i].value) cap += 2 * strlen(cfg->a[i].key) + strlen(cfg->a[i].value) + 16;
  char *out = malloc(cap);
  if (!out) return NULL;
  size_t off = (size_t)snprintf(out, cap, "%s", header);
  /* Sections in the order the application first read them; within one, keys in order. */
  for (int i = 0; i < cfg->na; ++i) {
    const asked *s = &cfg->a[i];
    if (!s->value) continue;
    int seen = 0;
    for (int j = 0; j < i && !seen; ++j)
      seen = cfg->a[j].value && same_section(cfg->a[j].key, s->key);
    if (seen) continue;
    int sl = (int)section_len(s->key);
    off += (size_t)snprintf(out + off, cap - off, "\n[%.*s]\n", sl, s->key);
    for (int j = i; j < cfg->na; ++j) {
      const asked *k = &cfg->a[j];
      if (k->value && same_section(k->key, s->key))
        off += (size_t)snprintf(out + off, cap - off, "%s = %s\n", k->key + sl + 1, k->value);
    }
  }
  return out;
}

const char *pt_config_source(const pt_config *cfg) { return cfg->name ? cfg->name : "--set"; }
