// pt_timer: phase registration, accumulation, cross-rank statistics, JSON report.
#include "pt_test.h"

#include <cjson/cJSON.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>

#include "pt_error.h"
#include "pt_report.h"
#include "pt_timer.h"

static void spin(double seconds) {
  double t0 = MPI_Wtime();
  while (MPI_Wtime() - t0 < seconds) {
  }
}

TEST(Timer, AddIsIdempotentPerName) {
  pt_timers *t;
  ASSERT_EQ(PT_OK, pt_timers_create(&t));
  EXPECT_EQ(0, pt_timers_add(t, "compute"));
  EXPECT_EQ(1, pt_timers_add(t, "halo"));
  EXPECT_EQ(0, pt_timers_add(t, "compute"));
  EXPECT_EQ(2, pt_timers_count(t));
  pt_timers_destroy(&t);
  EXPECT_EQ(nullptr, t);
}

TEST(Timer, AccumulatesOverCalls) {
  pt_timers *t;
  ASSERT_EQ(PT_OK, pt_timers_create(&t));
  int id = pt_timers_add(t, "work");
  for (int i = 0; i < 3; ++i) {
    pt_timers_start(t, id);
    spin(0.01);
    pt_timers_stop(t, id);
  }
  EXPECT_GE(pt_timers_elapsed(t, id), 0.03);
  EXPECT_LT(pt_timers_elapsed(t, id), 10.0);  // generous: a loaded host only adds time
  pt_timers_destroy(&t);
}

TEST(Timer, ReduceGivesMinAvgMaxAndImbalance) {
  pt_timers *t;
  ASSERT_EQ(PT_OK, pt_timers_create(&t));
  int id = pt_timers_add(t, "uneven");
  int r = pt_test::rank(), n = pt_test::size();
  // Rank r works (r+1) * 20 ms: min 20 ms, max n*20 ms, avg (n+1)/2 * 20 ms.
  pt_timers_start(t, id);
  spin(0.02 * (r + 1));
  pt_timers_stop(t, id);
  pt_timer_stats s;
  EXPECT_EQ(PT_OK, pt_timers_reduce(t, MPI_COMM_WORLD, &s));
  EXPECT_STREQ("uneven", s.name);
  EXPECT_EQ(1, s.calls);
  // Each spin lasts at least its target; a loaded machine can only add time, so the
  // lower bounds are exact and the upper ones generous.
  EXPECT_GE(s.min, 0.02);
  EXPECT_GE(s.max, 0.02 * n);
  EXPECT_GE(s.avg, 0.01 * (n + 1));
  EXPECT_LT(s.max, 0.02 * n + 5.0);
  EXPECT_LE(s.min, s.avg);
  EXPECT_LE(s.avg, s.max);
  EXPECT_NEAR((s.max - s.avg) / s.avg, s.imbalance, 1e-12);
  pt_timers_destroy(&t);
}

TEST(Timer, PrintsOneRowPerPhaseOnRankZero) {
  pt_timers *t;
  ASSERT_EQ(PT_OK, pt_timers_create(&t));
  pt_timers_add(t, "compute");
  pt_timers_add(t, "halo");
  char buf[4096] = "";
  FILE *f = fmemopen(buf, sizeof buf, "w");
  EXPECT_EQ(PT_OK, pt_timers_print(t, MPI_COMM_WORLD, f));
  fclose(f);
  std::string out(buf);
  if (pt_test::rank() == 0) {
    EXPECT_NE(std::string::npos, out.find("phase"));
    EXPECT_NE(std::string::npos, out.find("compute"));
    EXPECT_NE(std::string::npos, out.find("halo"));
  } else {
    EXPECT_TRUE(out.empty());
  }
  pt_timers_destroy(&t);
}

// A whole with two parts: "other" is the rest, the table adds up to the whole, and
// with rounds a phase started twice in one round counts one call.
TEST(Timer, OtherIsTheWholeBeyondItsPartsAndRoundsCountOnce) {
  pt_timers *t;
  ASSERT_EQ(PT_OK, pt_timers_create(&t));
  int whole = pt_timers_add(t, "total"), a = pt_timers_add(t, "compute"), b = pt_timers_add(t, "io");
  ASSERT_EQ(PT_OK, pt_timers_set_total(t, whole));
  pt_timers_start(t, whole);
  for (int step = 0; step < 3; ++step) {
    pt_timers_round(t);
    for (int piece = 0; piece < 2; ++piece) {
      pt_timers_start(t, a);
      spin(0.002);
      pt_timers_stop(t, a);
    }
    spin(0.003);  // covered by no part: "other"
  }
  pt_timers_start(t, b);
  spin(0.002);
  pt_timers_stop(t, b);
  pt_timers_stop(t, whole);
  ASSERT_EQ(4, pt_timers_count(t));
  pt_timer_stats s[4];
  ASSERT_EQ(PT_OK, pt_timers_reduce(t, MPI_COMM_WORLD, s));
  EXPECT_STREQ("other", s[3].name);
  EXPECT_EQ(1, s[whole].calls);
  EXPECT_EQ(3, s[a].calls);
  EXPECT_EQ(1, s[b].calls);
  EXPECT_GE(s[3].min, 0.009);
  EXPECT_NEAR(s[whole].avg, s[a].avg + s[b].avg + s[3].avg, 1e-12);
  char buf[4096] = "";
  FILE *f = fmemopen(buf, sizeof buf, "w");
  EXPECT_EQ(PT_OK, pt_timers_print(t, MPI_COMM_WORLD, f));
  fclose(f);
  if (pt_test::rank() == 0) {
    std::string out(buf);
    EXPECT_LT(out.find("total"), out.find("compute")) << out;
    EXPECT_LT(out.find("io"), out.find("other")) << out;
    EXPECT_NE(std::string::npos, out.find("100.0%")) << out;
  }
  pt_timers_destroy(&t);
}

TEST(Report, WritesValidJsonWithResultsTimersAndDeck) {
  pt_timers *t;
  pt_report *rep;
  ASSERT_EQ(PT_OK, pt_timers_create(&t));
  ASSERT_EQ(PT_OK, pt_report_create("partita-test", &rep));
  int id = pt_timers_add(t, "compute");
  pt_timers_start(t, id);
  pt_timers_stop(t, id);
  EXPECT_EQ(PT_OK, pt_report_add_double(rep, "results", "lups", 1.5e9));
  EXPECT_EQ(PT_OK, pt_report_add_int(rep, "results", "steps", 100));
  EXPECT_EQ(PT_OK, pt_report_add_string(rep, "results", "scheme", "explicit"));
  EXPECT_EQ(PT_OK, pt_report_add_int(rep, "results", "steps", 200));  // replaces
  char path[] = "/tmp/pt-report-XXXXXX";
  if (pt_test::rank() == 0) {
    int fd = mkstemp(path);
    close(fd);
  }
  MPI_Bcast(path, sizeof path, MPI_CHAR, 0, MPI_COMM_WORLD);
  EXPECT_EQ(PT_OK, pt_report_write(rep, t, MPI_COMM_WORLD, "[heat]\nnx = 3\n", path));
  if (pt_test::rank() == 0) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    cJSON *j = cJSON_Parse(ss.str().c_str());
    EXPECT_NE(nullptr, j) << ss.str();
    if (j) {
      cJSON *res = cJSON_GetObjectItem(j, "results");
      EXPECT_DOUBLE_EQ(1.5e9, cJSON_GetObjectItem(res, "lups")->valuedouble);
      EXPECT_EQ(200, cJSON_GetObjectItem(res, "steps")->valueint);
      EXPECT_STREQ("explicit", cJSON_GetObjectItem(res, "scheme")->valuestring);
      cJSON *run = cJSON_GetObjectItem(j, "run");
      EXPECT_EQ(pt_test::size(), cJSON_GetObjectItem(run, "mpi_ranks")->valueint);
      EXPECT_STREQ("[heat]\nnx = 3\n", cJSON_GetObjectItem(run, "input_deck")->valuestring);
      EXPECT_NE(nullptr, cJSON_GetObjectItem(cJSON_GetObjectItem(j, "timers"), "compute"));
      EXPECT_STREQ("partita-test", cJSON_GetObjectItem(j, "app")->valuestring);
      cJSON_Delete(j);
    }
    std::remove(path);
  }
  pt_report_destroy(&rep);
  pt_timers_destroy(&t);
}

TEST(Report, UnwritablePathIsAnAgreedIoError) {
  pt_timers *t;
  pt_report *rep;
  ASSERT_EQ(PT_OK, pt_timers_create(&t));
  ASSERT_EQ(PT_OK, pt_report_create("partita-test", &rep));
  EXPECT_EQ(PT_ERR_IO, pt_report_write(rep, t, MPI_COMM_WORLD, nullptr, "/nonexistent-dir/r.json"));
  EXPECT_NE(std::string::npos, std::string(pt_error_message()).find("cannot write run report"));
  pt_report_destroy(&rep);
  pt_timers_destroy(&t);
}
