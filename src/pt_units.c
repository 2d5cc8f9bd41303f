#include "pt_units.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pt_error.h"

typedef struct unit_name {
  int base;
  const char *symbol;
  double si;
} unit_name;

/* au and pc: IAU 2012/2015 exact definitions; Msun: the IAU 2015 nominal solar mass
 * parameter over CODATA 2018 G; yr: the Julian year. */
static const unit_name names[] = {
    {PT_UNIT_LENGTH, "m", 1.0},         {PT_UNIT_LENGTH, "cm", 1e-2},
    {PT_UNIT_LENGTH, "mm", 1e-3},       {PT_UNIT_LENGTH, "um", 1e-6},
    {PT_UNIT_LENGTH, "km", 1e3},        {PT_UNIT_LENGTH, "au", 1.495978707e11},
    {PT_UNIT_LENGTH, "pc", 3.0856775814913673e16},
    {PT_UNIT_MASS, "kg", 1.0},          {PT_UNIT_MASS, "g", 1e-3},
    {PT_UNIT_MASS, "Msun", 1.988409870698051e30},
    {PT_UNIT_TIME, "s", 1.0},           {PT_UNIT_TIME, "ms", 1e-3},
    {PT_UNIT_TIME, "us", 1e-6},         {PT_UNIT_TIME, "min", 60.0},
    {PT_UNIT_TIME, "h", 3600.0},        {PT_UNIT_TIME, "d", 86400.0},
    {PT_UNIT_TIME, "yr", 3.15576e7},    {PT_UNIT_TIME, "Myr", 3.15576e13},
    {PT_UNIT_TEMPERATURE, "K", 1.0},
};

static const char *const key_of[7] = {"units.length", "units.mass", "units.time", NULL,
                                      "units.temperature", NULL, NULL};

/* The symbols of one base, for messages: "m, cm, mm, ...". */
static void symbols(int base, char *buf, size_t n) {
  size_t off = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < sizeof names / sizeof *names && off < n; ++i)
    if (names[i].base == base)
      off += (size_t)snprintf(buf + off, n - off, "%s%s", off ? ", " : "", names[i].symbol);
}

/* "VALUE UNIT" -> SI size, or PT_ERR_INPUT naming the key. */
static int parse_size(pt_config *cfg, const char *key, int base, const char *text, double *si) {
  char *end;
  double v = strtod(text, &end);
  while (*end == ' ' || *end == '\t') ++end;
  char list[256];
  symbols(base, list, sizeof list);
  static const char *const example[7] = {"1 cm", "1 kg", "1 s", "", "1 K", "", ""};
  if (end == text || !isfinite(v) || !(v > 0))
    return pt_config_error(cfg, key, "must be a size > 0 and a unit (%s), e.g. '%s' (got '%s')",
                           list, example[base], text);
  for (size_t i = 0; i < sizeof names / sizeof *names; ++i)
    if (names[i].base == base && strcmp(names[i].symbol, end) == 0) {
      *si = v * names[i].si;
      return PT_OK;
    }
  return pt_config_error(cfg, key, "unit '%s' is not one of %s", end, list);
}

int pt_units_read(pt_config *cfg, unsigned needs, pt_units *u) {
  memset(u, 0, sizeof *u);
  for (int b = 0; b < 7; ++b) u->base[b] = 1.0;
  int given = 0, wanted = 0;
  const char *first_missing = NULL, *first_given = NULL;
  for (int b = 0; b < 7; ++b) {
    if (!(needs & PT_UNIT_BIT(b)) || !key_of[b]) continue;
    ++wanted;
    const char *text;
    PT_TRY(pt_config_get_string(cfg, key_of[b], "", &text));
    char list[256], allowed[300];
    symbols(b, list, sizeof list);
    snprintf(allowed, sizeof allowed, "a size and unit: %s", list);
    PT_TRY(pt_config_describe(cfg, key_of[b], allowed));
    if (!*text) {
      if (!first_missing) first_missing = key_of[b];
      continue;
    }
    PT_TRY(parse_size(cfg, key_of[b], b, text, &u->base[b]));
    if (!first_given) first_given = key_of[b];
    ++given;
  }
  if (given && given < wanted) {
    char all[160] = "";
    size_t off = 0;
    for (int b = 0; b < 7; ++b)
      if ((needs & PT_UNIT_BIT(b)) && key_of[b])
        off += (size_t)snprintf(all + off, sizeof all - off, "%s%s", off ? ", " : "", key_of[b]);
    return pt_config_error(cfg, first_given,
                           "give every one of %s, or none (code units); %s is missing", all,
                           first_missing);
  }
  u->si = given > 0;
  return PT_OK;
}

void pt_units_of(const pt_units *u, const double dim[7], double *unit_si, double out_dim[7]) {
  *unit_si = 1.0;
  for (int b = 0; b < 7; ++b) {
    out_dim[b] = u->si ? dim[b] : 0.0;
    if (u->si && dim[b] != 0) *unit_si *= pow(u->base[b], dim[b]);
  }
}

const char *pt_units_system(const pt_units *u) { return u->si ? "SI" : "code"; }
