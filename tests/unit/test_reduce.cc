// pt_reduce: the reproducible sum gives the same bits for any rank count and any order,
// and is at least as accurate as naive double summation.
#include "pt_test.h"

#include <cmath>
#include <cstdint>
#include <vector>

#include "pt_error.h"
#include "pt_reduce.h"

// Terms spanning 40 orders of magnitude with cancellation: naive summation in
// different orders gives different bits for this sequence.
static double term(int64_t i) {
  double sign = (i % 3 == 0) ? -1.0 : 1.0;
  return sign * std::ldexp(1.0 + (double)(i % 977) / 977.0, (int)(i % 131) - 65);
}

static const int64_t N = 100003;  // prime: blocks are uneven on every rank count

// This rank's block of terms, in forward or reversed order.
static std::vector<double> my_terms(bool reversed) {
  int r = pt_test::rank(), p = pt_test::size();
  int64_t lo = N * r / p, hi = N * (r + 1) / p;
  std::vector<double> x;
  for (int64_t i = lo; i < hi; ++i) x.push_back(term(i));
  if (reversed) std::vector<double>(x.rbegin(), x.rend()).swap(x);
  return x;
}

// The exact sum computed independently: long double Kahan over all terms on one rank
// differs from the exact value by far less than the double result's half ulp here.
static double reference_sum() {
  long double s = 0, c = 0;
  for (int64_t i = 0; i < N; ++i) {
    long double y = (long double)term(i) - c, t = s + y;
    c = (t - s) - y;
    s = t;
  }
  return (double)s;
}

TEST(Reduce, SameBitsForAnyOrderAndRankCount) {
  double fwd = 0, rev = 0;
  std::vector<double> a = my_terms(false), b = my_terms(true);
  EXPECT_EQ(PT_OK, pt_reduce_sum(MPI_COMM_WORLD, a.data(), a.size(), &fwd));
  EXPECT_EQ(PT_OK, pt_reduce_sum(MPI_COMM_WORLD, b.data(), b.size(), &rev));
  EXPECT_EQ(fwd, rev);
  // Same value on one rank alone: the rank count does not matter.
  std::vector<double> all;
  for (int64_t i = 0; i < N; ++i) all.push_back(term(i));
  double one = 0;
  EXPECT_EQ(PT_OK, pt_reduce_sum(MPI_COMM_SELF, all.data(), all.size(), &one));
  EXPECT_EQ(one, fwd);
  double ref = reference_sum();
  EXPECT_NEAR(ref, fwd, std::fabs(ref) * 1e-15);
}

TEST(Reduce, EmptyRanksAndZeros) {
  // Only rank 0 contributes; every rank gets the sum.
  std::vector<double> x;
  if (pt_test::rank() == 0) x = {1.5, -0.25, 0.0};
  double s = -1;
  EXPECT_EQ(PT_OK, pt_reduce_sum(MPI_COMM_WORLD, x.data(), x.size(), &s));
  EXPECT_EQ(1.25, s);
  std::vector<double> z(5, 0.0);
  EXPECT_EQ(PT_OK, pt_reduce_sum(MPI_COMM_WORLD, z.data(), z.size(), &s));
  EXPECT_EQ(0.0, s);
}

TEST(Reduce, NonFiniteTermIsAnError) {
  std::vector<double> x(3, 1.0);
  if (pt_test::rank() == pt_test::size() - 1) x[1] = NAN;
  double s;
  EXPECT_EQ(PT_ERR_RUNTIME, pt_reduce_sum(MPI_COMM_WORLD, x.data(), x.size(), &s));
}

TEST(Reduce, LargeMagnitudesDoNotOverflow) {
  std::vector<double> x(1000, 1e300);
  double s;
  EXPECT_EQ(PT_OK, pt_reduce_sum(MPI_COMM_WORLD, x.data(), x.size(), &s));
  EXPECT_NEAR(1e303 * pt_test::size(), s, 1e288 * pt_test::size());
}
