// pt_decomp: block ownership (pure functions), the choice of process grid, the
// Cartesian topology on MPI_COMM_WORLD, and the error messages.
#include "pt_decomp.h"
#include "pt_error.h"
#include "pt_test.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

namespace {

// Sizes that do not divide evenly: 1..13 and two primes.
std::vector<int64_t> odd_sizes() {
  std::vector<int64_t> s;
  for (int64_t n = 1; n <= 13; ++n) s.push_back(n);
  s.push_back(97);
  s.push_back(101);
  return s;
}

// A decomposition used only through the pure functions (no communicator).
pt_decomp pure_decomp(int64_t n, int np) {
  pt_decomp d{};
  d.ndim = 2;
  d.gsize[0] = d.gsize[1] = n;
  d.dims[0] = d.dims[1] = np;
  return d;
}

// Calls fn on a communicator of the first p world ranks; the other ranks skip it.
template <class F>
void on_first_ranks(int p, F fn) {
  MPI_Comm c;
  MPI_Comm_split(MPI_COMM_WORLD, pt_test::rank() < p ? 0 : MPI_UNDEFINED, pt_test::rank(), &c);
  if (c == MPI_COMM_NULL) return;
  fn(c);
  MPI_Comm_free(&c);
}

// Independent oracle for the grid choice, by brute force over all grids: the least total
// cut area, ties to the lexicographically largest grid (more ranks on slower axes).
struct Oracle {
  bool found = false;
  int dims[3] = {1, 1, 1};
};

Oracle best_grid(int ndim, const int64_t g[], const int per[], int p) {
  Oracle o;
  double best = 0;
  for (int a = p; a >= 1; --a)
    for (int b = p; b >= 1; --b)
      for (int c = (ndim == 3 ? p : 1); c >= 1; --c) {
        int d[3] = {a, b, c};
        if ((int64_t)a * b * c != p) continue;
        bool fits = true;
        for (int i = 0; i < ndim; ++i) fits = fits && d[i] <= g[i];
        if (!fits) continue;
        double cost = 0;
        for (int i = 0; i < ndim; ++i) {
          double area = 1;
          for (int j = 0; j < ndim; ++j)
            if (j != i) area *= (double)g[j];
          int cuts = d[i] == 1 ? 0 : per[i] ? d[i] : d[i] - 1;
          cost += cuts * area;
        }
        if (!o.found || cost < best) {
          o.found = true;
          best = cost;
          std::copy(d, d + 3, o.dims);
        }
      }
  return o;
}

// A shape as messages write it: fastest (last) axis first.
std::string grid_str(int ndim, const int64_t g[]) {
  std::string s;
  for (int i = ndim - 1; i >= 0; --i) s += (i < ndim - 1 ? " x " : "") + std::to_string(g[i]);
  return s;
}

}  // namespace

TEST(DecompBlock, BlocksTileTheAxisAndDifferByAtMostOne) {
  for (int64_t n : odd_sizes())
    for (int np = 1; np <= 8; ++np) {
      int64_t next = 0, lo = INT64_MAX, hi = 0;
      for (int p = 0; p < np; ++p) {
        int64_t start, count;
        pt_decomp_block(n, np, p, &start, &count);
        EXPECT_EQ(start, next) << "n=" << n << " np=" << np << " p=" << p;
        next = start + count;
        lo = std::min(lo, count);
        hi = std::max(hi, count);
      }
      EXPECT_EQ(next, n) << "n=" << n << " np=" << np;
      EXPECT_LE(hi - lo, 1) << "n=" << n << " np=" << np;
    }
}

TEST(DecompBlock, ExtraCellsGoToTheFirstBlocks) {
  // 101 = 8 * 12 + 5: blocks 0..4 hold 13 cells, blocks 5..7 hold 12.
  int64_t start, count;
  pt_decomp_block(101, 8, 4, &start, &count);
  EXPECT_EQ(start, 52);
  EXPECT_EQ(count, 13);
  pt_decomp_block(101, 8, 5, &start, &count);
  EXPECT_EQ(start, 65);
  EXPECT_EQ(count, 12);
}

TEST(DecompBlock, OwnerInvertsTheBlocks) {
  for (int64_t n : odd_sizes())
    for (int np = 1; np <= std::min<int64_t>(n, 8); ++np) {
      pt_decomp d = pure_decomp(n, np);
      for (int p = 0; p < np; ++p) {
        int64_t start, count;
        pt_decomp_block(n, np, p, &start, &count);
        for (int64_t g = start; g < start + count; ++g)
          EXPECT_EQ(pt_decomp_owner(&d, 1, g), p) << "n=" << n << " np=" << np << " g=" << g;
      }
      EXPECT_EQ(pt_decomp_owner(&d, 0, -1), -1);
      EXPECT_EQ(pt_decomp_owner(&d, 0, n), -1);
    }
}

TEST(DecompGrid, ChosenGridsFitAndMinimiseTheCutArea) {
  // Every rank count 1..size in one launch: the first p ranks form a communicator.
  const std::vector<std::vector<int64_t>> sizes = {
      {1, 1}, {1, 8}, {2, 3}, {5, 7}, {7, 5}, {13, 2}, {64, 64}, {97, 101}, {3, 1000},
      {1, 1, 1}, {2, 2, 2}, {3, 5, 7}, {1, 13, 11}, {32, 32, 32}, {97, 2, 101}};
  for (int p = 1; p <= pt_test::size(); ++p)
    on_first_ranks(p, [&](MPI_Comm c) {
      for (const auto &g : sizes)
        for (int periodic = 0; periodic < 2; ++periodic) {
          int ndim = (int)g.size();
          int per[3] = {periodic, 0, periodic};
          Oracle o = best_grid(ndim, g.data(), per, p);
          pt_decomp *d = nullptr;
          int err = pt_decomp_create(c, ndim, g.data(), per, nullptr, &d);
          std::string where = grid_str(ndim, g.data()) + " on " + std::to_string(p) + " ranks";
          if (!o.found) {
            EXPECT_EQ(err, PT_ERR_INPUT) << where;
            EXPECT_EQ(std::string(pt_error_message()),
                      "grid " + grid_str(ndim, g.data()) + " cannot be split over " + std::to_string(p) +
                          " ranks: every rank needs at least one cell per axis");
            EXPECT_EQ(d, nullptr);
            continue;
          }
          EXPECT_EQ(err, PT_OK) << where << ": " << pt_error_message();
          if (!d) continue;  // agreed: the same on every rank of c
          int64_t prod = 1;
          for (int a = 0; a < ndim; ++a) {
            prod *= d->dims[a];
            EXPECT_LE(d->dims[a], g[a]) << where;
            EXPECT_EQ(d->dims[a], o.dims[a]) << where << " axis " << a;
          }
          EXPECT_EQ(prod, p) << where;
          pt_decomp_destroy(&d);
        }
    });
}

TEST(DecompGrid, KnownChoices) {
  // Least cut area, ties to more ranks on the slower axis (MPI_Dims_create's order).
  struct Case { int p, ndim; int64_t g[3]; int want[3]; };
  const Case cases[] = {
      {2, 2, {64, 64, 0}, {2, 1, 0}},    // tie 64 vs 64: slower axis first
      {4, 2, {64, 64, 0}, {2, 2, 0}},    // 128 cut cells beat 4 x 1's 192
      {6, 2, {64, 64, 0}, {3, 2, 0}},    // tie with 2 x 3
      {8, 2, {5, 7, 0}, {2, 4, 0}},      // 2 x 4 cuts 1*7 + 3*5 = 22 < 4 x 2's 26; 8 x 1 does not fit
      {4, 2, {3, 1000, 0}, {1, 4, 0}},   // thin grid: cut across the long axis
      {8, 3, {32, 32, 32}, {2, 2, 2}},
      {4, 3, {32, 32, 32}, {2, 2, 1}},
  };
  for (const Case &k : cases) {
    if (k.p > pt_test::size()) continue;
    on_first_ranks(k.p, [&](MPI_Comm c) {
      pt_decomp *d = nullptr;
      EXPECT_EQ(pt_decomp_create(c, k.ndim, k.g, nullptr, nullptr, &d), PT_OK) << pt_error_message();
      if (!d) return;
      for (int a = 0; a < k.ndim; ++a) EXPECT_EQ(d->dims[a], k.want[a]) << "p=" << k.p << " axis " << a;
      pt_decomp_destroy(&d);
    });
  }
}

TEST(DecompGrid, FixedAxesAreKept) {
  const int64_t g[2] = {50, 60};
  const int req[2] = {1, 0};
  pt_decomp *d = nullptr;
  EXPECT_EQ(pt_decomp_create(MPI_COMM_WORLD, 2, g, nullptr, req, &d), PT_OK) << pt_error_message();
  if (!d) return;
  EXPECT_EQ(d->dims[0], 1);
  EXPECT_EQ(d->dims[1], pt_test::size());
  pt_decomp_destroy(&d);
}

// Topology checks on the whole world, 2D and 3D, periodic and not.
class DecompWorld : public testing::TestWithParam<int> {};

static void make_world(int variant, pt_decomp **d) {
  // variant bit 0: periodic; bit 1: 3D. Odd sizes so blocks differ.
  static const int64_t g2[2] = {13, 11}, g3[3] = {7, 11, 5};
  int per[3] = {variant & 1, variant & 1, variant & 1};
  int ndim = variant & 2 ? 3 : 2;
  EXPECT_EQ(pt_decomp_create(MPI_COMM_WORLD, ndim, ndim == 3 ? g3 : g2, per, nullptr, d), PT_OK)
      << pt_error_message();
}

TEST_P(DecompWorld, NeighboursAreSymmetric) {
  pt_decomp *d = nullptr;
  make_world(GetParam(), &d);
  if (!d) return;
  EXPECT_EQ(d->rank, pt_test::rank());  // reorder = 0
  EXPECT_EQ(d->size, pt_test::size());
  for (int a = 0; a < d->ndim; ++a) {
    // Send my rank to my +1 neighbour: what arrives from my -1 neighbour is its rank.
    int from_lo = -7, from_hi = -7;
    MPI_Sendrecv(&d->rank, 1, MPI_INT, d->nbr[a][1], 0, &from_lo, 1, MPI_INT, d->nbr[a][0], 0, d->cart,
                 MPI_STATUS_IGNORE);
    if (d->nbr[a][0] != MPI_PROC_NULL) {
      EXPECT_EQ(from_lo, d->nbr[a][0]) << "axis " << a;
    }
    // My +1 neighbour tells its -1 neighbour who that is: it must be me.
    MPI_Sendrecv(&d->nbr[a][0], 1, MPI_INT, d->nbr[a][0], 1, &from_hi, 1, MPI_INT, d->nbr[a][1], 1, d->cart,
                 MPI_STATUS_IGNORE);
    if (d->nbr[a][1] != MPI_PROC_NULL) {
      EXPECT_EQ(from_hi, d->rank) << "axis " << a;
    }
    // Neighbours sit one step away along axis a only.
    for (int s = 0; s < 2; ++s) {
      if (d->nbr[a][s] == MPI_PROC_NULL) continue;
      int c[PT_MAXDIM];
      MPI_Cart_coords(d->cart, d->nbr[a][s], d->ndim, c);
      for (int b = 0; b < d->ndim; ++b) {
        int want = b != a ? d->coords[b] : (d->coords[b] + (s ? 1 : -1) + d->dims[b]) % d->dims[b];
        EXPECT_EQ(c[b], want) << "axis " << a << " side " << s << " coord " << b;
      }
    }
  }
  pt_decomp_destroy(&d);
  EXPECT_EQ(d, nullptr);
}

TEST_P(DecompWorld, EdgesWrapOnlyWhenPeriodic) {
  pt_decomp *d = nullptr;
  make_world(GetParam(), &d);
  if (!d) return;
  bool periodic = GetParam() & 1;
  for (int a = 0; a < d->ndim; ++a) {
    int c[PT_MAXDIM], other;
    std::copy(d->coords, d->coords + PT_MAXDIM, c);
    if (d->coords[a] == 0) {
      c[a] = d->dims[a] - 1;
      MPI_Cart_rank(d->cart, c, &other);
      EXPECT_EQ(d->nbr[a][0], periodic ? other : MPI_PROC_NULL) << "axis " << a;
    }
    if (d->coords[a] == d->dims[a] - 1) {
      c[a] = 0;
      MPI_Cart_rank(d->cart, c, &other);
      EXPECT_EQ(d->nbr[a][1], periodic ? other : MPI_PROC_NULL) << "axis " << a;
    }
  }
  pt_decomp_destroy(&d);
}

TEST_P(DecompWorld, OwnedBoxesCoverTheGrid) {
  pt_decomp *d = nullptr;
  make_world(GetParam(), &d);
  if (!d) return;
  int64_t mine = pt_decomp_local_cells(d), sum = 0;
  MPI_Allreduce(&mine, &sum, 1, MPI_INT64_T, MPI_SUM, d->cart);
  EXPECT_EQ(sum, pt_decomp_global_cells(d));
  int64_t lo[PT_MAXDIM], n[PT_MAXDIM];
  pt_decomp_box_of(d, d->coords, lo, n);
  for (int a = 0; a < d->ndim; ++a) {
    EXPECT_EQ(lo[a], d->lo[a]);
    EXPECT_EQ(n[a], d->n[a]);
    EXPECT_GE(n[a], 1);
    EXPECT_EQ(pt_decomp_owner(d, a, d->lo[a]), d->coords[a]);
    EXPECT_EQ(pt_decomp_owner(d, a, d->lo[a] + d->n[a] - 1), d->coords[a]);
  }
  pt_decomp_destroy(&d);
}

INSTANTIATE_TEST_SUITE_P(Variants, DecompWorld, testing::Values(0, 1, 2, 3), [](const auto &info) {
  return std::string(info.param & 2 ? "3D" : "2D") + (info.param & 1 ? "Periodic" : "Open");
});

// Errors: every rank gets the same code and message, and no decomposition.
static void expect_error(int ndim, const int64_t g[], const int *req, const std::string &msg) {
  pt_decomp *d = nullptr;
  EXPECT_EQ(pt_decomp_create(MPI_COMM_WORLD, ndim, g, nullptr, req, &d), PT_ERR_INPUT) << msg;
  EXPECT_EQ(std::string(pt_error_message()), msg);
  EXPECT_EQ(d, nullptr);
  pt_error_clear();
}

TEST(DecompErrors, GridTooSmallForTheRanks) {
  const int p = pt_test::size();
  const int64_t g[2] = {1, 1};
  if (p == 1) {
    pt_decomp *d = nullptr;
    EXPECT_EQ(pt_decomp_create(MPI_COMM_WORLD, 2, g, nullptr, nullptr, &d), PT_OK);
    if (d) {
      EXPECT_EQ(d->dims[0] * d->dims[1], 1);
    }
    pt_decomp_destroy(&d);
    return;
  }
  expect_error(2, g, nullptr,
               "grid 1 x 1 cannot be split over " + std::to_string(p) +
                   " ranks: every rank needs at least one cell per axis");
}

TEST(DecompErrors, FixedAxisLargerThanTheGrid) {
  const int p = pt_test::size();
  if (p < 3) GTEST_SKIP() << "needs 3 ranks";
  const int64_t g[2] = {2, 100};
  const int req[2] = {p, 0};
  expect_error(2, g, req,
               "grid 100 x 2 cannot be split over " + std::to_string(p) + " ranks as * x " + std::to_string(p) +
                   ": every rank needs at least one cell per axis");
}

TEST(DecompErrors, WrongFixedDims) {
  const int p = pt_test::size();
  const int64_t g[2] = {100, 100};
  const int all[2] = {p + 1, 1};
  expect_error(2, g, all,
               "process grid 1 x " + std::to_string(p + 1) + " does not match the number of ranks (" +
                   std::to_string(p) + ")");
  const int part[2] = {p + 1, 0};
  expect_error(2, g, part,
               "process grid * x " + std::to_string(p + 1) + " cannot use " + std::to_string(p) +
                   " ranks: the fixed counts must multiply to a divisor of " + std::to_string(p));
  const int neg[2] = {0, -2};
  expect_error(2, g, neg, "process count along axis x must be at least 0 (0 = automatic), got -2");
}

// Shapes and axes read as in files: the fastest (last) axis first, and named x.
TEST(DecompErrors, BadDimensionsAndSizes) {
  const int64_t g[4] = {8, 8, 8, 8};
  expect_error(4, g, nullptr, "number of dimensions must be 2 or 3 (got 4)");
  expect_error(1, g, nullptr, "number of dimensions must be 2 or 3 (got 1)");
  const int64_t zero[2] = {8, 0};
  expect_error(2, zero, nullptr, "global size along axis x must be at least 1 (got 0)");
  const int64_t huge[3] = {INT64_C(1) << 62, 4, 1};
  expect_error(3, huge, nullptr, "grid 1 x 4 x 4611686018427387904 has more cells than a 64-bit index can count");
}
