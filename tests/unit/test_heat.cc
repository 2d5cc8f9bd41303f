// partita-heat's solver against exact results. Sources of every number:
// docs/verification.md.
#include "pt_test.h"

#include <omp.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

extern "C" {
#include "heat_params.h"
#include "heat_solver.h"
}
#include "pt_config.h"
#include "pt_error.h"
#include "pt_timer.h"
#ifdef PT_HAVE_PETSC
#include <petscsys.h>
// PETSc lives for the whole suite: initialised after MPI, finalised before it.
class PetscEnv : public testing::Environment {
  void SetUp() override { PetscInitializeNoArguments(); }
  void TearDown() override { PetscFinalize(); }
};
static testing::Environment *const petsc_env = testing::AddGlobalTestEnvironment(new PetscEnv);
#endif

namespace {

// A solver for `deck` (INI text) on `comm`; owns everything it makes.
struct HeatRun {
  pt_config *cfg = nullptr;
  heat_params p;
  pt_timers *t = nullptr;
  heat_solver *s = nullptr;
  int err = PT_OK;
  HeatRun(const std::string &deck, MPI_Comm comm) {
    err = pt_config_parse_string("test.ini", deck.c_str(), 0, nullptr, &cfg);
    if (!err) err = heat_params_read(cfg, &p);
    if (!err) err = pt_config_finish(cfg);
    if (!err) err = pt_timers_create(&t);
    if (!err) err = heat_solver_create(comm, &p, t, &s);
    if (!err) heat_solver_init(s);
  }
  ~HeatRun() {
    heat_solver_destroy(&s);
    pt_timers_destroy(&t);
    pt_config_destroy(&cfg);
  }
  int steps(int64_t k) {
    for (int64_t i = 0; i < k; ++i) PT_TRY(heat_solver_step(s));
    return PT_OK;
  }
  // Applies fn(global index, value) to every owned cell.
  template <class F> void each(F fn) {
    const pt_field *f = heat_solver_field(s);
    int64_t total = pt_decomp_local_cells(s->decomp);
    for (int64_t c = 0; c < total; ++c) {
      int64_t idx[3] = {0, 0, 0}, g[3] = {0, 0, 0}, r = c;
      for (int d = f->ndim - 1; d >= 0; --d) { idx[d] = r % f->n[d]; r /= f->n[d]; }
      for (int d = 0; d < f->ndim; ++d) g[d] = s->decomp->lo[d] + idx[d];
      fn(g, f->data[pt_field_offset(f, idx)]);
    }
  }
};

// The mode must not decay much faster than the slowest mode, or round-off left in the
// slow modes outgrows it and the relative error measures that instead of the scheme.
std::string eigen_deck(const std::string &scheme, int mx, int my, const std::string &extra) {
  return "[grid]\nndim = 2\nnx = 24\nny = 17\nlx = 1.0\nly = 0.7\n"
         "[initial]\ntype = eigenmode\nmode_x = " + std::to_string(mx) + "\nmode_y = " +
         std::to_string(my) + "\n[time]\nscheme = " + scheme + "\n" + extra;
}

double max_over_ranks(double v) {
  double m;
  MPI_Allreduce(&v, &m, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
  return m;
}

// Exact discrete eigenvalue of the cell-centred Laplacian with Dirichlet reflection:
// lambda = -sum_d (4/h_d^2) sin^2(m_d pi h_d / (2 L_d)).
double discrete_lambda(const heat_params &p) {
  double l = 0;
  for (int d = 0; d < p.ndim; ++d) {
    double s = std::sin(p.mode[d] * M_PI * p.h[d] / (2 * p.len[d]));
    l -= 4 / (p.h[d] * p.h[d]) * s * s;
  }
  return l;
}

double mode_value(const heat_params &p, const int64_t g[]) {
  double v = p.amplitude;
  for (int d = 0; d < p.ndim; ++d) v *= std::sin(p.mode[d] * M_PI * (g[d] + 0.5) * p.h[d] / p.len[d]);
  return v;
}

// Max relative deviation of the field from amp * mode after the steps taken.
double eigen_error(HeatRun &r, double amp) {
  double err = 0, peak = 0;
  r.each([&](const int64_t g[], double u) {
    double want = amp * mode_value(r.p, g);
    err = std::max(err, std::fabs(u - want));
    peak = std::max(peak, std::fabs(want));
  });
  return max_over_ranks(err) / max_over_ranks(peak);
}

}  // namespace

TEST(HeatEigenmode, ExplicitDecaysByTheExactAmplificationFactor) {
  HeatRun r(eigen_deck("explicit", 2, 3, "dt_fraction = 0.5\n"), MPI_COMM_WORLD);
  ASSERT_EQ(PT_OK, r.err) << pt_error_message();
  const int k = 50;
  EXPECT_EQ(PT_OK, r.steps(k));
  double g = 1 + r.p.alpha * r.p.dt * discrete_lambda(r.p);
  EXPECT_LE(eigen_error(r, std::pow(g, k)), 1e-12);
}

#ifdef PT_HAVE_PETSC
TEST(HeatEigenmode, BackwardEulerDecaysByTheExactAmplificationFactor) {
  // 50x the explicit limit: unconditionally stable.
  HeatRun r(eigen_deck("backward-euler", 1, 1, "dt = 0.01\nksp_rtol = 1e-14\n"), MPI_COMM_WORLD);
  ASSERT_EQ(PT_OK, r.err) << pt_error_message();
  EXPECT_GT(r.p.dt, 20 * r.p.dt_limit);
  const int k = 10;
  EXPECT_EQ(PT_OK, r.steps(k));
  double g = 1 / (1 - r.p.alpha * r.p.dt * discrete_lambda(r.p));
  // Each solve stops at relative residual 1e-14; the error it leaves is at most
  // cond(A) * rtol per step (cond(A) < 1 + 8 alpha dt / h^2 ~ 1e3 here).
  EXPECT_LE(eigen_error(r, std::pow(g, k)), 1e-10);
}

TEST(HeatEigenmode, CrankNicolsonDecaysByTheExactAmplificationFactor) {
  HeatRun r(eigen_deck("crank-nicolson", 1, 1, "dt = 0.01\nksp_rtol = 1e-14\n"), MPI_COMM_WORLD);
  ASSERT_EQ(PT_OK, r.err) << pt_error_message();
  EXPECT_GT(r.p.dt, 20 * r.p.dt_limit);
  const int k = 10;
  EXPECT_EQ(PT_OK, r.steps(k));
  double z = r.p.alpha * r.p.dt * discrete_lambda(r.p);
  double g = (1 + z / 2) / (1 - z / 2);
  EXPECT_LE(eigen_error(r, std::pow(g, k)), 1e-10);
}
#endif

TEST(HeatConvergence, SpatialOrderIsTwo) {
  // Against the continuous solution exp(-alpha pi^2 (m^2/Lx^2 + n^2/Ly^2) t) sin sin.
  // dt = h^2 / 40 (a tenth of the stability limit) keeps forward Euler's O(dt) error an
  // order of magnitude below the O(h^2) spatial error being measured. A property of the
  // discretisation, not of the decomposition: each rank runs it alone.
  const double T = 0.02;
  double errs[4];
  for (int level = 0; level < 4; ++level) {
    int n = 16 << level;
    int64_t steps = 800LL << (2 * level);
    char dt[32];
    std::snprintf(dt, sizeof dt, "%.17g", T / (double)steps);  // to_string keeps 6 decimals
    std::string deck = "[grid]\nndim = 2\nnx = " + std::to_string(n) + "\nny = " + std::to_string(n) +
                       "\n[initial]\ntype = eigenmode\nmode_x = 1\nmode_y = 1\n[time]\ndt = " + dt + "\n";
    HeatRun r(deck, MPI_COMM_SELF);
    ASSERT_EQ(PT_OK, r.err) << pt_error_message();
    EXPECT_EQ(PT_OK, r.steps(steps));
    double decay = std::exp(-r.p.alpha * M_PI * M_PI * 2 * r.s->time);
    errs[level] = eigen_error(r, decay);
  }
  for (int level = 1; level < 4; ++level) {
    double order = std::log2(errs[level - 1] / errs[level]);
    if (pt_test::rank() == 0)
      std::printf("n %d -> %d: max error %.4e -> %.4e, observed order %.4f\n", 8 << level,
                  16 << level, errs[level - 1], errs[level], order);
    EXPECT_NEAR(2.0, order, 0.05) << "refinement " << level << ": errors " << errs[level - 1]
                                  << " -> " << errs[level];
  }
}

TEST(HeatConservation, NeumannFacesConserveTotalHeat) {
  for (int ndim = 2; ndim <= 3; ++ndim) {
    std::string deck = "[grid]\nndim = " + std::to_string(ndim) +
                       "\nnx = 19\nny = 13\nnz = 11\n"
                       "[boundary]\nx_lo = neumann\nx_hi = neumann\ny_lo = neumann\ny_hi = neumann\n"
                       "z_lo = neumann\nz_hi = neumann\n"
                       "[initial]\ntype = gaussian\ncenter_x = 0.3\nwidth = 0.15\n";
    HeatRun r(deck, MPI_COMM_WORLD);
    ASSERT_EQ(PT_OK, r.err) << pt_error_message();
    heat_diag d0, d1;
    EXPECT_EQ(PT_OK, heat_solver_diagnostics(r.s, &d0));
    EXPECT_EQ(PT_OK, r.steps(1000));
    EXPECT_EQ(PT_OK, heat_solver_diagnostics(r.s, &d1));
    EXPECT_LE(std::fabs(d1.total - d0.total) / std::fabs(d0.total), 1e-12) << "ndim " << ndim;
    EXPECT_LT(d1.max, d0.max);  // and it did diffuse
  }
}

TEST(HeatInput, DtAboveTheStabilityLimitIsAnInputError) {
  pt_config *cfg;
  ASSERT_EQ(PT_OK, pt_config_parse_string("deck.ini", "[grid]\nnx = 10\nny = 10\n[time]\ndt = 1.0\n",
                                          0, nullptr, &cfg));
  heat_params p;
  EXPECT_EQ(PT_ERR_INPUT, heat_params_read(cfg, &p));
  EXPECT_NE(std::string::npos, std::string(pt_error_message()).find("deck.ini:5: time.dt: 1 is above the explicit stability limit 0.0025"))
      << pt_error_message();
  pt_config_destroy(&cfg);
}

TEST(HeatInput, TooSmallGridAndPeriodicMismatch) {
  pt_config *cfg;
  heat_params p;
  ASSERT_EQ(PT_OK, pt_config_parse_string("d.ini", "[grid]\nnx = 2\n", 0, nullptr, &cfg));
  EXPECT_EQ(PT_ERR_INPUT, heat_params_read(cfg, &p));
  EXPECT_STREQ("d.ini:2: grid.nx: must be >= 3 (got 2)", pt_error_message());
  pt_config_destroy(&cfg);
  ASSERT_EQ(PT_OK, pt_config_parse_string("d.ini", "[boundary]\nx_lo = periodic\n", 0, nullptr, &cfg));
  EXPECT_EQ(PT_ERR_INPUT, heat_params_read(cfg, &p));
  EXPECT_NE(std::string::npos, std::string(pt_error_message()).find("periodic must be set on both x faces"));
  pt_config_destroy(&cfg);
}

// Bitwise invariance: the distributed field equals, bit for bit, the same problem solved
// on this rank alone, for every halo back-end, with and without overlap, 1 and 2
// threads, 2D and 3D, odd and prime sizes, all boundary kinds.
class HeatInvariance : public testing::TestWithParam<int> {};

TEST_P(HeatInvariance, DistributedFieldIsBitwiseTheSerialOne) {
  const char *halo = pt_halo_kind_names[GetParam()];
  const std::string decks[] = {
      "[grid]\nndim = 2\nnx = 23\nny = 17\n[boundary]\nx_lo = dirichlet\nx_lo_value = 1\n"
      "y_lo = neumann\ny_hi = neumann\n[initial]\ntype = disk\n[physics]\nsource = 0.5\n",
      "[grid]\nndim = 2\nnx = 13\nny = 31\n[boundary]\nx_lo = periodic\nx_hi = periodic\n"
      "[initial]\ntype = gaussian\ncenter_x = 0.1\n",
      "[grid]\nndim = 3\nnx = 11\nny = 7\nnz = 13\n[boundary]\nz_lo = periodic\nz_hi = periodic\n"
      "y_hi = neumann\n[initial]\ntype = gaussian\n",
  };
  for (const std::string &base : decks)
    for (int overlap = 0; overlap < 2; ++overlap)
      for (int threads = 1; threads <= 2; ++threads) {
        std::string deck = base + "[run]\nhalo = " + halo + "\noverlap = " +
                           (overlap ? "true" : "false") + "\n";
        omp_set_num_threads(threads);
        HeatRun par(deck, MPI_COMM_WORLD);
        omp_set_num_threads(1);
        HeatRun ser(deck, MPI_COMM_SELF);
        ASSERT_EQ(PT_OK, par.err) << pt_error_message();
        ASSERT_EQ(PT_OK, ser.err) << pt_error_message();
        omp_set_num_threads(threads);
        EXPECT_EQ(PT_OK, par.steps(25));
        omp_set_num_threads(1);
        EXPECT_EQ(PT_OK, ser.steps(25));
        const pt_field *fs = heat_solver_field(ser.s);
        long mismatches = 0;
        par.each([&](const int64_t g[], double u) {
          double v = fs->data[pt_field_offset(fs, g)];
          if (std::memcmp(&u, &v, sizeof u) != 0) ++mismatches;
        });
        EXPECT_EQ(0, mismatches) << "halo " << halo << ", overlap " << overlap << ", threads "
                                 << threads << ", deck:\n" << base;
      }
}

INSTANTIATE_TEST_SUITE_P(AllBackends, HeatInvariance, testing::Range(0, (int)PT_HALO_NKINDS));
