// partita-nbody's solver code (and pt_particles) against exact results, a serial
// reference and conservation laws. Sources of every number: docs/verification.md.
#include "pt_test.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

extern "C" {
#include "nbody_diag.h"
#include "nbody_force.h"
#include "nbody_ic.h"
#include "nbody_params.h"
#include "nbody_sim.h"
}
#include "pt_config.h"
#include "pt_error.h"
#include "pt_particles.h"

namespace {

double sum_all(double v, MPI_Comm comm = MPI_COMM_WORLD) {
  double s;
  MPI_Allreduce(&v, &s, 1, MPI_DOUBLE, MPI_SUM, comm);
  return s;
}
double max_all(double v) {
  double s;
  MPI_Allreduce(&v, &s, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
  return s;
}

nbody_params plummer(int64_t n, double eps, int strategy, int precision, int kernel = NBODY_KERNEL_EXACT) {
  nbody_params p;
  std::memset(&p, 0, sizeof p);
  p.n = n, p.G = 1, p.eps = eps, p.strategy = strategy, p.precision = precision, p.kernel = kernel;
  p.init = NBODY_INIT_PLUMMER, p.seed = 12345, p.dt = 1e-3;
  return p;
}

// Every body's position, velocity and mass on every rank, in global order.
struct Global {
  std::vector<double> x[3], v[3], m;
  explicit Global(const pt_particles *p) {
    for (int c = 0; c < 3; ++c) {
      x[c].resize(p->ntotal), v[c].resize(p->ntotal);
      pt_particles_allgather(p, MPI_DOUBLE, p->x[c], x[c].data());
      pt_particles_allgather(p, MPI_DOUBLE, p->v[c], v[c].data());
    }
    m.resize(p->ntotal);
    pt_particles_allgather(p, MPI_DOUBLE, p->mass, m.data());
  }
  size_t size() const { return m.size(); }
};

// The serial reference: the textbook double loop, with pow for the 3/2 power.
void reference_forces(const Global &g, double G, double eps, std::vector<double> a[3],
                      std::vector<double> &pot) {
  size_t n = g.size();
  for (int c = 0; c < 3; ++c) a[c].assign(n, 0.0);
  pot.assign(n, 0.0);
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < n; ++j) {
      if (i == j) continue;
      double d[3], r2 = eps * eps;
      for (int c = 0; c < 3; ++c) d[c] = g.x[c][j] - g.x[c][i], r2 += d[c] * d[c];
      for (int c = 0; c < 3; ++c) a[c][i] += G * g.m[j] * d[c] / std::pow(r2, 1.5);
      pot[i] -= G * g.m[j] / std::sqrt(r2);
    }
}

// Relative rms difference over all ranks: sqrt(sum |a - r|^2 / sum |r|^2).
double rel_rms(const pt_particles *p, const double *const a[], const std::vector<double> r[], int ncomp) {
  double num = 0, den = 0;
  for (int64_t i = 0; i < p->n; ++i)
    for (int c = 0; c < ncomp; ++c) {
      double ref = r[c][p->offset + i], d = a[c][i] - ref;
      num += d * d, den += ref * ref;
    }
  return std::sqrt(sum_all(num) / sum_all(den));
}

struct Forces {
  std::vector<double> a[3], pot;
  explicit Forces(const pt_particles *p) {
    for (int c = 0; c < 3; ++c) a[c].assign(pt_particles_padded(p->n), 0.0);
    pot.assign(pt_particles_padded(p->n), 0.0);
  }
  double *const *acc() { ptrs[0] = a[0].data(), ptrs[1] = a[1].data(), ptrs[2] = a[2].data(); return ptrs; }
  double *ptrs[3];
};

int compute(const pt_particles *p, const nbody_params &prm, Forces &f, bool pot) {
  nbody_force *force;
  PT_TRY(nbody_force_create(p, prm.strategy, prm.precision, prm.kernel, prm.G, prm.eps, nullptr, &force));
  int err = nbody_force_compute(force, f.acc(), pot ? f.pot.data() : nullptr);
  nbody_force_destroy(&force);
  return err;
}

const int strategies[] = {NBODY_ALLGATHER, NBODY_RING, NBODY_RMA};
const int kernels[] = {NBODY_KERNEL_EXACT, NBODY_KERNEL_FAST};

}  // namespace

TEST(PtParticles, BlockDistributionAndGathers) {
  pt_particles *p;
  ASSERT_EQ(pt_particles_create(MPI_COMM_WORLD, 10, &p), PT_OK);
  int64_t first, count;
  pt_decomp_block(10, pt_test::size(), pt_test::rank(), &first, &count);
  EXPECT_EQ(p->n, count);
  EXPECT_EQ(p->offset, first);
  for (int64_t i = 0; i < p->n; ++i) EXPECT_EQ(p->id[i], (uint64_t)(first + i));
  for (int64_t i = p->n; i < pt_particles_padded(p->n); ++i) EXPECT_EQ(p->x[0][i], 0.0);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(p->x[1]) % PT_PARTICLES_ALIGN, 0u);
  std::vector<uint64_t> all(10), root(10, 99);
  EXPECT_EQ(pt_particles_allgather(p, MPI_UINT64_T, p->id, all.data()), PT_OK);
  EXPECT_EQ(pt_particles_gather(p, 0, MPI_UINT64_T, p->id, root.data()), PT_OK);
  for (uint64_t k = 0; k < 10; ++k) {
    EXPECT_EQ(all[k], k);
    if (pt_test::rank() == 0) {
      EXPECT_EQ(root[k], k);
    }
  }
  pt_particles_destroy(&p);
  EXPECT_EQ(p, nullptr);
}

TEST(NbodyIc, CounterBasedRandomNumbers) {
  double sum = 0;
  for (uint64_t id = 0; id < 100000; ++id) {
    double u = nbody_random(7, id, 3);
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    sum += u;
  }
  EXPECT_NEAR(sum / 100000, 0.5, 0.005);  // 5 sigma of the mean of 1e5 uniforms
  EXPECT_EQ(nbody_random(7, 11, 2), nbody_random(7, 11, 2));
  EXPECT_NE(nbody_random(7, 11, 2), nbody_random(7, 12, 2));
  EXPECT_NE(nbody_random(7, 11, 2), nbody_random(7, 11, 3));
  EXPECT_NE(nbody_random(7, 11, 2), nbody_random(8, 11, 2));
}

// The Plummer sphere: the same bodies on any rank count, in the centre-of-mass frame,
// close to N-body units (E = -1/4) and virial equilibrium.
TEST(NbodyIc, PlummerIsRankCountIndependentAndInEquilibrium) {
  nbody_params prm = plummer(1024, 0.0, NBODY_ALLGATHER, NBODY_FP64);
  pt_particles *p, *one;
  ASSERT_EQ(nbody_ic_create(MPI_COMM_WORLD, &prm, &p), PT_OK);
  ASSERT_EQ(nbody_ic_create(MPI_COMM_SELF, &prm, &one), PT_OK);
  for (int64_t i = 0; i < p->n; ++i)
    for (int c = 0; c < 3; ++c) {
      EXPECT_EQ(p->x[c][i], one->x[c][p->offset + i]);
      EXPECT_EQ(p->v[c][i], one->v[c][p->offset + i]);
    }
  pt_particles_destroy(&one);
  nbody_sim *s;
  ASSERT_EQ(nbody_sim_create(&prm, p, nullptr, &s), PT_OK);
  ASSERT_EQ(nbody_sim_start(s), PT_OK);
  nbody_diag d;
  ASSERT_EQ(nbody_diag_compute(s, &d), PT_OK);
  EXPECT_NEAR(d.mass, 1.0, 1e-14);
  EXPECT_NEAR(d.total, -0.25, 0.0125);  // sampling noise ~ 1/sqrt(N)
  EXPECT_NEAR(d.virial, 1.0, 0.1);
  for (int c = 0; c < 3; ++c) {
    EXPECT_NEAR(d.com[c], 0.0, 1e-15);
    EXPECT_NEAR(d.momentum[c], 0.0, 1e-15);
  }
  nbody_sim_destroy(&s);
}

// All three strategies with either kernel against the serial reference (1e-13 relative
// rms, FP64), at this launch's rank count; allgather and rma bitwise equal to a one-rank
// run; the potential does not change the accelerations; FP32 to single-precision
// accuracy.
TEST(NbodyForce, StrategiesMatchSerialReference) {
  const double eps = 0.01;
  nbody_params prm = plummer(517, eps, NBODY_ALLGATHER, NBODY_FP64);  // uneven blocks
  pt_particles *p, *one;
  ASSERT_EQ(nbody_ic_create(MPI_COMM_WORLD, &prm, &p), PT_OK);
  ASSERT_EQ(nbody_ic_create(MPI_COMM_SELF, &prm, &one), PT_OK);
  Global g(p);
  std::vector<double> ref[3], refpot;
  reference_forces(g, 1.0, eps, ref, refpot);
  for (int kernel : kernels) {
    prm.kernel = kernel;
    Forces serial(one);
    EXPECT_EQ(compute(one, prm, serial, true), PT_OK);
    for (int strategy : strategies) {
      SCOPED_TRACE(std::string(nbody_kernel_names[kernel]) + " " + nbody_strategy_names[strategy]);
      prm.strategy = strategy;
      Forces f(p), nopot(p);
      EXPECT_EQ(compute(p, prm, f, true), PT_OK);
      EXPECT_EQ(compute(p, prm, nopot, false), PT_OK);
      EXPECT_LE(rel_rms(p, f.acc(), ref, 3), 1e-13);
      const double *pot[1] = {f.pot.data()};
      EXPECT_LE(rel_rms(p, pot, &refpot, 1), 1e-13);
      int same_nopot = 1, same_serial = 1;
      for (int64_t i = 0; i < p->n; ++i)
        for (int c = 0; c < 3; ++c) {
          same_nopot &= f.a[c][i] == nopot.a[c][i];
          same_serial &= f.a[c][i] == serial.a[c][p->offset + i];
        }
      EXPECT_EQ(same_nopot, 1);
      if (strategy != NBODY_RING) {
        EXPECT_EQ(same_serial, 1) << "not bitwise equal to one rank";
      }
      prm.precision = NBODY_FP32;
      Forces f32(p);
      EXPECT_EQ(compute(p, prm, f32, true), PT_OK);
      EXPECT_LE(rel_rms(p, f32.acc(), ref, 3), 1e-5);
      prm.precision = NBODY_FP64;
    }
  }
  pt_particles_destroy(&one);
  pt_particles_destroy(&p);
}

// The fast kernel against the correctly rounded one over a Plummer sphere: the RMS over
// bodies of each body's relative force error, softened (eps = 0.01) and not (eps = 0:
// the zero-distance masking), with the potential and without (the same accelerations).
TEST(NbodyForce, FastKernelMatchesExactOverPlummerSphere) {
  for (double eps : {0.01, 0.0})
    for (int precision : {NBODY_FP64, NBODY_FP32}) {
      SCOPED_TRACE(testing::Message() << "eps " << eps << ", " << nbody_precision_names[precision]);
      nbody_params prm = plummer(4096, eps, NBODY_ALLGATHER, precision);
      pt_particles *p;
      ASSERT_EQ(nbody_ic_create(MPI_COMM_WORLD, &prm, &p), PT_OK);
      Forces exact(p), fast(p), nopot(p);
      EXPECT_EQ(compute(p, prm, exact, true), PT_OK);
      prm.kernel = NBODY_KERNEL_FAST;
      EXPECT_EQ(compute(p, prm, fast, true), PT_OK);
      EXPECT_EQ(compute(p, prm, nopot, false), PT_OK);
      double sa = 0, sp = 0;
      int same_nopot = 1;
      for (int64_t i = 0; i < p->n; ++i) {
        double d2 = 0, r2 = 0;
        for (int c = 0; c < 3; ++c) {
          const double d = fast.a[c][i] - exact.a[c][i];
          d2 += d * d, r2 += exact.a[c][i] * exact.a[c][i];
          same_nopot &= fast.a[c][i] == nopot.a[c][i];
        }
        const double dp = (fast.pot[i] - exact.pot[i]) / exact.pot[i];
        sa += d2 / r2, sp += dp * dp;
      }
      const double rms_a = std::sqrt(sum_all(sa) / (double)p->ntotal);
      const double rms_p = std::sqrt(sum_all(sp) / (double)p->ntotal);
      if (pt_test::rank() == 0)
        std::printf("fast vs exact, %s, eps %g: RMS relative error of the force %.3e, of the "
                    "potential %.3e\n", nbody_precision_names[precision], eps, rms_a, rms_p);
      // FP64: the target; FP32: a few ulp of float, as the exact FP32 kernel's rounding.
      const double bound = precision == NBODY_FP64 ? 1e-14 : 1e-6;
      EXPECT_LE(rms_a, bound);
      EXPECT_LE(rms_p, bound);
      EXPECT_EQ(same_nopot, 1);
      pt_particles_destroy(&p);
    }
}

// Ten leapfrog steps of every strategy and kernel against the same steps with the
// reference forces.
TEST(NbodySim, PositionsAfterTenStepsMatchSerialReference) {
  const double eps = 0.01, dt = 1e-3;
  for (int kernel : kernels)
  for (int strategy : strategies) {
    SCOPED_TRACE(std::string(nbody_kernel_names[kernel]) + " " + nbody_strategy_names[strategy]);
    nbody_params prm = plummer(301, eps, strategy, NBODY_FP64, kernel);
    pt_particles *p;
    ASSERT_EQ(nbody_ic_create(MPI_COMM_WORLD, &prm, &p), PT_OK);
    Global g(p);
    nbody_sim *s;
    ASSERT_EQ(nbody_sim_create(&prm, p, nullptr, &s), PT_OK);
    EXPECT_EQ(nbody_sim_start(s), PT_OK);
    for (int k = 0; k < 10; ++k) EXPECT_EQ(nbody_sim_step(s, 0), PT_OK);
    std::vector<double> a[3], pot;
    reference_forces(g, 1.0, eps, a, pot);
    for (int k = 0; k < 10; ++k) {
      for (size_t i = 0; i < g.size(); ++i)
        for (int c = 0; c < 3; ++c) g.v[c][i] += 0.5 * dt * a[c][i], g.x[c][i] += dt * g.v[c][i];
      reference_forces(g, 1.0, eps, a, pot);
      for (size_t i = 0; i < g.size(); ++i)
        for (int c = 0; c < 3; ++c) g.v[c][i] += 0.5 * dt * a[c][i];
    }
    double err = 0;
    for (int64_t i = 0; i < s->p->n; ++i)
      for (int c = 0; c < 3; ++c) err = std::fmax(err, std::fabs(s->p->x[c][i] - g.x[c][s->p->offset + i]));
    EXPECT_LE(max_all(err), 1e-12);
    EXPECT_EQ(s->step, 10);
    EXPECT_DOUBLE_EQ(s->time, 10 * dt);
    nbody_sim_destroy(&s);
  }
}

namespace {

// Maximum relative energy error of the two-body problem over `orbits` orbits, with
// the energy computed here from the bodies (exact two-body potential).
double kepler_energy_error(int integrator, int steps_per_orbit, int orbits, int kernel) {
  nbody_params prm;
  std::memset(&prm, 0, sizeof prm);
  prm.n = 2, prm.G = 1, prm.init = NBODY_INIT_KEPLER, prm.ecc = 0.5, prm.semi_major = 1;
  prm.mass = 1, prm.mass_ratio = 1, prm.integrator = integrator, prm.kernel = kernel;
  prm.dt = nbody_kepler_period(&prm) / steps_per_orbit;
  pt_particles *p;
  nbody_sim *s;
  if (nbody_ic_create(MPI_COMM_SELF, &prm, &p) || nbody_sim_create(&prm, p, nullptr, &s)) return INFINITY;
  auto energy = [&](const pt_particles *b) {
    double k = 0, r2 = 0;
    for (int c = 0; c < 3; ++c) {
      k += 0.5 * (b->mass[0] * b->v[c][0] * b->v[c][0] + b->mass[1] * b->v[c][1] * b->v[c][1]);
      r2 += (b->x[c][1] - b->x[c][0]) * (b->x[c][1] - b->x[c][0]);
    }
    return k - b->mass[0] * b->mass[1] / std::sqrt(r2);
  };
  double e0 = energy(s->p), worst = 0;
  int err = nbody_sim_start(s);
  for (int k = 0; !err && k < steps_per_orbit * orbits; ++k) {
    err = nbody_sim_step(s, 0);
    worst = std::fmax(worst, std::fabs((energy(s->p) - e0) / e0));
  }
  nbody_sim_destroy(&s);
  return err ? INFINITY : worst;
}

}  // namespace

TEST(NbodyKepler, LeapfrogIsSecondOrderWithinBound) {
  if (pt_test::size() != 1) GTEST_SKIP() << "two bodies: a serial test";
  for (int kernel : kernels) {
    SCOPED_TRACE(nbody_kernel_names[kernel]);
    double e1 = kepler_energy_error(NBODY_LEAPFROG, 1000, 10, kernel);
    double e2 = kepler_energy_error(NBODY_LEAPFROG, 2000, 10, kernel);
    EXPECT_LE(e1, 1.1e-4);  // 1.0730e-4 for kick-drift-kick (docs/verification.md)
    EXPECT_NEAR(e1 / e2, 4.0, 0.2) << e1 << " " << e2;
  }
}

TEST(NbodyKepler, DriftKickDriftLeapfrogMeetsTheEnergyBound) {
  // The bound, 3e-5 at 1000 steps per orbit over 10 orbits of e = 0.5, is
  // drift-kick-drift's (2.534e-5, independent Python check in docs/verification.md).
  if (pt_test::size() != 1) GTEST_SKIP() << "two bodies: a serial test";
  for (int kernel : kernels) {
    SCOPED_TRACE(nbody_kernel_names[kernel]);
    double e1 = kepler_energy_error(NBODY_LEAPFROG_DKD, 1000, 10, kernel);
    double e2 = kepler_energy_error(NBODY_LEAPFROG_DKD, 2000, 10, kernel);
    EXPECT_LE(e1, 3e-5);
    EXPECT_NEAR(e1 / e2, 4.0, 0.2) << e1 << " " << e2;
  }
}

TEST(NbodyKepler, Yoshida4IsFourthOrder) {
  if (pt_test::size() != 1) GTEST_SKIP() << "two bodies: a serial test";
  for (int kernel : kernels) {
    SCOPED_TRACE(nbody_kernel_names[kernel]);
    double e1 = kepler_energy_error(NBODY_YOSHIDA4, 1000, 10, kernel);
    double e2 = kepler_energy_error(NBODY_YOSHIDA4, 2000, 10, kernel);
    EXPECT_NEAR(e1 / e2, 16.0, 1.5) << e1 << " " << e2;
  }
}

TEST(NbodyFigure8, ReturnsToStartAfterOnePeriod) {
  if (pt_test::size() > 3) GTEST_SKIP() << "three bodies: at most three ranks";
  for (int kernel : kernels) {
    SCOPED_TRACE(nbody_kernel_names[kernel]);
    nbody_params prm;
    std::memset(&prm, 0, sizeof prm);
    prm.n = 3, prm.G = 1, prm.init = NBODY_INIT_FIGURE8, prm.integrator = NBODY_YOSHIDA4;
    prm.strategy = NBODY_RING, prm.kernel = kernel;
    const int steps = 4000;
    prm.dt = NBODY_FIGURE8_PERIOD / steps;
    pt_particles *p;
    ASSERT_EQ(nbody_ic_create(MPI_COMM_WORLD, &prm, &p), PT_OK);
    std::vector<double> x0[3];
    for (int c = 0; c < 3; ++c) x0[c].assign(p->x[c], p->x[c] + p->n);
    nbody_sim *s;
    ASSERT_EQ(nbody_sim_create(&prm, p, nullptr, &s), PT_OK);
    EXPECT_EQ(nbody_sim_start(s), PT_OK);
    for (int k = 0; k < steps; ++k) EXPECT_EQ(nbody_sim_step(s, 0), PT_OK);
    double d = 0;
    for (int64_t i = 0; i < s->p->n; ++i) {
      double r2 = 0;
      for (int c = 0; c < 3; ++c) r2 += (s->p->x[c][i] - x0[c][i]) * (s->p->x[c][i] - x0[c][i]);
      d = std::fmax(d, std::sqrt(r2));
    }
    EXPECT_LE(max_all(d), 1e-6);
    nbody_sim_destroy(&s);
  }
}

// Plummer, N = 1024: energy error and momentum drift within the bounds measured for
// docs/verification.md (with margin), for every strategy and kernel at this rank count.
TEST(NbodyPlummer, ConservesEnergyAndMomentum) {
  for (int kernel : kernels)
  for (int strategy : strategies) {
    SCOPED_TRACE(std::string(nbody_kernel_names[kernel]) + " " + nbody_strategy_names[strategy]);
    nbody_params prm = plummer(1024, 0.01, strategy, NBODY_FP64, kernel);
    pt_particles *p;
    nbody_sim *s;
    ASSERT_EQ(nbody_ic_create(MPI_COMM_WORLD, &prm, &p), PT_OK);
    ASSERT_EQ(nbody_sim_create(&prm, p, nullptr, &s), PT_OK);
    EXPECT_EQ(nbody_sim_start(s), PT_OK);
    nbody_diag d0, d;
    EXPECT_EQ(nbody_diag_compute(s, &d0), PT_OK);
    double de = 0, dp = 0, dl = 0;
    for (int k = 1; k <= 100; ++k) {
      EXPECT_EQ(nbody_sim_step(s, k % 10 == 0), PT_OK);
      if (k % 10) continue;
      EXPECT_EQ(nbody_diag_compute(s, &d), PT_OK);
      de = std::fmax(de, std::fabs((d.total - d0.total) / d0.total));
      for (int c = 0; c < 3; ++c) {
        dp = std::fmax(dp, std::fabs(d.momentum[c] - d0.momentum[c]));
        dl = std::fmax(dl, std::fabs(d.angular[c] - d0.angular[c]));
      }
    }
    EXPECT_LE(de, 3e-6);    // measured 2.16e-6
    EXPECT_LE(dp, 1e-16);   // round-off: measured <= 9.2e-18
    EXPECT_LE(dl, 1e-16);   // measured <= 1.7e-17
    nbody_sim_destroy(&s);
  }
}

namespace {
// Reads a deck (INI text) for `nranks` ranks; returns the error and its message.
int read_deck(const std::string &text, int nranks, std::string &msg) {
  pt_config *cfg = nullptr;
  nbody_params p;
  int err = pt_config_parse_string("test.ini", text.c_str(), 0, nullptr, &cfg);
  if (!err) err = nbody_params_read(cfg, nranks, &p);
  if (!err) err = pt_config_finish(cfg);
  msg = err ? pt_error_message() : "";
  pt_error_clear();
  pt_config_destroy(&cfg);
  return err;
}
}  // namespace

TEST(NbodyParams, BadInputIsOneClearError) {
  std::string m;
  EXPECT_EQ(read_deck("[nbody]\nn = 3\n", 4, m), PT_ERR_INPUT);
  EXPECT_NE(m.find("test.ini:2: nbody.n: 3 bodies cannot be split over 4 ranks"), std::string::npos) << m;
  EXPECT_EQ(read_deck("[nbody]\neps = -0.1\n", 1, m), PT_ERR_INPUT);
  EXPECT_NE(m.find("test.ini:2: nbody.eps:"), std::string::npos) << m;
  EXPECT_EQ(read_deck("[nbody]\nstrategy = tree\n", 1, m), PT_ERR_INPUT);
  EXPECT_NE(m.find("test.ini:2: nbody.strategy:"), std::string::npos) << m;
  EXPECT_EQ(read_deck("[nbody]\nkernel = quick\n", 1, m), PT_ERR_INPUT);
  EXPECT_NE(m.find("test.ini:2: nbody.kernel: must be one of exact, fast (got 'quick')"), std::string::npos)
      << m;
  EXPECT_EQ(read_deck("[nbody]\nkernel = fast\n[run]\nbackend = cuda\n", 1, m), PT_ERR_INPUT);
  EXPECT_NE(m.find("test.ini:2: nbody.kernel: 'fast' is a CPU kernel"), std::string::npos) << m;
  EXPECT_EQ(read_deck("[time]\nsteps = 10\nend_time = 1\n", 1, m), PT_ERR_INPUT);
  EXPECT_NE(m.find("test.ini:3: time.end_time: give time.steps or time.end_time"), std::string::npos) << m;
  EXPECT_EQ(read_deck("[initial]\ntype = kepler\n", 3, m), PT_ERR_INPUT);
  EXPECT_NE(m.find("initial.type: 2 bodies cannot be split over 3 ranks"), std::string::npos) << m;
  EXPECT_EQ(read_deck("[nbody]\nn = 5\n[initial]\ntype = figure8\n", 1, m), PT_ERR_INPUT);
  EXPECT_EQ(read_deck("[initial]\ntype = file\n", 1, m), PT_ERR_INPUT);
  EXPECT_NE(m.find("initial.file: required"), std::string::npos) << m;
  EXPECT_EQ(read_deck("[nbody]\nstrategy = rma\nepsilon = 1\n", 1, m), PT_ERR_INPUT);
  EXPECT_NE(m.find("nbody.epsilon: unknown key"), std::string::npos) << m;
  // end_time: equal steps no longer than dt, landing on end_time.
  pt_config *cfg;
  nbody_params p;
  ASSERT_EQ(pt_config_parse_string("t.ini", "[time]\ndt = 0.3\nend_time = 1.0\n", 0, nullptr, &cfg), PT_OK);
  EXPECT_EQ(nbody_params_read(cfg, 1, &p), PT_OK);
  EXPECT_EQ(p.steps, 4);
  EXPECT_DOUBLE_EQ(p.dt, 0.25);
  pt_config_destroy(&cfg);
}
