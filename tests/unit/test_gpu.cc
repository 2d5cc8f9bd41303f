// The CUDA back-end against the CPU, on a machine with a GPU (tests/apps/gpu.sh runs
// this suite only there; every test skips itself when some rank has no device).
// Sources of the numbers: docs/verification.md, "CUDA back-end".
#include "pt_test.h"

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

extern "C" {
#include "heat_params.h"
#include "heat_solver.h"
#include "nbody_backend.h"
#include "nbody_diag.h"
#include "nbody_ic.h"
#include "nbody_params.h"
#include "nbody_sim.h"
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
  for (const char *run : {"overlap = true\n", "overlap = false\n", "halo = neighbor\n", "halo_off = true\n"}) {
    const std::string cpu = base + "[run]\nbackend = cpu\n" + run;
    const std::string gpu = base + "[run]\nbackend = cuda\n" + run;
    Heat c(cpu, MPI_COMM_WORLD), g(gpu, MPI_COMM_WORLD), serial(cpu, MPI_COMM_SELF);
    ASSERT_EQ(PT_OK, c.err) << pt_error_message();
    ASSERT_EQ(PT_OK, g.err) << pt_error_message();
    ASSERT_EQ(PT_OK, serial.err) << pt_error_message();
    ASSERT_STREQ("cuda", g.s->backend->name);
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

// partita-nbody: a Plummer sphere of n bodies spread over every rank, on `backend`,
// started (forces and potential at the initial positions) and copied back to the host.
struct Nbody {
  nbody_params prm;  // borrowed by the sim: declared first, so it outlives it
  nbody_sim *s = nullptr;
  int err;
  Nbody(int64_t n, double eps, int strategy, int precision, int integrator, int backend) {
    std::memset(&prm, 0, sizeof prm);
    prm.n = n, prm.G = 1, prm.eps = eps, prm.strategy = strategy, prm.precision = precision;
    prm.init = NBODY_INIT_PLUMMER, prm.seed = 12345, prm.dt = 1e-3, prm.integrator = integrator;
    prm.backend = backend;
    pt_particles *p = nullptr;
    err = nbody_ic_create(MPI_COMM_WORLD, &prm, &p);
    if (!err) err = nbody_sim_create(&prm, p, nullptr, &s);  // owns or frees p
    if (!err) err = nbody_sim_start(s);
    if (!err) nbody_sim_host(s);
  }
  ~Nbody() { nbody_sim_destroy(&s); }
};

// sqrt(sum_i |x_i - y_i|^2 / sum_i |y_i|^2) over the n local bodies of every rank, the
// measure of test_nbody's strategy tests.
double rel_rms(int64_t n, const double *const x[], const double *const y[], int ncomp) {
  double loc[2] = {0, 0}, all[2];
  for (int64_t i = 0; i < n; ++i)
    for (int c = 0; c < ncomp; ++c) {
      const double d = x[c][i] - y[c][i];
      loc[0] += d * d, loc[1] += y[c][i] * y[c][i];
    }
  MPI_Allreduce(loc, all, 2, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
  return std::sqrt(all[0] / all[1]);
}

// Device against CPU: accelerations, potential.
double acc_error(const Nbody &g, const Nbody &c) { return rel_rms(c.s->p->n, g.s->acc, c.s->acc, 3); }
double pot_error(const Nbody &g, const Nbody &c) {
  const double *x[1] = {g.s->pot}, *y[1] = {c.s->pot};
  return rel_rms(c.s->p->n, x, y, 1);
}

const int kStrategies[] = {NBODY_ALLGATHER, NBODY_RING, NBODY_RMA};

class GpuNbody : public testing::TestWithParam<int> {};

// Device forces and potential against the CPU's for the same bodies and strategy: FP64
// within 1e-12, FP32 within 1e-5 (relative rms). 517 bodies: two full tiles of 256 and
// a partial one on one rank, uneven blocks on two; eps = 0 takes the kernel's
// zero-distance test, eps > 0 the variant without it.
TEST_P(GpuNbody, ForcesMatchTheCpu) {
  SKIP_WITHOUT_GPU();
  const int strategy = GetParam();
  for (double eps : {0.01, 0.0})
    for (int precision : {NBODY_FP64, NBODY_FP32}) {
      SCOPED_TRACE(testing::Message() << "eps " << eps << ", " << nbody_precision_names[precision]);
      Nbody c(517, eps, strategy, precision, NBODY_LEAPFROG, PT_BACKEND_CPU);
      Nbody g(517, eps, strategy, precision, NBODY_LEAPFROG, PT_BACKEND_CUDA);
      ASSERT_EQ(PT_OK, c.err) << pt_error_message();
      ASSERT_EQ(PT_OK, g.err) << pt_error_message();
      EXPECT_EQ(PT_BACKEND_CUDA, g.s->device.backend);
      EXPECT_EQ(PT_BACKEND_CUDA, g.s->be->kind);
      EXPECT_NE(nullptr, g.s->dev);
      const double tol = precision == NBODY_FP64 ? 1e-12 : 1e-5;
      EXPECT_LE(acc_error(g, c), tol);
      EXPECT_LE(pot_error(g, c), tol);
    }
}

// Relative difference, for diagnostics of either sign.
double rel(double a, double b) { return std::fabs(a - b) / std::fmax(std::fabs(b), 1e-300); }

// Twenty FP64 steps on the device against the same steps on the CPU: positions within
// 1e-12, and the energy (diagnostics computed on the device) within 1e-12 relative at
// steps 10 and 20. Then the device diagnostics against the host's on the same state.
TEST_P(GpuNbody, ShortRunMatchesTheCpu) {
  SKIP_WITHOUT_GPU();
  const int strategy = GetParam();
  for (int integrator : {NBODY_LEAPFROG, NBODY_YOSHIDA4, NBODY_LEAPFROG_DKD}) {
    SCOPED_TRACE(nbody_integrator_names[integrator]);
    Nbody c(300, 0.01, strategy, NBODY_FP64, integrator, PT_BACKEND_CPU);
    Nbody g(300, 0.01, strategy, NBODY_FP64, integrator, PT_BACKEND_CUDA);
    ASSERT_EQ(PT_OK, c.err) << pt_error_message();
    ASSERT_EQ(PT_OK, g.err) << pt_error_message();
    nbody_diag dc0, dg0, dc, dg;
    EXPECT_EQ(PT_OK, nbody_diag_compute(c.s, &dc0));
    EXPECT_EQ(PT_OK, nbody_diag_compute(g.s, &dg0));
    EXPECT_LE(rel(dg0.total, dc0.total), 1e-12);
    for (int k = 1; k <= 20; ++k) {
      EXPECT_EQ(PT_OK, nbody_sim_step(c.s, k % 10 == 0));
      EXPECT_EQ(PT_OK, nbody_sim_step(g.s, k % 10 == 0));
      if (k % 10) continue;
      EXPECT_EQ(PT_OK, nbody_diag_compute(c.s, &dc));
      EXPECT_EQ(PT_OK, nbody_diag_compute(g.s, &dg));
      EXPECT_LE(rel(dg.total, dc.total), 1e-12) << "step " << k;
      EXPECT_LE(rel(dg.kinetic, dc.kinetic), 1e-12) << "step " << k;
    }
    EXPECT_EQ(g.s->step, c.s->step);
    EXPECT_EQ(g.s->time, c.s->time);
    nbody_sim_host(g.s);
    double dx = 0, all;
    for (int64_t i = 0; i < g.s->p->n; ++i)
      for (int q = 0; q < 3; ++q) dx = std::fmax(dx, std::fabs(g.s->p->x[q][i] - c.s->p->x[q][i]));
    MPI_Allreduce(&dx, &all, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    EXPECT_LE(all, 1e-12);

    // The CPU back-end on the state just copied back: the same per-body terms and exact
    // integer sums (docs/verification.md), so agreement to the last bits or so.
    const nbody_backend *be = g.s->be;
    g.s->be = &nbody_backend_cpu;
    nbody_diag dh;
    EXPECT_EQ(PT_OK, nbody_diag_compute(g.s, &dh));
    g.s->be = be;
    EXPECT_LE(rel(dg.mass, dh.mass), 1e-15);
    EXPECT_LE(rel(dg.kinetic, dh.kinetic), 1e-14);
    EXPECT_LE(rel(dg.potential, dh.potential), 1e-14);
    for (int q = 0; q < 3; ++q) {
      EXPECT_LE(std::fabs(dg.momentum[q] - dh.momentum[q]), 1e-16);
      EXPECT_LE(std::fabs(dg.angular[q] - dh.angular[q]), 1e-16);
      EXPECT_LE(std::fabs(dg.com[q] - dh.com[q]), 1e-16);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Strategies, GpuNbody, testing::ValuesIn(kStrategies),
                         [](const testing::TestParamInfo<int> &i) {
                           return std::string(nbody_strategy_names[i.param]);
                         });

}  // namespace
