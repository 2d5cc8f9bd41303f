/** @file
 * pt_config: INI input decks parsed with inih, `--set section.key=value` overrides, and
 * typed getters with ranges. Keys are named "section.key". Every key the deck holds must
 * be read by some getter: pt_config_finish() reports any key nobody asked for as unknown.
 * Input errors name the file and line ("deck.ini:12: heat.nx: must be >= 3 (got 0)") or
 * the override ("--set heat.nx=0: ..."). */
#ifndef PT_CONFIG_H
#define PT_CONFIG_H

#include <mpi.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A parsed input deck with its overrides, and the keys the getters asked for (opaque). */
typedef struct pt_config pt_config;

/** Rank 0 reads `path` and broadcasts its bytes; every rank parses them, then applies
 * the `nset` overrides "section.key=value" (an override may add a key the deck lacks).
 * Errors (PT_ERR_INPUT): missing/unreadable file, a directory, an empty deck (no key at
 * all: a truncated copy or the wrong file), syntax error, key outside
 * a section, duplicate key, line too long, malformed override (no "=", a control
 * character, or a value holding " ;" that a deck would read as a comment). Collective over `comm`,
 * and agreed: all ranks return the same code. `path` may be NULL for overrides only. */
int pt_config_load(MPI_Comm comm, const char *path, int nset, const char *const *sets,
                   pt_config **cfg);

/** Parses deck text already in memory (`name` is used in messages); `text` may be NULL
 * for overrides only. Same errors as pt_config_load. Not collective. */
int pt_config_parse_string(const char *name, const char *text, int nset,
                           const char *const *sets, pt_config **cfg);

/** Frees everything and sets *cfg to NULL. */
void pt_config_destroy(pt_config **cfg);

/** Typed getters. A missing key takes `def`; a present key must parse completely and lie
 * in [min, max], else PT_ERR_INPUT with file:line. Not collective. */
int pt_config_get_int(pt_config *cfg, const char *key, int64_t def, int64_t min, int64_t max,
                      int64_t *out);
/** As pt_config_get_int, for a double: a present value must be a finite number. */
int pt_config_get_double(pt_config *cfg, const char *key, double def, double min, double max,
                         double *out);
/** Booleans: true/false, yes/no, on/off, 1/0. */
int pt_config_get_bool(pt_config *cfg, const char *key, int def, int *out);
/** Strings: `def` NULL makes the key required. The returned string lives as long as cfg. */
int pt_config_get_string(pt_config *cfg, const char *key, const char *def, const char **out);
/** One of `choices` (NULL-terminated); *out is the index. `def` must be one of them. */
int pt_config_get_choice(pt_config *cfg, const char *key, const char *def,
                         const char *const *choices, int *out);
/** A list of 1..maxn doubles separated by commas or blanks ("1.0, 2.0, 3"). A missing
 * key is no error: *n is 0 then. */
int pt_config_get_doubles(pt_config *cfg, const char *key, int maxn, int *n, double *out);

/** 1 if the deck or an override gives `key`. Marks the key as known. Not collective. */
int pt_config_has(pt_config *cfg, const char *key);

/** Records an input error about `key` with its file:line ("deck.ini:12: heat.dt: ...").
 * For checks that span keys (e.g. dt above the stability limit). Returns PT_ERR_INPUT. */
int pt_config_error(const pt_config *cfg, const char *key, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/** Fails with PT_ERR_INPUT naming the first key (in file order) no getter asked for
 * ("deck.ini:7: heat.nxx: unknown key"). Call after all getters. Not collective. */
int pt_config_finish(const pt_config *cfg);

/** Marks `key` as known but not used by this run (a 3D key in a 2D run): it is no error
 * in the deck, and the resolved deck leaves it out, so it shows what the run used.
 * Errors: PT_ERR_NOMEM. Not collective. */
int pt_config_unused(pt_config *cfg, const char *key);

/** Replaces what `--help-keys` says a key allows, for a check the getter's range cannot
 * state ("> 0"). Errors: PT_ERR_NOMEM. Not collective. */
int pt_config_describe(pt_config *cfg, const char *key, const char *allowed);

/** The table `--help-keys` prints: every key the getters asked for, in the order they
 * asked, with its type, default, allowed values and the value this run uses ("(not
 * used)" for pt_config_unused keys). Generated from the getters' own arguments, so it
 * cannot drift from what the parser accepts. Not collective. */
void pt_config_print_keys(const pt_config *cfg, FILE *out);

/** The resolved deck as INI text: every key that was read, with its effective value
 * (defaults included), grouped by section. Re-parsing it reproduces the run's settings.
 * Caller frees; NULL when out of memory. Not collective. */
char *pt_config_resolved(const pt_config *cfg);

/** The file name the deck came from ("--set" if none). */
const char *pt_config_source(const pt_config *cfg);

#ifdef __cplusplus
}
#endif
#endif
