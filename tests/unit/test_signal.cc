// pt_signal: a signal seen by one rank, or one rank's spent wall time, becomes a stop
// that every rank agrees on in the same call.
#include "pt_error.h"
#include "pt_signal.h"
#include "pt_test.h"

#include <csignal>

namespace {
int stop_now(double max_walltime, double start) {
  int stop = -99;
  EXPECT_EQ(pt_signal_should_stop(MPI_COMM_WORLD, max_walltime, start, &stop), PT_OK);
  return stop;
}
}  // namespace

TEST(Signal, NoSignalNoStop) {
  ASSERT_EQ(pt_signal_install(), PT_OK);
  pt_signal_reset();
  EXPECT_EQ(stop_now(0, MPI_Wtime()), 0);
  EXPECT_EQ(stop_now(3600, MPI_Wtime()), 0);
}

TEST(Signal, SignalOnLastRankStopsEveryRank) {
  ASSERT_EQ(pt_signal_install(), PT_OK);
  pt_signal_reset();
  if (pt_test::rank() == pt_test::size() - 1) std::raise(SIGUSR1);
  EXPECT_EQ(stop_now(0, MPI_Wtime()), SIGUSR1);
  EXPECT_STREQ(pt_signal_describe(SIGUSR1), "SIGUSR1");
  pt_signal_reset();
  EXPECT_EQ(stop_now(0, MPI_Wtime()), 0);
}

TEST(Signal, SigtermWinsOverSigusr1) {
  ASSERT_EQ(pt_signal_install(), PT_OK);
  pt_signal_reset();
  std::raise(pt_test::rank() == 0 ? SIGUSR1 : SIGTERM);
  EXPECT_EQ(stop_now(0, MPI_Wtime()), pt_test::size() > 1 ? SIGTERM : SIGUSR1);
  pt_signal_reset();
}

TEST(Signal, WalltimeOnOneRankStopsEveryRank) {
  pt_signal_reset();
  // Rank 0 pretends to have started an hour ago; the others just now.
  double start = MPI_Wtime() - (pt_test::rank() == 0 ? 3600.0 : 0.0);
  EXPECT_EQ(stop_now(60, start), PT_STOP_WALLTIME);
  EXPECT_STREQ(pt_signal_describe(PT_STOP_WALLTIME), "the wall-time limit");
  EXPECT_EQ(stop_now(0, start), 0) << "0 means no limit";
}
