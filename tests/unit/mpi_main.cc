// The one MPI-aware main of every unit suite.
//  - Only rank 0 prints GoogleTest's progress.
//  - A non-fatal failure (EXPECT_*) on any rank is gathered at the end of its test and
//    re-raised on rank 0 with the rank number, so rank 0's verdict covers every rank.
//  - A fatal failure (ASSERT_*) leaves the test body early on that rank only: the other
//    ranks may be waiting in a collective it will never join, so the rank prints the
//    failure with its rank number and aborts the whole job. Nothing can hang.
//  - The exit code is agreed across ranks.
#include <gtest/gtest.h>
#include <mpi.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace {

int g_rank = 0, g_size = 1;

std::string describe(const testing::TestPartResult &r) {
  std::string s = "[rank " + std::to_string(g_rank) + "] ";
  s += r.file_name() ? r.file_name() : "?";
  s += ":" + std::to_string(r.line_number()) + ": ";
  s += r.message();
  return s;
}

class RankListener : public testing::EmptyTestEventListener {
 public:
  void OnTestStart(const testing::TestInfo &) override { failures_.clear(); }

  void OnTestPartResult(const testing::TestPartResult &r) override {
    if (gathering_ || !r.failed()) return;
    if (r.fatally_failed()) {
      std::fprintf(stderr, "%s\n[rank %d] fatal assertion failed: aborting all ranks\n",
                   describe(r).c_str(), g_rank);
      std::fflush(stderr);
      MPI_Abort(MPI_COMM_WORLD, 1);
    }
    failures_ += describe(r) + "\n";
  }

  // Called before the result printer's OnTestEnd (end events run in reverse order), and
  // while the test is still current, so failures added here count for this test.
  void OnTestEnd(const testing::TestInfo &) override {
    int len = (int)failures_.size();
    std::vector<int> lens(g_size), displs(g_size);
    MPI_Gather(&len, 1, MPI_INT, lens.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
    int total = 0;
    for (int i = 0; i < g_size; ++i) { displs[i] = total; total += lens[i]; }
    std::vector<char> all(total + 1, '\0');
    MPI_Gatherv(failures_.data(), len, MPI_CHAR, all.data(), lens.data(), displs.data(),
                MPI_CHAR, 0, MPI_COMM_WORLD);
    if (g_rank == 0) {
      gathering_ = true;
      for (int i = 1; i < g_size; ++i)
        if (lens[i] > 0)
          ADD_FAILURE() << "failure(s) on rank " << i << ":\n"
                        << std::string(all.data() + displs[i], lens[i]);
      gathering_ = false;
    }
  }

 private:
  std::string failures_;
  bool gathering_ = false;
};

}  // namespace

int main(int argc, char **argv) {
  int provided;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
  MPI_Comm_rank(MPI_COMM_WORLD, &g_rank);
  MPI_Comm_size(MPI_COMM_WORLD, &g_size);
  testing::InitGoogleTest(&argc, argv);
  testing::TestEventListeners &ls = testing::UnitTest::GetInstance()->listeners();
  if (g_rank != 0) delete ls.Release(ls.default_result_printer());
  ls.Append(new RankListener);
  int local = RUN_ALL_TESTS();
  int global = 0;
  MPI_Allreduce(&local, &global, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  if (g_rank == 0)
    std::printf("%s on %d rank(s)\n", global ? "FAILED" : "PASSED", g_size);
  MPI_Finalize();
  return global ? 1 : 0;
}
