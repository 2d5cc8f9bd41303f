// pt_log: only rank 0 prints, verbosity filters, warnings go to stderr, and the progress
// line is throttled but always printed at the last step.
#include "pt_test.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "pt_log.h"
#include "pt_progress.h"

// Captures what this rank writes to file descriptor `fd` (1 or 2) while fn runs.
template <class F> static std::string capture(int fd, F fn) {
  char path[] = "/tmp/pt-log-XXXXXX";
  int tmp = mkstemp(path);
  std::fflush(stdout);
  std::fflush(stderr);
  int saved = dup(fd);
  dup2(tmp, fd);
  fn();
  std::fflush(stdout);
  std::fflush(stderr);
  dup2(saved, fd);
  close(saved);
  close(tmp);
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::remove(path);
  return ss.str();
}

TEST(Log, OnlyRankZeroPrintsAndVerbosityFilters) {
  pt_log_init(MPI_COMM_WORLD, PT_LOG_INFO);
  EXPECT_EQ(PT_LOG_INFO, pt_log_verbosity());
  std::string out = capture(1, [] {
    pt_log(PT_LOG_INFO, "hello %d", 5);
    pt_log(PT_LOG_DEBUG, "hidden at info level");
  });
  EXPECT_EQ(pt_test::rank() == 0 ? "hello 5\n" : "", out);
  pt_log_init(MPI_COMM_WORLD, PT_LOG_QUIET);
  out = capture(1, [] { pt_log(PT_LOG_INFO, "quiet"); });
  EXPECT_EQ("", out);
  pt_log_init(MPI_COMM_WORLD, PT_LOG_INFO);
}

TEST(Log, WarningsGoToStderrOnRankZero) {
  pt_log_init(MPI_COMM_WORLD, PT_LOG_QUIET);  // warnings are shown even when quiet
  std::string err = capture(2, [] { pt_log_warn("disk %s full", "almost"); });
  EXPECT_EQ(pt_test::rank() == 0 ? "warning: disk almost full\n" : "", err);
  pt_log_init(MPI_COMM_WORLD, PT_LOG_INFO);
}

TEST(Log, ProgressIsThrottledButShowsTheLastStep) {
  pt_log_init(MPI_COMM_WORLD, PT_LOG_INFO);
  pt_progress p;
  std::string out = capture(1, [&] {
    pt_progress_start(&p, 0, 10, 1e9);  // an interval no test outlives
    for (int s = 1; s < 10; ++s) pt_progress_update(&p, s, 0.1 * s);
  });
  EXPECT_EQ("", out);
  out = capture(1, [&] { pt_progress_update(&p, 10, 1.0); });
  if (pt_test::rank() == 0) {
    EXPECT_EQ(0u, out.find("step 10/10  100%  t=1  elapsed ")) << out;
    EXPECT_NE(std::string::npos, out.find("ETA 0.0 s")) << out;
  } else {
    EXPECT_EQ("", out);
  }
}
