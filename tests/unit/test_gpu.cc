// The CUDA back-end against the CPU, on a machine with a GPU (tests/apps/gpu.sh runs
// this suite only there; every test skips itself when some rank has no device).
// Sources of the numbers: docs/verification.md, "CUDA back-end".
#include "pt_test.h"

#include <cstring>
#include <string>
#include <vector>

extern "C" {
#include "heat_params.h"
#include "heat_solver.h"
}
#include "pt_config.h"
#include "pt_device.h"
#include "pt_error.h"
#include "pt_log.h"
#include "pt_timer.h"

namespace {

// Agreed across ranks: a skip on one rank only would leave the others in collectives.
bool every_rank_has_a_device() {
  int mine = pt_device_count(nullptr) > 0, all = 0;
  MPI_Allreduce(&mine, &all, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
  return all != 0;
}

#define SKIP_WITHOUT_GPU() \
  if (!every_rank_has_a_device()) GTEST_SKIP() << "no CUDA device on some rank"

// A heat run of `deck` on `comm`, and its owned cells in global C order on rank 0 of
// `comm` (gathered cell by cell through the global index, so any decomposition works).
struct Heat {
  pt_config *cfg = nullptr;
  heat_params p;
  pt_timers *t = nullptr;
  heat_solver *s = nullptr;
  int err;
  Heat(const std::string &deck, MPI_Comm comm) {
    err = pt_config_parse_string("gpu.ini", deck.c_str(), 0, nullptr, &cfg);
    if (!err) err = heat_params_read(cfg, &p);
    if (!err) err = pt_config_finish(cfg);
    if (!err) err = pt_timers_create(&t);
    if (!err) err = heat_solver_create(comm, &p, t, &s);
    if (!err) heat_solver_init(s);
  }
  ~Heat() {
    heat_solver_destroy(&s);
    pt_timers_destroy(&t);
    pt_config_destroy(&cfg);
  }
  std::vector<double> global() {
    const pt_field *f = heat_solver_field(s);
    const pt_decomp *d = s->decomp;
    int64_t total = pt_decomp_global_cells(d), local = pt_decomp_local_cells(d);
    std::vector<double> mine(total, 0.0), all(total, 0.0);
    for (int64_t c = 0; c < local; ++c) {
      int64_t idx[3] = {0, 0, 0}, r = c, g = 0;
      for (int a = f->ndim - 1; a >= 0; --a) { idx[a] = r % f->n[a]; r /= f->n[a]; }
      for (int a = 0; a < f->ndim; ++a) g = g * d->gsize[a] + d->lo[a] + idx[a];
      mine[g] = f->data[pt_field_offset(f, idx)];
    }
    // Each cell has one owner and 0 + x == x exactly: the sum is a gather.
    MPI_Allreduce(mine.data(), all.data(), (int)total, MPI_DOUBLE, MPI_SUM, d->cart);
    return all;
  }
};

long count_differences(const std::vector<double> &a, const std::vector<double> &b) {
  long n = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i)
    if (std::memcmp(&a[i], &b[i], sizeof(double)) != 0) ++n;
  return n;
}

TEST(GpuDevice, OneDevicePerRankFromTheNodeRank) {
  SKIP_WITHOUT_GPU();
  pt_device_info info;
  ASSERT_EQ(PT_OK, pt_device_select(MPI_COMM_WORLD, PT_BACKEND_AUTO, &info)) << pt_error_message();
  EXPECT_EQ(PT_BACKEND_CUDA, info.backend);
  EXPECT_EQ(info.local_rank % info.count, info.id);
  EXPECT_STRNE("", info.name);
}

// The decks of the CPU invariance test (odd and prime sizes, every boundary kind, a
// source term, periodic axes), with overlap on and off, and the exchange switched off.
const char *const kDecks[] = {
    "[grid]\nndim = 2\nnx = 23\nny = 17\n[boundary]\nx_lo = dirichlet\nx_lo_value = 1\n"
    "y_lo = neumann\ny_hi = neumann\n[initial]\ntype = disk\n[physics]\nsource = 0.5\n",
    "[grid]\nndim = 2\nnx = 13\nny = 31\n[boundary]\nx_lo = periodic\nx_hi = periodic\n"
    "[initial]\ntype = gaussian\ncenter_x = 0.1\n",
    "[grid]\nndim = 3\nnx = 11\nny = 7\nnz = 13\n[boundary]\nz_lo = periodic\nz_hi = periodic\n"
    "y_hi = neumann\nx_lo_value = -2\n[initial]\ntype = gaussian\n",
    "[grid]\nndim = 3\nnx = 40\nny = 33\nnz = 70\n[boundary]\nx_lo = neumann\ny_lo = periodic\n"
    "y_hi = periodic\n[initial]\ntype = disk\n[physics]\nsource = -1\n",
};

class GpuHeat : public testing::TestWithParam<int> {};

// Bitwise: the device field after 40 steps equals the CPU's on the same ranks and the
// CPU's on this rank alone (so it is the same on any rank count).
TEST_P(GpuHeat, FieldIsBitwiseTheCpus) {
  SKIP_WITHOUT_GPU();
  const std::string base = kDecks[GetParam()];
  for (const char *run : {"overlap = true\n", "overlap = false\n", "halo_off = true\n"}) {
    const std::string cpu = base + "[run]\nbackend = cpu\n" + run;
    const std::string gpu = base + "[run]\nbackend = cuda\n" + run;
    Heat c(cpu, MPI_COMM_WORLD), g(gpu, MPI_COMM_WORLD), serial(cpu, MPI_COMM_SELF);
    ASSERT_EQ(PT_OK, c.err) << pt_error_message();
    ASSERT_EQ(PT_OK, g.err) << pt_error_message();
    ASSERT_EQ(PT_OK, serial.err) << pt_error_message();
    ASSERT_NE(nullptr, g.s->gpu);
    for (int i = 0; i < 40; ++i) {
      EXPECT_EQ(PT_OK, heat_solver_step(c.s));
      EXPECT_EQ(PT_OK, heat_solver_step(g.s));
      EXPECT_EQ(PT_OK, heat_solver_step(serial.s));
    }
    std::vector<double> vc = c.global(), vg = g.global(), vs = serial.global();
    EXPECT_EQ(0, count_differences(vc, vg)) << run << base;
    if (!std::strstr(run, "halo_off")) {
      EXPECT_EQ(0, count_differences(vs, vg)) << run << base;
    }
    // Diagnostics read the device's field through the host copy: same bits too.
    heat_diag dc, dg;
    EXPECT_EQ(PT_OK, heat_solver_diagnostics(c.s, &dc));
    EXPECT_EQ(PT_OK, heat_solver_diagnostics(g.s, &dg));
    EXPECT_EQ(0, std::memcmp(&dc, &dg, sizeof dc));
  }
}

INSTANTIATE_TEST_SUITE_P(Decks, GpuHeat, testing::Range(0, (int)(sizeof kDecks / sizeof *kDecks)));

}  // namespace
