// pt_cli: the command line shared by every app. Parsing is not collective; only the
// --help/--version output depends on the rank (rank 0 prints, the others stay quiet).
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "pt_test.h"

#include <initializer_list>
#include <string>
#include <vector>

#include "pt_cli.h"
#include "pt_error.h"
#include "pt_log.h"

namespace {

// An argv that outlives the pt_cli pointing into it.
struct Args {
  std::vector<std::string> s;
  std::vector<char *> p;
  Args(std::initializer_list<const char *> a) : Args(std::vector<const char *>(a)) {}
  explicit Args(const std::vector<const char *> &a) : s(a.begin(), a.end()) {
    for (auto &x : s) p.push_back(&x[0]);
    p.push_back(nullptr);
  }
  int argc() const { return (int)s.size(); }
  char **argv() { return p.data(); }
};

// Parses `a`; returns the code, leaves the result in `cli`.
int parse(pt_cli &cli, Args &a, int passthrough = 0) {
  pt_error_clear();
  return pt_cli_parse(&cli, a.argc(), a.argv(), "partita-heat", "Solves the heat equation.",
                      passthrough);
}

// The error message of parsing `a` ("" if it parsed).
std::string error_of(Args a, int passthrough = 0) {
  pt_cli cli;
  int err = parse(cli, a, passthrough);
  pt_cli_free(&cli);
  if (err == PT_OK) return "";
  EXPECT_EQ(err, PT_ERR_INPUT);
  return pt_error_message();
}

TEST(Cli, Defaults) {
  Args a{"partita-heat"};
  pt_cli cli;
  ASSERT_EQ(parse(cli, a), PT_OK);
  EXPECT_STREQ(cli.prog, "partita-heat");
  EXPECT_EQ(cli.input, nullptr);
  EXPECT_EQ(cli.nset, 0);
  EXPECT_STREQ(cli.output_dir, ".");
  EXPECT_EQ(cli.report, nullptr);
  EXPECT_EQ(cli.restart, nullptr);
  EXPECT_EQ(cli.max_walltime, 0.0);
  EXPECT_EQ(cli.verbosity, PT_LOG_INFO);
  ASSERT_EQ(cli.npass, 1);
  EXPECT_STREQ(cli.pass[0], "partita-heat");
  EXPECT_EQ(cli.pass[1], nullptr);
  pt_cli_free(&cli);
  EXPECT_EQ(cli.sets, nullptr);
  EXPECT_EQ(cli.pass, nullptr);
  pt_cli_free(&cli);  // a second free is harmless
}

TEST(Cli, EveryOption) {
  Args a{"partita-heat", "--set", "heat.nx=64", "input/heat2d.ini", "--set=heat.dt=1e-4",
         "--output", "out", "--report", "r.json", "--restart", "latest",
         "--max-walltime", "3600", "-v"};
  pt_cli cli;
  ASSERT_EQ(parse(cli, a), PT_OK) << pt_error_message();
  EXPECT_STREQ(cli.input, "input/heat2d.ini");
  ASSERT_EQ(cli.nset, 2);
  EXPECT_STREQ(cli.sets[0], "heat.nx=64");
  EXPECT_STREQ(cli.sets[1], "heat.dt=1e-4");
  EXPECT_STREQ(cli.output_dir, "out");
  EXPECT_STREQ(cli.report, "r.json");
  EXPECT_STREQ(cli.restart, "latest");
  EXPECT_EQ(cli.max_walltime, 3600.0);
  EXPECT_EQ(cli.verbosity, PT_LOG_DEBUG);
  EXPECT_EQ(cli.npass, 1);
  pt_cli_free(&cli);
}

TEST(Cli, EqualsFormForEveryValueOption) {
  Args a{"p", "--output=o", "--report=r.json", "--restart=ck.h5", "--max-walltime=1.5",
         "--set=a.b=c=d"};
  pt_cli cli;
  ASSERT_EQ(parse(cli, a), PT_OK) << pt_error_message();
  EXPECT_STREQ(cli.output_dir, "o");
  EXPECT_STREQ(cli.report, "r.json");
  EXPECT_STREQ(cli.restart, "ck.h5");
  EXPECT_EQ(cli.max_walltime, 1.5);
  ASSERT_EQ(cli.nset, 1);
  EXPECT_STREQ(cli.sets[0], "a.b=c=d");
  pt_cli_free(&cli);
}

TEST(Cli, Verbosity) {
  const struct {
    std::vector<const char *> args;
    int level;
  } cases[] = {{{"p", "-v"}, PT_LOG_DEBUG},
               {{"p", "--verbose"}, PT_LOG_DEBUG},
               {{"p", "-q"}, PT_LOG_QUIET},
               {{"p", "--quiet"}, PT_LOG_QUIET},
               {{"p", "-q", "-v"}, PT_LOG_DEBUG},  // the last one wins
               {{"p", "--verbose", "--quiet"}, PT_LOG_QUIET}};
  for (const auto &c : cases) {
    Args a(c.args);
    pt_cli cli;
    EXPECT_EQ(parse(cli, a), PT_OK);
    EXPECT_EQ(cli.verbosity, c.level) << a.s.back();
    pt_cli_free(&cli);
  }
}

TEST(Cli, MissingValues) {
  EXPECT_EQ(error_of({"p", "--set"}), "--set: missing value");
  EXPECT_EQ(error_of({"p", "--output"}), "--output: missing value");
  EXPECT_EQ(error_of({"p", "--report"}), "--report: missing value");
  EXPECT_EQ(error_of({"p", "--restart"}), "--restart: missing value");
  EXPECT_EQ(error_of({"p", "--max-walltime"}), "--max-walltime: missing value");
  EXPECT_EQ(error_of({"p", "--output="}), "--output: missing value");
  EXPECT_EQ(error_of({"p", "--set="}), "--set: missing value");
}

TEST(Cli, MaxWalltime) {
  EXPECT_EQ(error_of({"p", "--max-walltime", "0"}), "");
  EXPECT_EQ(error_of({"p", "--max-walltime", "-5"}),
            "--max-walltime: must be a number of seconds >= 0 (got '-5')");
  EXPECT_EQ(error_of({"p", "--max-walltime", "abc"}),
            "--max-walltime: must be a number of seconds >= 0 (got 'abc')");
  EXPECT_EQ(error_of({"p", "--max-walltime=10s"}),
            "--max-walltime: must be a number of seconds >= 0 (got '10s')");
  EXPECT_EQ(error_of({"p", "--max-walltime", "inf"}),
            "--max-walltime: must be a number of seconds >= 0 (got 'inf')");
  EXPECT_EQ(error_of({"p", "--max-walltime", "nan"}),
            "--max-walltime: must be a number of seconds >= 0 (got 'nan')");
}

TEST(Cli, Positionals) {
  EXPECT_EQ(error_of({"p", "a.ini", "b.ini"}), "unexpected argument 'b.ini'");
  // "-" is an argument, and after "--" everything is, even what looks like an option.
  Args a{"p", "--", "-deck.ini"};
  pt_cli cli;
  EXPECT_EQ(parse(cli, a), PT_OK);
  EXPECT_STREQ(cli.input, "-deck.ini");
  pt_cli_free(&cli);
  Args b{"p", "-"};
  EXPECT_EQ(parse(cli, b), PT_OK);
  EXPECT_STREQ(cli.input, "-");
  pt_cli_free(&cli);
}

TEST(Cli, UnknownOptions) {
  EXPECT_EQ(error_of({"p", "--foo"}), "unknown option '--foo' (see --help)");
  EXPECT_EQ(error_of({"p", "--foo=1"}), "unknown option '--foo' (see --help)");
  EXPECT_EQ(error_of({"p", "--outputs", "x"}), "unknown option '--outputs' (see --help)");
  EXPECT_EQ(error_of({"p", "-ksp_type", "cg"}), "unknown option '-ksp_type' (see --help)");
  EXPECT_EQ(error_of({"p", "-x"}), "unknown option '-x' (see --help)");
  // Pass-through takes single-dash options only.
  EXPECT_EQ(error_of({"p", "--foo"}, 1), "unknown option '--foo' (see --help)");
}

TEST(Cli, Passthrough) {
  Args a{"partita-heat", "deck.ini", "-ksp_type", "cg", "-ksp_monitor", "--set", "a.b=1",
         "-pc_type", "jacobi", "-log_view"};
  pt_cli cli;
  ASSERT_EQ(parse(cli, a, 1), PT_OK) << pt_error_message();
  EXPECT_STREQ(cli.input, "deck.ini");
  ASSERT_EQ(cli.nset, 1);
  EXPECT_STREQ(cli.sets[0], "a.b=1");
  const char *want[] = {"partita-heat", "-ksp_type", "cg", "-ksp_monitor", "-pc_type",
                        "jacobi", "-log_view"};
  ASSERT_EQ(cli.npass, 7);
  for (int i = 0; i < 7; ++i) EXPECT_STREQ(cli.pass[i], want[i]) << i;
  EXPECT_EQ(cli.pass[7], nullptr);
  pt_cli_free(&cli);
}

// What rank 0 printed to stdout, and what any other rank printed (must be nothing).
std::string captured_run(Args a, int passthrough, int *err) {
  pt_cli cli;
  testing::internal::CaptureStdout();
  *err = parse(cli, a, passthrough);
  std::string out = testing::internal::GetCapturedStdout();
  pt_cli_free(&cli);
  return out;
}

TEST(Cli, Help) {
  for (const char *opt : {"--help", "-h"}) {
    int err = -1;
    std::string out = captured_run({"partita-heat", "deck.ini", opt, "--foo"}, 0, &err);
    EXPECT_EQ(err, PT_EXIT) << opt;
    if (pt_test::rank() != 0) {
      EXPECT_EQ(out, "") << "only rank 0 prints";
      continue;
    }
    EXPECT_EQ(out.rfind("usage: partita-heat [INPUT] [options]\n", 0), 0u) << out;
    for (const char *s : {"Solves the heat equation.", "INPUT", "--set SECTION.KEY=VALUE",
                          "--output DIR", "--report FILE", "--restart FILE|latest",
                          "--max-walltime SECONDS", "-v, --verbose", "-q, --quiet",
                          "-h, --help", "--version", "exit codes", "0  success",
                          "1  bad input", "2  runtime failure", "3  stopped early"})
      EXPECT_NE(out.find(s), std::string::npos) << "missing " << s;
    EXPECT_EQ(out.find("-NAME"), std::string::npos) << "no pass-through without it";
  }
  int err = -1;
  std::string out = captured_run({"partita-heat", "--help"}, 1, &err);
  EXPECT_EQ(err, PT_EXIT);
  if (pt_test::rank() == 0) {
    EXPECT_NE(out.find("-NAME [VALUE]"), std::string::npos);
  }
}

TEST(Cli, Version) {
  int err = -1;
  std::string out = captured_run({"partita-heat", "--version"}, 0, &err);
  EXPECT_EQ(err, PT_EXIT);
  if (pt_test::rank() != 0) {
    EXPECT_EQ(out, "");
    return;
  }
  // The first line names the program and version; then the build: revision, options,
  // MPI, HDF5, CUDA.
  EXPECT_EQ(out.rfind("partita-heat (Partita " PACKAGE_VERSION ")\n", 0), 0u) << out;
  for (const char *want : {"\n  git revision: ", "\n  configured with: ", "\n  MPI ", "\n  HDF5 ", "CUDA"})
    EXPECT_NE(out.find(want), std::string::npos) << "--version lacks '" << want << "':\n" << out;
}

TEST(Cli, ErrorLeavesNothingToFree) {
  Args a{"p", "--set", "a.b=1", "--bogus"};
  pt_cli cli;
  EXPECT_EQ(parse(cli, a), PT_ERR_INPUT);
  EXPECT_EQ(cli.sets, nullptr);
  EXPECT_EQ(cli.pass, nullptr);
  EXPECT_EQ(cli.nset, 0);
  pt_cli_free(&cli);
}

// An --output directory too long for a path is one short error in the real run and in
// --dry-run's check, not a truncated directory (the check used to pass).
TEST(Cli, TooLongOutputDirectoryIsOneShortError) {
  const std::string dir = "/tmp/" + std::string(5000, 'o');
  Args a{"partita-heat", "--output", dir.c_str()};
  pt_cli cli;
  ASSERT_EQ(parse(cli, a), PT_OK);
  const std::string want = "--output: path too long (5005 characters, at most 4095): /tmp/ooo";
  EXPECT_EQ(pt_cli_prepare_output(&cli, MPI_COMM_WORLD), PT_ERR_INPUT);
  std::string msg = pt_error_message();
  EXPECT_EQ(msg.find(want), 0u) << msg;
  EXPECT_LT(msg.size(), 120u) << msg;
  double free_bytes = 0;
  int exists = 0;
  EXPECT_EQ(pt_cli_check_space(&cli, MPI_COMM_WORLD, 1.0, &free_bytes, &exists), PT_ERR_INPUT);
  EXPECT_EQ(std::string(pt_error_message()).find(want), 0u) << pt_error_message();
  pt_cli_free(&cli);
}

// pt_cli_end: every rank gets the lowest failing rank's code, rank 0 alone prints that
// rank's message once, and the non-errors (OK, --help's exit, a requested stop) print
// nothing.
TEST(Cli, EndAgreesAndReportsOnce) {
  const int last = pt_test::size() - 1;
  for (int code : {(int)PT_OK, (int)PT_EXIT, (int)PT_STOP, (int)PT_ERR_INPUT, (int)PT_ERR_RUNTIME}) {
    pt_error_clear();
    int mine = pt_test::rank() == last && code != PT_OK
                   ? pt_error_set(code, "deck.ini", 7, "bad thing on rank %d", last)
                   : PT_OK;
    testing::internal::CaptureStderr();
    int err = pt_cli_end(MPI_COMM_WORLD, "partita-heat", mine);
    std::string out = testing::internal::GetCapturedStderr();
    EXPECT_EQ(err, code);
    bool prints = code != PT_OK && code != PT_EXIT && code != PT_STOP && pt_test::rank() == 0;
    if (prints) {
      EXPECT_EQ(out.find("partita-heat: "), 0u) << out;
      EXPECT_NE(out.find("bad thing on rank " + std::to_string(last)), std::string::npos) << out;
      EXPECT_EQ(out.find('\n'), out.size() - 1) << "one line: " << out;
    } else {
      EXPECT_EQ(out, "") << "code " << code;
    }
  }
  pt_error_clear();
}

}  // namespace
