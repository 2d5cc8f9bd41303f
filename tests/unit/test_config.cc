// pt_config: INI decks, overrides, typed getters, unknown keys, the resolved deck, and
// the collective load (rank 0 reads, broadcasts, every rank parses, the result agreed).
#include "pt_test.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "pt_config.h"
#include "pt_error.h"

namespace {

// Owns a pt_config for the length of one test.
struct Deck {
  pt_config *cfg = nullptr;
  int err = PT_OK;
  Deck(const char *text, std::vector<const char *> sets = {}, const char *name = "deck.ini") {
    pt_error_clear();
    err = pt_config_parse_string(name, text, (int)sets.size(), sets.data(), &cfg);
  }
  ~Deck() { pt_config_destroy(&cfg); }
  Deck(const Deck &) = delete;
  Deck &operator=(const Deck &) = delete;
};

std::string msg() { return pt_error_message(); }

// The parse error of `text`, or "" if it parsed.
std::string parse_error(const char *text, std::vector<const char *> sets = {}) {
  Deck d(text, sets);
  if (d.err == PT_OK) return "";
  EXPECT_EQ(d.err, PT_ERR_INPUT);
  EXPECT_EQ(d.cfg, nullptr);
  return msg();
}

// The error of reading `key` as an int in [min, max] from a one-key deck "[heat] key=value".
std::string int_error(const char *value, int64_t min = INT64_MIN, int64_t max = INT64_MAX) {
  std::string text = std::string("[heat]\nnx = ") + value + "\n";
  Deck d(text.c_str());
  EXPECT_EQ(d.err, PT_OK);
  int64_t v = 0;
  return pt_config_get_int(d.cfg, "heat.nx", 0, min, max, &v) == PT_OK ? "" : msg();
}

std::string double_error(const char *value, double min = -1e300, double max = 1e300) {
  std::string text = std::string("[heat]\ndt = ") + value + "\n";
  Deck d(text.c_str());
  EXPECT_EQ(d.err, PT_OK);
  double v = 0;
  return pt_config_get_double(d.cfg, "heat.dt", 0, min, max, &v) == PT_OK ? "" : msg();
}

// ---------------------------------------------------------------- parsing

TEST(ConfigParse, SectionsKeysCommentsAndIndentation) {
  Deck d("# a comment\n"
         "; another comment\n"
         "[heat]\n"
         "nx = 64 ; inline comment\n"
         "  ny = 32\n"        // indented keys are keys, not continuations of nx
         "\tnz=8\r\n"          // tab, no blanks, CRLF
         "[io]\n"
         "name: run1\n");      // inih's name: value form
  ASSERT_EQ(d.err, PT_OK) << msg();
  int64_t nx = 0, ny = 0, nz = 0;
  const char *name = nullptr;
  EXPECT_EQ(pt_config_get_int(d.cfg, "heat.nx", 0, 0, 1000, &nx), PT_OK);
  EXPECT_EQ(pt_config_get_int(d.cfg, "heat.ny", 0, 0, 1000, &ny), PT_OK);
  EXPECT_EQ(pt_config_get_int(d.cfg, "heat.nz", 0, 0, 1000, &nz), PT_OK);
  EXPECT_EQ(pt_config_get_string(d.cfg, "io.name", nullptr, &name), PT_OK);
  EXPECT_EQ(nx, 64);
  EXPECT_EQ(ny, 32);
  EXPECT_EQ(nz, 8);
  EXPECT_STREQ(name, "run1");
  EXPECT_EQ(pt_config_finish(d.cfg), PT_OK) << msg();
  EXPECT_STREQ(pt_config_source(d.cfg), "deck.ini");
}

TEST(ConfigParse, EmptyDeckIsValidButRequiredKeysFail) {
  Deck d("");
  ASSERT_EQ(d.err, PT_OK);
  const char *s = nullptr;
  EXPECT_EQ(pt_config_get_string(d.cfg, "io.dir", nullptr, &s), PT_ERR_INPUT);
  EXPECT_EQ(msg(), "deck.ini: io.dir: required key missing");
  EXPECT_EQ(pt_config_finish(d.cfg), PT_OK);
}

TEST(ConfigParse, SyntaxErrors) {
  EXPECT_EQ(parse_error("[heat]\nnx 64\n"),
            "deck.ini:2: syntax error (expected [section] or key = value)");
  EXPECT_EQ(parse_error("[heat\nnx = 64\n"),
            "deck.ini:1: syntax error (expected [section] or key = value)");
  EXPECT_EQ(parse_error("[heat]\nnx = 1\n= 5\n"),
            "deck.ini:3: syntax error (expected [section] or key = value)");
}

TEST(ConfigParse, KeyOutsideSection) {
  EXPECT_EQ(parse_error("\nnx = 3\n[heat]\n"),
            "deck.ini:2: nx: key outside a section (put it under a [section])");
}

TEST(ConfigParse, DuplicateKey) {
  EXPECT_EQ(parse_error("[heat]\n\nnx = 1\nny = 2\nnx = 3\n"),
            "deck.ini:5: heat.nx: given twice (first at line 3)");
  // A section may be reopened, but not to give a key again.
  EXPECT_EQ(parse_error("[heat]\nnx = 1\n[io]\n[heat]\nnx = 1\n"),
            "deck.ini:5: heat.nx: given twice (first at line 2)");
}

TEST(ConfigParse, LineTooLong) {
  // inih's line buffer is 200 bytes: 199 characters fit, with or without a newline.
  std::string fits = "[io]\nname = " + std::string(199 - 7, 'a');
  EXPECT_EQ(parse_error((fits + "\n").c_str()), "");
  EXPECT_EQ(parse_error(fits.c_str()), "");
  EXPECT_EQ(parse_error((fits + "\r\n").c_str()), "");
  EXPECT_EQ(parse_error((fits + "a\n[heat]\n").c_str()),
            "deck.ini:2: line too long (max 199 characters)");
  EXPECT_EQ(parse_error(("[io]\n; " + std::string(300, 'c')).c_str()),
            "deck.ini:2: line too long (max 199 characters)");
}

TEST(ConfigParse, FirstErrorByLineWins) {
  // inih reports its syntax error only at the end, the handler's errors as they come.
  EXPECT_EQ(parse_error("[heat]\nbad\nnx = 1\nnx = 2\n"),
            "deck.ini:2: syntax error (expected [section] or key = value)");
  EXPECT_EQ(parse_error("[heat]\nnx = 1\nnx = 2\nbad\n"),
            "deck.ini:3: heat.nx: given twice (first at line 2)");
  EXPECT_EQ(parse_error(("[heat]\nnx = 1\n" + std::string(250, 'x') + "\nbad\n").c_str()),
            "deck.ini:3: line too long (max 199 characters)");
}

// ---------------------------------------------------------------- getters

TEST(ConfigGet, IntValuesAndDefaults) {
  Deck d("[heat]\nnx = 64\nny = -7\nnz = +5\nbig = 9223372036854775807\n");
  ASSERT_EQ(d.err, PT_OK);
  int64_t v = 0;
  EXPECT_EQ(pt_config_get_int(d.cfg, "heat.nx", 0, 3, 100, &v), PT_OK);
  EXPECT_EQ(v, 64);
  EXPECT_EQ(pt_config_get_int(d.cfg, "heat.ny", 0, INT64_MIN, 0, &v), PT_OK);
  EXPECT_EQ(v, -7);
  EXPECT_EQ(pt_config_get_int(d.cfg, "heat.nz", 0, 0, 10, &v), PT_OK);
  EXPECT_EQ(v, 5);
  EXPECT_EQ(pt_config_get_int(d.cfg, "heat.big", 0, 0, INT64_MAX, &v), PT_OK);
  EXPECT_EQ(v, INT64_MAX);
  EXPECT_EQ(pt_config_get_int(d.cfg, "heat.steps", 42, 0, 100, &v), PT_OK);
  EXPECT_EQ(v, 42);
  EXPECT_EQ(pt_config_finish(d.cfg), PT_OK) << msg();
}

TEST(ConfigGet, IntErrors) {
  EXPECT_EQ(int_error("0", 3, 100), "deck.ini:2: heat.nx: must be >= 3 (got 0)");
  EXPECT_EQ(int_error("101", 3, 100), "deck.ini:2: heat.nx: must be <= 100 (got 101)");
  EXPECT_EQ(int_error("12x"), "deck.ini:2: heat.nx: must be an integer (got '12x')");
  EXPECT_EQ(int_error("1.5"), "deck.ini:2: heat.nx: must be an integer (got '1.5')");
  EXPECT_EQ(int_error("1e3"), "deck.ini:2: heat.nx: must be an integer (got '1e3')");
  EXPECT_EQ(int_error("0x10"), "deck.ini:2: heat.nx: must be an integer (got '0x10')");
  EXPECT_EQ(int_error(""), "deck.ini:2: heat.nx: must be an integer (got '')");
  EXPECT_EQ(int_error("99999999999999999999"),
            "deck.ini:2: heat.nx: out of range (got '99999999999999999999')");
  EXPECT_EQ(int_error("-99999999999999999999"),
            "deck.ini:2: heat.nx: out of range (got '-99999999999999999999')");
}

TEST(ConfigGet, DoubleValuesAndDefaults) {
  Deck d("[heat]\ndt = 1e-3\nalpha = -2.5\nzero = 0\n");
  ASSERT_EQ(d.err, PT_OK);
  double v = 0;
  EXPECT_EQ(pt_config_get_double(d.cfg, "heat.dt", 0, 0, 1, &v), PT_OK);
  EXPECT_EQ(v, 1e-3);
  EXPECT_EQ(pt_config_get_double(d.cfg, "heat.alpha", 0, -10, 10, &v), PT_OK);
  EXPECT_EQ(v, -2.5);
  EXPECT_EQ(pt_config_get_double(d.cfg, "heat.zero", 1, 0, 1, &v), PT_OK);
  EXPECT_EQ(v, 0.0);
  EXPECT_EQ(pt_config_get_double(d.cfg, "heat.t_end", 0.25, 0, 1, &v), PT_OK);
  EXPECT_EQ(v, 0.25);
  EXPECT_EQ(pt_config_finish(d.cfg), PT_OK) << msg();
}

TEST(ConfigGet, DoubleErrors) {
  EXPECT_EQ(double_error("abc"), "deck.ini:2: heat.dt: must be a number (got 'abc')");
  EXPECT_EQ(double_error("1.0s"), "deck.ini:2: heat.dt: must be a number (got '1.0s')");
  EXPECT_EQ(double_error(""), "deck.ini:2: heat.dt: must be a number (got '')");
  EXPECT_EQ(double_error("nan"), "deck.ini:2: heat.dt: must be a finite number (got 'nan')");
  EXPECT_EQ(double_error("-inf"), "deck.ini:2: heat.dt: must be a finite number (got '-inf')");
  EXPECT_EQ(double_error("1e999"), "deck.ini:2: heat.dt: out of range (got '1e999')");
  EXPECT_EQ(double_error("-0.5", 0, 1), "deck.ini:2: heat.dt: must be >= 0 (got -0.5)");
  EXPECT_EQ(double_error("2.5", 0, 0.1), "deck.ini:2: heat.dt: must be <= 0.1 (got 2.5)");
}

TEST(ConfigGet, Bool) {
  Deck d("[b]\na = true\nb = FALSE\nc = Yes\nd = no\ne = on\nf = Off\ng = 1\nh = 0\n"
         "bad = maybe\nempty =\n");
  ASSERT_EQ(d.err, PT_OK);
  const char *keys[] = {"b.a", "b.b", "b.c", "b.d", "b.e", "b.f", "b.g", "b.h"};
  for (int i = 0; i < 8; ++i) {
    int v = -1;
    EXPECT_EQ(pt_config_get_bool(d.cfg, keys[i], i % 2, &v), PT_OK) << keys[i];
    EXPECT_EQ(v, i % 2 == 0) << keys[i];
  }
  int v = -1;
  EXPECT_EQ(pt_config_get_bool(d.cfg, "b.missing", 7, &v), PT_OK);
  EXPECT_EQ(v, 1);
  EXPECT_EQ(pt_config_get_bool(d.cfg, "b.bad", 0, &v), PT_ERR_INPUT);
  EXPECT_EQ(msg(), "deck.ini:10: b.bad: must be true or false (got 'maybe')");
  EXPECT_EQ(pt_config_get_bool(d.cfg, "b.empty", 0, &v), PT_ERR_INPUT);
  EXPECT_EQ(msg(), "deck.ini:11: b.empty: must be true or false (got '')");
}

TEST(ConfigGet, String) {
  Deck d("[io]\nprefix = run one\nempty =\n");
  ASSERT_EQ(d.err, PT_OK);
  const char *s = nullptr, *t = nullptr;
  EXPECT_EQ(pt_config_get_string(d.cfg, "io.prefix", "x", &s), PT_OK);
  EXPECT_STREQ(s, "run one");
  EXPECT_EQ(pt_config_get_string(d.cfg, "io.empty", "x", &s), PT_OK);
  EXPECT_STREQ(s, "");
  {
    std::string def = "temporary default";
    EXPECT_EQ(pt_config_get_string(d.cfg, "io.dir", def.c_str(), &t), PT_OK);
  }
  // The default is copied: it lives as long as cfg, even when read twice.
  EXPECT_STREQ(t, "temporary default");
  EXPECT_EQ(pt_config_get_string(d.cfg, "io.dir", "temporary default", &s), PT_OK);
  EXPECT_STREQ(t, "temporary default");
  EXPECT_EQ(pt_config_get_string(d.cfg, "io.title", nullptr, &s), PT_ERR_INPUT);
  EXPECT_EQ(msg(), "deck.ini: io.title: required key missing");
}

TEST(ConfigGet, Choice) {
  const char *const halo[] = {"p2p", "neighbor", "rma", nullptr};
  Deck d("[halo]\nmethod = rma\nbad = foo\nempty =\ncase = P2P\n");
  ASSERT_EQ(d.err, PT_OK);
  int v = -1;
  EXPECT_EQ(pt_config_get_choice(d.cfg, "halo.method", "p2p", halo, &v), PT_OK);
  EXPECT_EQ(v, 2);
  EXPECT_EQ(pt_config_get_choice(d.cfg, "halo.other", "neighbor", halo, &v), PT_OK);
  EXPECT_EQ(v, 1);
  EXPECT_EQ(pt_config_get_choice(d.cfg, "halo.bad", "p2p", halo, &v), PT_ERR_INPUT);
  EXPECT_EQ(msg(), "deck.ini:3: halo.bad: must be one of p2p, neighbor, rma (got 'foo')");
  EXPECT_EQ(pt_config_get_choice(d.cfg, "halo.empty", "p2p", halo, &v), PT_ERR_INPUT);
  EXPECT_EQ(msg(), "deck.ini:4: halo.empty: must be one of p2p, neighbor, rma (got '')");
  EXPECT_EQ(pt_config_get_choice(d.cfg, "halo.case", "p2p", halo, &v), PT_ERR_INPUT);
  EXPECT_EQ(msg(), "deck.ini:5: halo.case: must be one of p2p, neighbor, rma (got 'P2P')");
  // A default outside the choices is the program's bug, not the user's.
  EXPECT_EQ(pt_config_get_choice(d.cfg, "halo.none", "mpi", halo, &v), PT_ERR_RUNTIME);
}

TEST(ConfigGet, DoublesList) {
  Deck d("[g]\nc = 1.0, 2.0, 3\nb = 1 2\t3\nm = 0.5,-1 , 2e1\none = 7\n"
         "many = 1 2 3 4\nempty =\ndouble = 1,,2\ntrail = 1, 2,\nlead = , 1\nbad = 1, x\n");
  ASSERT_EQ(d.err, PT_OK);
  double v[3] = {0, 0, 0};
  int n = -1;
  EXPECT_EQ(pt_config_get_doubles(d.cfg, "g.c", 3, &n, v), PT_OK);
  EXPECT_EQ(n, 3);
  EXPECT_EQ(v[0], 1.0);
  EXPECT_EQ(v[1], 2.0);
  EXPECT_EQ(v[2], 3.0);
  EXPECT_EQ(pt_config_get_doubles(d.cfg, "g.b", 3, &n, v), PT_OK);
  EXPECT_EQ(n, 3);
  EXPECT_EQ(v[2], 3.0);
  EXPECT_EQ(pt_config_get_doubles(d.cfg, "g.m", 3, &n, v), PT_OK);
  EXPECT_EQ(n, 3);
  EXPECT_EQ(v[0], 0.5);
  EXPECT_EQ(v[1], -1.0);
  EXPECT_EQ(v[2], 20.0);
  EXPECT_EQ(pt_config_get_doubles(d.cfg, "g.one", 3, &n, v), PT_OK);
  EXPECT_EQ(n, 1);
  EXPECT_EQ(v[0], 7.0);
  EXPECT_EQ(pt_config_get_doubles(d.cfg, "g.missing", 3, &n, v), PT_OK);
  EXPECT_EQ(n, 0);
  EXPECT_EQ(pt_config_get_doubles(d.cfg, "g.many", 3, &n, v), PT_ERR_INPUT);
  EXPECT_EQ(msg(), "deck.ini:6: g.many: must be a list of 1 to 3 numbers (got 4)");
  EXPECT_EQ(pt_config_get_doubles(d.cfg, "g.empty", 3, &n, v), PT_ERR_INPUT);
  EXPECT_EQ(msg(), "deck.ini:7: g.empty: must be a list of 1 to 3 numbers (got '')");
  EXPECT_EQ(pt_config_get_doubles(d.cfg, "g.double", 3, &n, v), PT_ERR_INPUT);
  EXPECT_EQ(msg(), "deck.ini:8: g.double: empty item in list '1,,2'");
  EXPECT_EQ(pt_config_get_doubles(d.cfg, "g.trail", 3, &n, v), PT_ERR_INPUT);
  EXPECT_EQ(msg(), "deck.ini:9: g.trail: empty item in list '1, 2,'");
  EXPECT_EQ(pt_config_get_doubles(d.cfg, "g.lead", 3, &n, v), PT_ERR_INPUT);
  EXPECT_EQ(msg(), "deck.ini:10: g.lead: empty item in list ', 1'");
  EXPECT_EQ(pt_config_get_doubles(d.cfg, "g.bad", 3, &n, v), PT_ERR_INPUT);
  EXPECT_EQ(msg(), "deck.ini:11: g.bad: item 2 must be a finite number (got 'x')");
}

// ---------------------------------------------------------------- overrides

TEST(ConfigSet, ReplacesAddsAndLastWins) {
  Deck d("[heat]\nnx = 10\n", {"heat.nx=20", " heat.ny = 5 ", "io.name=a=b", "heat.nz=1",
                               "heat.nz=2"});
  ASSERT_EQ(d.err, PT_OK) << msg();
  int64_t v = 0;
  const char *s = nullptr;
  EXPECT_EQ(pt_config_get_int(d.cfg, "heat.nx", 0, 0, 100, &v), PT_OK);
  EXPECT_EQ(v, 20);
  EXPECT_EQ(pt_config_get_int(d.cfg, "heat.ny", 0, 0, 100, &v), PT_OK);
  EXPECT_EQ(v, 5);
  EXPECT_EQ(pt_config_get_int(d.cfg, "heat.nz", 0, 0, 100, &v), PT_OK);
  EXPECT_EQ(v, 2);
  EXPECT_EQ(pt_config_get_string(d.cfg, "io.name", nullptr, &s), PT_OK);
  EXPECT_STREQ(s, "a=b");
  EXPECT_EQ(pt_config_finish(d.cfg), PT_OK) << msg();
}

TEST(ConfigSet, OverridesWithoutDeck) {
  Deck d(nullptr, {"heat.nx=7"}, nullptr);
  ASSERT_EQ(d.err, PT_OK) << msg();
  EXPECT_STREQ(pt_config_source(d.cfg), "--set");
  int64_t v = 0;
  EXPECT_EQ(pt_config_get_int(d.cfg, "heat.nx", 0, 0, 100, &v), PT_OK);
  EXPECT_EQ(v, 7);
  const char *s = nullptr;
  EXPECT_EQ(pt_config_get_string(d.cfg, "io.dir", nullptr, &s), PT_ERR_INPUT);
  EXPECT_EQ(msg(), "io.dir: required key missing");
}

TEST(ConfigSet, Malformed) {
  EXPECT_EQ(parse_error("", {"foo"}), "--set foo: expected section.key=value");
  EXPECT_EQ(parse_error("", {"nx=3"}), "--set nx=3: expected section.key=value");
  EXPECT_EQ(parse_error("", {"=3"}), "--set =3: expected section.key=value");
  EXPECT_EQ(parse_error("", {".nx=3"}), "--set .nx=3: expected section.key=value");
  EXPECT_EQ(parse_error("", {"heat.=3"}), "--set heat.=3: expected section.key=value");
  EXPECT_EQ(parse_error("", {"heat.nx"}), "--set heat.nx: expected section.key=value");
  // What a deck line cannot say (found by tests/fuzz/fuzz_config.c: the resolved deck
  // would not reproduce the run): control characters, and " ;" or a leading ";" in a
  // value, which a deck reads as a comment. A tab is a blank.
  EXPECT_EQ(parse_error("", {"io.file=run.h5\r"}),
            "--set: an override contains a control character (byte 0x0d)");
  EXPECT_EQ(parse_error("", {"io.file=a\nb"}),
            "--set: an override contains a control character (byte 0x0a)");
  EXPECT_EQ(parse_error("", {"io.file=a ;b"}),
            "--set io.file=a ;b: a value cannot hold ' ;', which starts a comment in a deck");
  EXPECT_EQ(parse_error("", {"io.file=;b"}),
            "--set io.file=;b: a value cannot hold ' ;', which starts a comment in a deck");
  EXPECT_EQ(parse_error("", {"io.file=\ta;b"}), "");
  std::string longset = "io.file=" + std::string(200, 'x');
  EXPECT_EQ(parse_error("", {longset.c_str()}),
            "--set io.file: value too long (a deck line holds at most 199 characters)");
  // A bad deck is reported before the overrides.
  EXPECT_EQ(parse_error("[heat]\nnx 1\n", {"foo"}),
            "deck.ini:2: syntax error (expected [section] or key = value)");
}

TEST(ConfigSet, ErrorsNameTheOverride) {
  Deck d("[heat]\nnx = 10\n", {"heat.nx=0", "heat.dt=x"});
  ASSERT_EQ(d.err, PT_OK);
  int64_t v = 0;
  double dt = 0;
  EXPECT_EQ(pt_config_get_int(d.cfg, "heat.nx", 16, 3, 100, &v), PT_ERR_INPUT);
  EXPECT_EQ(msg(), "--set heat.nx=0: heat.nx: must be >= 3 (got 0)");
  EXPECT_EQ(pt_config_get_double(d.cfg, "heat.dt", 0, 0, 1, &dt), PT_ERR_INPUT);
  EXPECT_EQ(msg(), "--set heat.dt=x: heat.dt: must be a number (got 'x')");
}

// ---------------------------------------------------------------- unknown keys, errors

TEST(ConfigFinish, UnknownKeyWithSuggestion) {
  Deck d("[heat]\nnx = 8\nnxx = 9\n");
  ASSERT_EQ(d.err, PT_OK);
  int64_t v = 0;
  EXPECT_EQ(pt_config_get_int(d.cfg, "heat.nx", 0, 0, 100, &v), PT_OK);
  EXPECT_EQ(pt_config_finish(d.cfg), PT_ERR_INPUT);
  EXPECT_EQ(msg(), "deck.ini:3: heat.nxx: unknown key (did you mean heat.nx?)");
}

TEST(ConfigFinish, UnknownKeyFirstInFileOrder) {
  Deck d("[heat]\nzzzz = 1\nnx = 8\nqqqq = 2\n", {"heat.extra=1"});
  ASSERT_EQ(d.err, PT_OK);
  int64_t v = 0;
  EXPECT_EQ(pt_config_get_int(d.cfg, "heat.nx", 0, 0, 100, &v), PT_OK);
  EXPECT_EQ(pt_config_finish(d.cfg), PT_ERR_INPUT);
  EXPECT_EQ(msg(), "deck.ini:2: heat.zzzz: unknown key");
}

TEST(ConfigFinish, UnknownKeyFromOverride) {
  Deck d("[heat]\nnx = 8\n", {"heat.nxx=1"});
  ASSERT_EQ(d.err, PT_OK);
  int64_t v = 0;
  EXPECT_EQ(pt_config_get_int(d.cfg, "heat.nx", 0, 0, 100, &v), PT_OK);
  EXPECT_EQ(pt_config_finish(d.cfg), PT_ERR_INPUT);
  EXPECT_EQ(msg(), "--set heat.nxx=1: heat.nxx: unknown key (did you mean heat.nx?)");
}

TEST(ConfigFinish, UnknownSection) {
  Deck d("[heat]\nnx = 8\n\n[heet]\nny = 9\n");
  ASSERT_EQ(d.err, PT_OK);
  int64_t v = 0;
  EXPECT_EQ(pt_config_get_int(d.cfg, "heat.nx", 0, 0, 100, &v), PT_OK);
  EXPECT_EQ(pt_config_finish(d.cfg), PT_ERR_INPUT);
  EXPECT_EQ(msg(), "deck.ini:5: [heet]: unknown section");
}

TEST(ConfigFinish, HasMarksKeysKnown) {
  Deck d("[restart]\nfile = x.h5\n[io]\nformat = h5\n");
  ASSERT_EQ(d.err, PT_OK);
  EXPECT_EQ(pt_config_has(d.cfg, "restart.file"), 1);
  EXPECT_EQ(pt_config_has(d.cfg, "restart.step"), 0);
  EXPECT_EQ(pt_config_finish(d.cfg), PT_ERR_INPUT);
  // io was never mentioned; asking for an absent key of a section makes it known.
  EXPECT_EQ(msg(), "deck.ini:4: [io]: unknown section");
  EXPECT_EQ(pt_config_has(d.cfg, "io.other"), 0);
  EXPECT_EQ(pt_config_finish(d.cfg), PT_ERR_INPUT);
  EXPECT_EQ(msg(), "deck.ini:4: io.format: unknown key");
  EXPECT_EQ(pt_config_has(d.cfg, "io.format"), 1);
  EXPECT_EQ(pt_config_finish(d.cfg), PT_OK);
}

TEST(ConfigError, NamesFileLineOverrideOrFile) {
  Deck d("[heat]\ndt = 0.5\n", {"heat.nx=4"});
  ASSERT_EQ(d.err, PT_OK);
  EXPECT_EQ(pt_config_error(d.cfg, "heat.dt", "above the stability limit %g", 0.25), PT_ERR_INPUT);
  EXPECT_EQ(msg(), "deck.ini:2: heat.dt: above the stability limit 0.25");
  EXPECT_EQ(pt_config_error(d.cfg, "heat.nx", "must be even"), PT_ERR_INPUT);
  EXPECT_EQ(msg(), "--set heat.nx=4: heat.nx: must be even");
  EXPECT_EQ(pt_config_error(d.cfg, "heat.ny", "must equal nx"), PT_ERR_INPUT);
  EXPECT_EQ(msg(), "deck.ini: heat.ny: must equal nx");
}

// ---------------------------------------------------------------- resolved deck

TEST(ConfigResolved, ExactText) {
  const char *const halo[] = {"p2p", "neighbor", "rma", nullptr};
  Deck d("[io]\nname = run\n[heat]\nnx = 064\n", {"heat.on=YES"});
  ASSERT_EQ(d.err, PT_OK);
  int64_t nx;
  double dt;
  int on, m;
  const char *s;
  EXPECT_EQ(pt_config_get_int(d.cfg, "heat.nx", 0, 0, 100, &nx), PT_OK);
  EXPECT_EQ(pt_config_get_string(d.cfg, "io.name", nullptr, &s), PT_OK);
  EXPECT_EQ(pt_config_get_double(d.cfg, "heat.dt", 0.1, 0, 1, &dt), PT_OK);
  EXPECT_EQ(pt_config_get_bool(d.cfg, "heat.on", 0, &on), PT_OK);
  EXPECT_EQ(pt_config_get_choice(d.cfg, "halo.method", "neighbor", halo, &m), PT_OK);
  EXPECT_EQ(pt_config_has(d.cfg, "restart.file"), 0);
  char *r = pt_config_resolved(d.cfg);
  ASSERT_NE(r, nullptr);
  EXPECT_STREQ(r,
               "; resolved input deck (Partita)\n"
               "\n[heat]\nnx = 64\ndt = 0.1\non = true\n"
               "\n[io]\nname = run\n"
               "\n[halo]\nmethod = neighbor\n");
  std::free(r);
}

TEST(ConfigResolved, UnusedKeysAreAcceptedButLeftOut) {
  Deck d("[grid]\nnx = 8\nnz = 5\n");
  ASSERT_EQ(d.err, PT_OK) << msg();
  int64_t nx = 0, nz = 0;
  EXPECT_EQ(pt_config_get_int(d.cfg, "grid.nx", 1, 1, 100, &nx), PT_OK);
  EXPECT_EQ(pt_config_get_int(d.cfg, "grid.nz", 1, 1, 100, &nz), PT_OK);
  EXPECT_EQ(pt_config_unused(d.cfg, "grid.nz"), PT_OK);
  EXPECT_EQ(pt_config_unused(d.cfg, "grid.lz"), PT_OK);  // absent from the deck: no error either
  EXPECT_EQ(pt_config_finish(d.cfg), PT_OK) << msg();
  char *r = pt_config_resolved(d.cfg);
  ASSERT_NE(r, nullptr);
  EXPECT_STREQ(r, "; resolved input deck (Partita)\n\n[grid]\nnx = 8\n");
  std::free(r);
}

TEST(ConfigResolved, RoundTripIsExact) {
  const char *const halo[] = {"p2p", "neighbor", "rma", nullptr};
  Deck d("[heat]\nnx = 100\ndt = 0.1\nalpha = 0.333333333333333314829616256247\n"
         "[io]\ntitle = my run\nlist = 1, 2.5 3e-7\n",
         {"heat.method=rma"});
  ASSERT_EQ(d.err, PT_OK);
  struct Values {
    int64_t nx, steps;
    double dt, alpha, third, tiny;
    int on, m, n;
    double list[4];
    std::string title, prefix;
  };
  auto read = [&](pt_config *cfg, Values &v, bool defaults) {
    // Defaults differ on the second read: every value must come from the resolved deck.
    const char *s = nullptr;
    EXPECT_EQ(pt_config_get_int(cfg, "heat.nx", 0, 0, 1000, &v.nx), PT_OK);
    EXPECT_EQ(pt_config_get_int(cfg, "heat.steps", defaults ? -123456789 : 0, INT64_MIN,
                                INT64_MAX, &v.steps), PT_OK);
    EXPECT_EQ(pt_config_get_double(cfg, "heat.dt", 0, 0, 1, &v.dt), PT_OK);
    EXPECT_EQ(pt_config_get_double(cfg, "heat.alpha", 0, 0, 1, &v.alpha), PT_OK);
    EXPECT_EQ(pt_config_get_double(cfg, "heat.third", defaults ? 1.0 / 3.0 : 0, 0, 1, &v.third),
              PT_OK);
    // The smallest subnormal: its shortest decimal form underflows in strtod.
    EXPECT_EQ(pt_config_get_double(cfg, "heat.tiny", defaults ? 4.9e-324 : 0, 0, 1, &v.tiny),
              PT_OK);
    EXPECT_EQ(pt_config_get_bool(cfg, "heat.on", defaults, &v.on), PT_OK);
    EXPECT_EQ(pt_config_get_choice(cfg, "heat.method", "p2p", halo, &v.m), PT_OK);
    EXPECT_EQ(pt_config_get_doubles(cfg, "io.list", 4, &v.n, v.list), PT_OK);
    EXPECT_EQ(pt_config_get_string(cfg, "io.title", nullptr, &s), PT_OK);
    v.title = s ? s : "";
    EXPECT_EQ(pt_config_get_string(cfg, "io.prefix", defaults ? "out/run" : "", &s), PT_OK);
    v.prefix = s ? s : "";
  };
  Values a{}, b{};
  read(d.cfg, a, true);
  EXPECT_EQ(pt_config_finish(d.cfg), PT_OK) << msg();
  char *r = pt_config_resolved(d.cfg);
  ASSERT_NE(r, nullptr);
  Deck again(r, {}, "resolved.ini");
  EXPECT_EQ(again.err, PT_OK) << msg() << "\n" << r;
  std::free(r);
  ASSERT_NE(again.cfg, nullptr);
  read(again.cfg, b, false);
  EXPECT_EQ(pt_config_finish(again.cfg), PT_OK) << msg();
  EXPECT_EQ(a.nx, b.nx);
  EXPECT_EQ(a.steps, b.steps);
  EXPECT_EQ(b.steps, -123456789);
  // Bitwise equality, not a tolerance: the resolved deck must reproduce the run.
  EXPECT_EQ(std::memcmp(&a.dt, &b.dt, sizeof a.dt), 0);
  EXPECT_EQ(std::memcmp(&a.alpha, &b.alpha, sizeof a.alpha), 0);
  EXPECT_EQ(std::memcmp(&a.third, &b.third, sizeof a.third), 0);
  EXPECT_EQ(std::memcmp(&a.tiny, &b.tiny, sizeof a.tiny), 0);
  EXPECT_EQ(b.third, 1.0 / 3.0);
  EXPECT_EQ(a.on, b.on);
  EXPECT_EQ(b.m, 2);
  EXPECT_EQ(b.n, 3);
  EXPECT_EQ(std::memcmp(a.list, b.list, 3 * sizeof(double)), 0);
  EXPECT_EQ(b.title, "my run");
  EXPECT_EQ(b.prefix, "out/run");
}

// ---------------------------------------------------------------- collective load

// A directory every rank knows by name, made by rank 0. Collective.
std::string shared_tmpdir() {
  char buf[64] = "/tmp/pt_config_test_XXXXXX";
  if (pt_test::rank() == 0) {
    EXPECT_NE(mkdtemp(buf), nullptr);
  }
  MPI_Bcast(buf, sizeof buf, MPI_CHAR, 0, MPI_COMM_WORLD);
  return buf;
}

// Rank 0 writes `path`; every rank waits for it. Collective.
void write_file(const std::string &path, const std::string &text) {
  if (pt_test::rank() == 0) {
    FILE *f = std::fopen(path.c_str(), "wb");
    EXPECT_NE(f, nullptr) << path;
    if (f) {
      EXPECT_EQ(std::fwrite(text.data(), 1, text.size(), f), text.size());
      std::fclose(f);
    }
  }
  MPI_Barrier(MPI_COMM_WORLD);
}

// Rank 0 removes the files and the directory once every rank is done. Collective.
void remove_all(const std::string &dir, const std::vector<std::string> &files) {
  MPI_Barrier(MPI_COMM_WORLD);
  if (pt_test::rank() == 0) {
    for (const auto &f : files) std::remove(f.c_str());
    EXPECT_EQ(rmdir(dir.c_str()), 0) << dir;
  }
}

// All ranks got the same code and message. Collective.
void expect_agreed(int err) {
  int lo = err, hi = err;
  MPI_Allreduce(MPI_IN_PLACE, &lo, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
  MPI_Allreduce(MPI_IN_PLACE, &hi, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  EXPECT_EQ(lo, hi) << "ranks returned different codes";
  if (hi == PT_OK) return;  // messages matter only on failure
  char mine[1024] = {0}, root[1024] = {0};
  std::snprintf(mine, sizeof mine, "%s", pt_error_message());
  std::memcpy(root, mine, sizeof root);
  MPI_Bcast(root, sizeof root, MPI_CHAR, 0, MPI_COMM_WORLD);
  EXPECT_STREQ(mine, root) << "ranks hold different messages";
}

TEST(ConfigLoad, RealFileWithOverrides) {
  std::string dir = shared_tmpdir(), path = dir + "/heat.ini";
  write_file(path, "; deck\n[heat]\nnx = 32\ndt = 2.5e-4\n[halo]\nmethod = neighbor\n");
  const char *sets[] = {"heat.nx=48", "heat.steps=10"};
  pt_config *cfg = nullptr;
  pt_error_clear();
  int err = pt_config_load(MPI_COMM_WORLD, path.c_str(), 2, sets, &cfg);
  expect_agreed(err);
  EXPECT_EQ(err, PT_OK) << msg();
  if (cfg) {
    const char *const halo[] = {"p2p", "neighbor", "rma", nullptr};
    int64_t nx = 0, steps = 0;
    double dt = 0;
    int m = -1;
    EXPECT_EQ(pt_config_get_int(cfg, "heat.nx", 0, 3, 1000, &nx), PT_OK);
    EXPECT_EQ(pt_config_get_int(cfg, "heat.steps", 0, 0, 1000, &steps), PT_OK);
    EXPECT_EQ(pt_config_get_double(cfg, "heat.dt", 0, 0, 1, &dt), PT_OK);
    EXPECT_EQ(pt_config_get_choice(cfg, "halo.method", "p2p", halo, &m), PT_OK);
    EXPECT_EQ(nx, 48);
    EXPECT_EQ(steps, 10);
    EXPECT_EQ(dt, 2.5e-4);
    EXPECT_EQ(m, 1);
    EXPECT_EQ(pt_config_finish(cfg), PT_OK) << msg();
    EXPECT_EQ(pt_config_source(cfg), path);
    int64_t bad;
    EXPECT_EQ(pt_config_get_int(cfg, "heat.dt", 0, 0, 10, &bad), PT_ERR_INPUT);
    EXPECT_EQ(msg(), path + ":4: heat.dt: must be an integer (got '2.5e-4')");
  }
  pt_config_destroy(&cfg);
  EXPECT_EQ(cfg, nullptr);
  remove_all(dir, {path});
}

TEST(ConfigLoad, LargeFile) {
  // About 14 kB: more than one read of the file, and a key list that has to grow.
  std::string dir = shared_tmpdir(), path = dir + "/big.ini", text = "[k]\n";
  for (int i = 0; i < 1000; ++i)
    text += "key" + std::to_string(i) + " = " + std::to_string(i) + "\n";
  write_file(path, text);
  pt_config *cfg = nullptr;
  int err = pt_config_load(MPI_COMM_WORLD, path.c_str(), 0, nullptr, &cfg);
  expect_agreed(err);
  EXPECT_EQ(err, PT_OK) << msg();
  if (cfg) {
    int64_t sum = 0;
    for (int i = 0; i < 1000; ++i) {
      int64_t v = 0;
      std::string key = "k.key" + std::to_string(i);
      EXPECT_EQ(pt_config_get_int(cfg, key.c_str(), -1, 0, 1000, &v), PT_OK);
      sum += v;
    }
    EXPECT_EQ(sum, 999 * 1000 / 2);
    EXPECT_EQ(pt_config_finish(cfg), PT_OK) << msg();
  }
  pt_config_destroy(&cfg);
  remove_all(dir, {path});
}

// An empty deck file (or one with comments only) is a truncated copy or the wrong file:
// an input error, not a run on defaults (issue 9's bad-input matrix). No file at all,
// with overrides only, is fine.
TEST(ConfigLoad, EmptyFileIsAnErrorNoFileIsNot) {
  std::string dir = shared_tmpdir(), path = dir + "/empty.ini";
  pt_config *cfg = nullptr;
  for (const char *text : {"", "; only a comment\n\n[grid]\n"}) {
    write_file(path, text);
    int err = pt_config_load(MPI_COMM_WORLD, path.c_str(), 0, nullptr, &cfg);
    expect_agreed(err);
    EXPECT_EQ(err, PT_ERR_INPUT);
    EXPECT_EQ(msg(), path + ": empty input deck (no key = value lines)");
    EXPECT_EQ(cfg, nullptr);
  }

  const char *sets[] = {"heat.nx=5"};
  int err = pt_config_load(MPI_COMM_WORLD, nullptr, 1, sets, &cfg);
  expect_agreed(err);
  EXPECT_EQ(err, PT_OK) << msg();
  if (cfg) {
    int64_t v = 0;
    EXPECT_EQ(pt_config_get_int(cfg, "heat.nx", 0, 0, 10, &v), PT_OK);
    EXPECT_EQ(v, 5);
    EXPECT_STREQ(pt_config_source(cfg), "--set");
  }
  pt_config_destroy(&cfg);
  remove_all(dir, {path});
}

TEST(ConfigLoad, MissingFile) {
  pt_config *cfg = reinterpret_cast<pt_config *>(&cfg);  // must be reset to NULL
  pt_error_clear();
  int err = pt_config_load(MPI_COMM_WORLD, "/nonexistent/x.ini", 0, nullptr, &cfg);
  expect_agreed(err);
  EXPECT_EQ(err, PT_ERR_INPUT);
  EXPECT_EQ(cfg, nullptr);
  EXPECT_EQ(msg(), "cannot open '/nonexistent/x.ini': No such file or directory");
}

TEST(ConfigLoad, DirectoryAsFile) {
  std::string dir = shared_tmpdir();
  pt_config *cfg = nullptr;
  int err = pt_config_load(MPI_COMM_WORLD, dir.c_str(), 0, nullptr, &cfg);
  expect_agreed(err);
  EXPECT_EQ(err, PT_ERR_INPUT);
  EXPECT_EQ(cfg, nullptr);
  EXPECT_EQ(msg(), "cannot open '" + dir + "': Is a directory");
  remove_all(dir, {});
}

TEST(ConfigLoad, UnreadableFile) {
  // root reads any file: the check needs an ordinary user. Rank 0 decides for all.
  int root = geteuid() == 0;
  MPI_Bcast(&root, 1, MPI_INT, 0, MPI_COMM_WORLD);
  if (root) GTEST_SKIP() << "running as root";
  std::string dir = shared_tmpdir(), path = dir + "/secret.ini";
  write_file(path, "[heat]\nnx = 1\n");
  if (pt_test::rank() == 0) {
    EXPECT_EQ(chmod(path.c_str(), 0), 0);
  }
  pt_config *cfg = nullptr;
  int err = pt_config_load(MPI_COMM_WORLD, path.c_str(), 0, nullptr, &cfg);
  expect_agreed(err);
  EXPECT_EQ(err, PT_ERR_INPUT);
  EXPECT_EQ(msg(), "cannot open '" + path + "': Permission denied");
  remove_all(dir, {path});
}

TEST(ConfigLoad, ParseErrorsAreAgreed) {
  std::string dir = shared_tmpdir(), bad = dir + "/bad.ini", nul = dir + "/nul.ini";
  write_file(bad, "[heat]\nnx = 1\nnx = 2\n");
  write_file(nul, std::string("[heat]\nnx = 1\0\n", 15));
  pt_config *cfg = nullptr;
  int err = pt_config_load(MPI_COMM_WORLD, bad.c_str(), 0, nullptr, &cfg);
  expect_agreed(err);
  EXPECT_EQ(err, PT_ERR_INPUT);
  EXPECT_EQ(cfg, nullptr);
  EXPECT_EQ(msg(), bad + ":3: heat.nx: given twice (first at line 2)");
  err = pt_config_load(MPI_COMM_WORLD, nul.c_str(), 0, nullptr, &cfg);
  expect_agreed(err);
  EXPECT_EQ(err, PT_ERR_INPUT);
  EXPECT_EQ(msg(), nul + ":2: contains a NUL byte (not a text file?)");
  remove_all(dir, {bad, nul});
}

TEST(ConfigLoad, OneRankFailingFailsAll) {
  // Overrides differ only on the last rank, which then rejects one: every rank must
  // return its error, or the ranks would part ways.
  const char *good[] = {"heat.nx=1"}, *bad[] = {"oops"};
  bool last = pt_test::rank() == pt_test::size() - 1;
  pt_config *cfg = nullptr;
  int err = pt_config_load(MPI_COMM_WORLD, nullptr, 1, last ? bad : good, &cfg);
  expect_agreed(err);
  EXPECT_EQ(err, PT_ERR_INPUT);
  EXPECT_EQ(cfg, nullptr);
  EXPECT_EQ(msg(), "--set oops: expected section.key=value");
}

}  // namespace

// ---------------------------------------------------------------- --help-keys

// The key table comes from the getters' own arguments: type, default, range or choices,
// the value this run uses, and a describe() override; pt_config_has alone adds no row.
TEST(ConfigKeys, TableFromTheGetters) {
  const char *const halo[] = {"p2p", "neighbor", nullptr};
  Deck d("[grid]\nnx = 12\n[time]\ndt = 10\n");
  ASSERT_EQ(d.err, PT_OK);
  int64_t nx, nz;
  double dt, len;
  int m;
  EXPECT_EQ(pt_config_get_int(d.cfg, "grid.nx", 64, 3, INT64_C(1) << 40, &nx), PT_OK);
  EXPECT_EQ(pt_config_get_int(d.cfg, "grid.nz", 64, 1, 9, &nz), PT_OK);
  EXPECT_EQ(pt_config_unused(d.cfg, "grid.nz"), PT_OK);
  EXPECT_EQ(pt_config_get_double(d.cfg, "time.dt", 0.5, 0, 1e9, &dt), PT_OK);
  EXPECT_EQ(pt_config_get_double(d.cfg, "grid.lx", 1, -1e308, 1e308, &len), PT_OK);
  EXPECT_EQ(pt_config_describe(d.cfg, "grid.lx", "> 0"), PT_OK);
  EXPECT_EQ(pt_config_get_choice(d.cfg, "run.halo", "p2p", halo, &m), PT_OK);
  EXPECT_EQ(pt_config_has(d.cfg, "run.only_tested"), 0);
  char buf[4096] = "";
  FILE *f = fmemopen(buf, sizeof buf, "w");
  pt_config_print_keys(d.cfg, f);
  fclose(f);
  const std::string out(buf);
  EXPECT_NE(out.find("grid.nx                        int     64             3 to 2^40"), std::string::npos) << out;
  EXPECT_NE(out.find(" 12\n"), std::string::npos) << out;
  EXPECT_NE(out.find("grid.nz                        int     64             1 to 9"), std::string::npos) << out;
  EXPECT_NE(out.find("(not used)"), std::string::npos) << out;
  EXPECT_NE(out.find("time.dt                        number  0.5            0 to 1000000000                    10\n"),
            std::string::npos) << out;
  EXPECT_NE(out.find("> 0"), std::string::npos) << out;
  EXPECT_NE(out.find("run.halo                       choice  p2p            p2p, neighbor"), std::string::npos) << out;
  EXPECT_EQ(out.find("only_tested"), std::string::npos) << out;
}
