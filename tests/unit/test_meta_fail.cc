// A suite that must fail: it proves the harness reports a failure seen on one rank only
// and does not hang when that rank skips a collective. Run by
// tests/apps/harness-rank-failure.sh, never directly in TESTS.
#include "pt_test.h"

#include <cstdlib>

TEST(MetaFail, NonFatalOnRankOneIsReportedWithRank) {
  // Non-fatal: rank 1 goes on and joins the collective below.
  if (pt_test::rank() == 1) {
    EXPECT_EQ(1, 2) << "deliberate non-fatal failure";
  }
  int one = 1, sum = 0;
  MPI_Allreduce(&one, &sum, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
  EXPECT_EQ(sum, pt_test::size());
}

TEST(MetaFail, FatalOnRankOneBeforeCollectiveDoesNotHang) {
  if (std::getenv("PT_META_SKIP_FATAL")) GTEST_SKIP();
  // Fatal: rank 1 leaves the test before the collective the others wait in.
  if (pt_test::rank() == 1) {
    ASSERT_EQ(1, 2) << "deliberate fatal failure";
  }
  MPI_Barrier(MPI_COMM_WORLD);
}
