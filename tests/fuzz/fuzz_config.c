/* libFuzzer harness: input decks and --set overrides (pt_config). The input is a deck,
 * optionally followed by a line "%%" and then one override per line. Besides "no crash,
 * no leak, no undefined behaviour" it checks one property: a valid deck resolves to INI
 * text that is valid too and resolves to the same text (what a run stores in its output
 * must be readable as a deck). Not collective: no MPI. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pt_config.h"
#include "pt_error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { max_sets = 8 };

/* Asks for keys the shipped decks use, with every getter type, so that the fuzzer
 * reaches the conversions and range checks (it learns the key names from the compares).
 * Returns nonzero when the deck is valid: every getter and the unknown-key check pass. */
static int read_keys(pt_config *cfg) {
  int64_t i;
  double x, v[3];
  int b, c, n;
  const char *s;
  static const char *const choices[] = {"p2p", "neighbor", "rma", NULL};
  int bad = 0;
  bad |= pt_config_get_int(cfg, "grid.nx", 8, 3, INT64_C(1) << 40, &i);
  bad |= pt_config_get_int(cfg, "time.steps", 0, 0, INT64_MAX, &i);
  bad |= pt_config_get_double(cfg, "physics.alpha", 1, 1e-300, 1e300, &x);
  bad |= pt_config_get_double(cfg, "time.dt", 0, 0, 1e300, &x);
  bad |= pt_config_get_bool(cfg, "run.overlap", 1, &b);
  bad |= pt_config_get_string(cfg, "initial.file", "", &s);
  bad |= pt_config_get_choice(cfg, "run.halo", "p2p", choices, &c);
  bad |= pt_config_get_doubles(cfg, "grid.lengths", 3, &n, v);
  pt_config_has(cfg, "output.every");
  bad |= pt_config_finish(cfg);
  return !bad;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = malloc(size + 1);
  if (!text) return 0;
  memcpy(text, data, size);
  text[size] = '\0';
  const char *sets[max_sets];
  int nset = 0;
  char *split = strstr(text, "\n%%\n");
  if (split) {
    *split = '\0';
    for (char *line = split + 4; line && *line && nset < max_sets;) {
      char *nl = strchr(line, '\n');
      if (nl) *nl = '\0';
      sets[nset++] = line;
      line = nl ? nl + 1 : NULL;
    }
  }
  pt_config *cfg = NULL;
  if (pt_config_parse_string("fuzz.ini", text, nset, sets, &cfg) == PT_OK && read_keys(cfg)) {
    char *resolved = pt_config_resolved(cfg);
    pt_config *again = NULL;
    if (resolved) {
      if (pt_config_parse_string("resolved.ini", resolved, 0, NULL, &again) != PT_OK ||
          !read_keys(again))
        abort();
      char *twice = pt_config_resolved(again);
      if (twice && strcmp(resolved, twice) != 0) abort();
      free(twice);
    }
    pt_config_destroy(&again);
    free(resolved);
  }
  pt_config_destroy(&cfg);
  pt_error_clear();
  free(text);
  return 0;
}
