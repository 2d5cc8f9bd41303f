// pt_error: message formatting, exit-code mapping and collective agreement.
#include "pt_test.h"

#include <cstring>
#include <string>

#include "pt_error.h"

TEST(Error, InputMessagesCarryNoRankPrefix) {
  EXPECT_EQ(PT_ERR_INPUT, PT_ERROR(PT_ERR_INPUT, "deck.ini:12: heat.nx: must be >= %d (got %d)", 3, 0));
  EXPECT_STREQ("deck.ini:12: heat.nx: must be >= 3 (got 0)", pt_error_message());
  pt_error_clear();
  EXPECT_STREQ("", pt_error_message());
}

TEST(Error, InternalMessagesNameRankFileAndLine) {
  int line = __LINE__ + 1;
  PT_ERROR(PT_ERR_IO, "disk on fire");
  std::string want = "[rank " + std::to_string(pt_test::rank()) + "] test_error.cc:" +
                     std::to_string(line) + ": disk on fire";
  EXPECT_EQ(want, pt_error_message());
}

TEST(Error, MessagesStayOnOneLine) {
  PT_ERROR(PT_ERR_INPUT, "two\nlines\r");
  EXPECT_STREQ("two lines ", pt_error_message());
}

TEST(Error, ExitCodes) {
  EXPECT_EQ(0, pt_error_exit_code(PT_OK));
  EXPECT_EQ(0, pt_error_exit_code(PT_EXIT));
  EXPECT_EQ(1, pt_error_exit_code(PT_ERR_INPUT));
  EXPECT_EQ(2, pt_error_exit_code(PT_ERR_RUNTIME));
  EXPECT_EQ(2, pt_error_exit_code(PT_ERR_MPI));
  EXPECT_EQ(2, pt_error_exit_code(PT_ERR_IO));
  EXPECT_EQ(2, pt_error_exit_code(PT_ERR_NOMEM));
  EXPECT_EQ(3, pt_error_exit_code(PT_STOP));
}

static int failing_mpi_call(MPI_Comm c) {
  int x = 0;
  PT_MPI(MPI_Send(&x, 1, MPI_INT, 5, 0, c));
  return PT_OK;
}

// PT_MPI returns, PT_MPI_CHECK is the same check as an expression: both name the call
// and the line; a call that succeeds records nothing.
TEST(Error, MpiFailuresAreReportedWithTheCallName) {
  // Sending to a rank that does not exist fails under MPI_ERRORS_RETURN.
  MPI_Comm c;
  ASSERT_EQ(MPI_SUCCESS, MPI_Comm_dup(MPI_COMM_SELF, &c));
  ASSERT_EQ(MPI_SUCCESS, MPI_Comm_set_errhandler(c, MPI_ERRORS_RETURN));
  EXPECT_EQ(PT_ERR_MPI, failing_mpi_call(c));
  EXPECT_NE(nullptr, std::strstr(pt_error_message(), "MPI_Send failed: ")) << pt_error_message();
  int x = 0, line = __LINE__ + 1;
  EXPECT_EQ(PT_ERR_MPI, PT_MPI_CHECK(MPI_Send(&x, 1, MPI_INT, 5, 0, c)));
  std::string want = "test_error.cc:" + std::to_string(line) + ": MPI_Send failed: ";
  EXPECT_NE(nullptr, std::strstr(pt_error_message(), want.c_str())) << pt_error_message();
  pt_error_clear();
  EXPECT_EQ(PT_OK, PT_MPI_CHECK(MPI_Barrier(c)));
  EXPECT_STREQ("", pt_error_message());
  MPI_Comm_free(&c);
}

TEST(Error, AgreeWithoutFailureReturnsOk) {
  pt_error_clear();
  EXPECT_EQ(PT_OK, pt_agree(MPI_COMM_WORLD, PT_OK));
}

TEST(Error, AgreeSpreadsTheLowestFailingRanksMessage) {
  int r = pt_test::rank(), n = pt_test::size();
  // Every odd rank fails with its own message; the lowest failing rank speaks for all.
  int err = PT_OK;
  if (r % 2 == 1) err = PT_ERROR(PT_ERR_INPUT, "rank %d says no", r);
  int agreed = pt_agree(MPI_COMM_WORLD, err);
  if (n == 1) {
    EXPECT_EQ(PT_OK, agreed);
  } else {
    EXPECT_EQ(PT_ERR_INPUT, agreed);
    EXPECT_STREQ("rank 1 says no", pt_error_message());
  }
}

TEST(Error, AgreeCarriesTheFailingRanksCode) {
  int n = pt_test::size();
  int err = pt_test::rank() == n - 1 ? PT_ERROR(PT_ERR_IO, "last rank failed") : PT_OK;
  EXPECT_EQ(PT_ERR_IO, pt_agree(MPI_COMM_WORLD, err));
  EXPECT_NE(nullptr, std::strstr(pt_error_message(), "last rank failed"));
}
