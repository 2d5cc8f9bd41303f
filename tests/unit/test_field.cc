// pt_field: storage layout and alignment, zero fill, pack/unpack, fill, ghost-width
// errors.
#include "pt_decomp.h"
#include "pt_error.h"
#include "pt_field.h"
#include "pt_test.h"

#include <cstdint>
#include <string>
#include <vector>

namespace {

// Odd sizes so that blocks differ by one cell between ranks.
pt_decomp *make_decomp(int ndim, int periodic = 0) {
  static const int64_t g2[2] = {13, 11}, g3[3] = {9, 7, 5};
  int per[3] = {periodic, periodic, periodic};
  pt_decomp *d = nullptr;
  EXPECT_EQ(pt_decomp_create(MPI_COMM_WORLD, ndim, ndim == 3 ? g3 : g2, per, nullptr, &d), PT_OK)
      << pt_error_message();
  return d;
}

bool is_owned(const pt_field *f, const int64_t idx[]) {
  for (int a = 0; a < f->ndim; ++a)
    if (idx[a] < 0 || idx[a] >= f->n[a]) return false;
  return true;
}

}  // namespace

class FieldLayout : public testing::TestWithParam<std::tuple<int, int>> {};

TEST_P(FieldLayout, ExtentsStridesAlignmentAndZeroFill) {
  const int ndim = std::get<0>(GetParam()), ng = std::get<1>(GetParam());
  pt_decomp *d = make_decomp(ndim, 1);
  if (!d) return;
  pt_field *f = nullptr;
  EXPECT_EQ(pt_field_create(d, ng, &f), PT_OK) << pt_error_message();
  if (f) {
    EXPECT_EQ(f->decomp, d);
    EXPECT_EQ(f->ndim, ndim);
    EXPECT_EQ(f->ng, ng);
    const int last = ndim - 1;
    for (int a = 0; a < ndim; ++a) {
      EXPECT_EQ(f->n[a], d->n[a]);
      if (a < last) {
        EXPECT_EQ(f->alloc[a], d->n[a] + 2 * ng);
      }
    }
    // Fastest axis: n + 2 ng rounded up to whole 64-byte lines of 8 doubles.
    EXPECT_EQ(f->alloc[last] % 8, 0);
    EXPECT_GE(f->alloc[last], d->n[last] + 2 * ng);
    EXPECT_LT(f->alloc[last], d->n[last] + 2 * ng + 8);
    EXPECT_EQ(f->stride[last], 1);
    for (int a = last - 1; a >= 0; --a) EXPECT_EQ(f->stride[a], f->stride[a + 1] * f->alloc[a + 1]);
    int64_t alloc[PT_MAXDIM], stride[PT_MAXDIM];
    pt_field_layout(ndim, f->n, ng, alloc, stride);
    for (int a = 0; a < ndim; ++a) {
      EXPECT_EQ(alloc[a], f->alloc[a]);
      EXPECT_EQ(stride[a], f->stride[a]);
    }
    EXPECT_EQ(reinterpret_cast<uintptr_t>(f->base) % 64, 0u);
    int64_t origin_off = 0;
    for (int a = 0; a < ndim; ++a) origin_off += ng * f->stride[a];
    EXPECT_EQ(f->data - f->base, origin_off);
    // Every row (first ghost cell of the fastest axis) starts on a 64-byte boundary.
    int64_t bad_rows = 0, nonzero = 0;
    pt_test::for_all_alloc(f, [&](const int64_t idx[]) {
      if (f->data[pt_field_offset(f, idx)] != 0.0) ++nonzero;
      if (idx[last] == -ng && reinterpret_cast<uintptr_t>(f->data + pt_field_offset(f, idx)) % 64 != 0) ++bad_rows;
    });
    EXPECT_EQ(bad_rows, 0);
    EXPECT_EQ(nonzero, 0);
  }
  pt_field_destroy(&f);
  EXPECT_EQ(f, nullptr);
  pt_decomp_destroy(&d);
}

INSTANTIATE_TEST_SUITE_P(DimsAndGhosts, FieldLayout,
                         testing::Combine(testing::Values(2, 3), testing::Values(0, 1, 2)),
                         [](const auto &info) {
                           return std::to_string(std::get<0>(info.param)) + "D_ng" +
                                  std::to_string(std::get<1>(info.param));
                         });

class FieldData : public testing::TestWithParam<int> {};

TEST_P(FieldData, PackUnpackRoundTripLeavesGhostsAlone) {
  const int ndim = GetParam(), ng = 2;
  pt_decomp *d = make_decomp(ndim);
  if (!d) return;
  pt_field *f = nullptr;
  EXPECT_EQ(pt_field_create(d, ng, &f), PT_OK) << pt_error_message();
  if (f) {
    const int64_t cells = pt_decomp_local_cells(d);
    // Ghosts and padding hold a sentinel that no owned value takes.
    pt_test::for_all_alloc(f, [&](const int64_t idx[]) { f->data[pt_field_offset(f, idx)] = -1.0; });
    std::vector<double> in(cells), out(cells, 0.0);
    for (int64_t i = 0; i < cells; ++i) in[i] = 1000.0 * pt_test::rank() + i;
    pt_field_unpack_owned(f, in.data());
    // Dense C order: the i-th owned cell in C order holds in[i].
    int64_t k = 0, wrong = 0, ghosts_changed = 0;
    pt_test::for_all_alloc(f, [&](const int64_t idx[]) {
      double v = f->data[pt_field_offset(f, idx)];
      if (is_owned(f, idx)) wrong += v != in[k++];
      else ghosts_changed += v != -1.0;
    });
    EXPECT_EQ(k, cells);
    EXPECT_EQ(wrong, 0);
    EXPECT_EQ(ghosts_changed, 0);
    pt_field_pack_owned(f, out.data());
    EXPECT_EQ(out, in);

    pt_field_fill(f, 3.5);
    int64_t not_filled = 0;
    ghosts_changed = 0;
    pt_test::for_all_alloc(f, [&](const int64_t idx[]) {
      double v = f->data[pt_field_offset(f, idx)];
      if (is_owned(f, idx)) not_filled += v != 3.5;
      else ghosts_changed += v != -1.0;
    });
    EXPECT_EQ(not_filled, 0);
    EXPECT_EQ(ghosts_changed, 0);
  }
  pt_field_destroy(&f);
  pt_decomp_destroy(&d);
}

INSTANTIATE_TEST_SUITE_P(Dims, FieldData, testing::Values(2, 3),
                         [](const auto &info) { return std::to_string(info.param) + "D"; });

// Axis 0 over all ranks, periodic, 2P + 1 cells: the last rank holds the smallest block,
// 2 cells (3 when alone).
static pt_decomp *thin_decomp() {
  const int p = pt_test::size();
  const int64_t g[2] = {2 * p + 1, 5};
  const int per[2] = {1, 0}, req[2] = {p, 1};
  pt_decomp *d = nullptr;
  EXPECT_EQ(pt_decomp_create(MPI_COMM_WORLD, 2, g, per, req, &d), PT_OK) << pt_error_message();
  return d;
}

// Fields of one shape never place the same cell at the same offset within a page (a
// kernel reading one and writing the other would stall on 4K aliasing).
TEST(FieldLayoutStagger, TheSameCellOfSuccessiveFieldsLiesAtDifferentPageOffsets) {
  pt_decomp *d = thin_decomp();
  if (!d) return;
  enum { N = 4 };
  pt_field *f[N] = {};
  for (int k = 0; k < N; ++k) ASSERT_EQ(pt_field_create(d, 1, &f[k]), PT_OK) << pt_error_message();
  for (int a = 0; a < N; ++a)
    for (int b = a + 1; b < N; ++b) {
      const uintptr_t pa = reinterpret_cast<uintptr_t>(f[a]->data) % 4096,
                      pb = reinterpret_cast<uintptr_t>(f[b]->data) % 4096;
      const uintptr_t apart = pa > pb ? pa - pb : pb - pa;
      EXPECT_GE(apart < 4096 - apart ? apart : 4096 - apart, 128u) << "fields " << a << " and " << b;
    }
  for (int k = 0; k < N; ++k) pt_field_destroy(&f[k]);
  pt_decomp_destroy(&d);
}

TEST(FieldErrors, GhostWidthLargerThanTheSmallestBlock) {
  pt_decomp *d = thin_decomp();
  if (!d) return;
  const int p = pt_test::size();
  const int smallest = p == 1 ? 3 : 2;
  pt_field *f = nullptr;
  // Every rank reaches the same verdict, also those whose own block is larger.
  EXPECT_EQ(pt_field_create(d, smallest + 1, &f), PT_ERR_INPUT);
  EXPECT_EQ(std::string(pt_error_message()),
            "ghost width " + std::to_string(smallest + 1) + " exceeds the " + std::to_string(smallest) +
                " cells owned along axis y by rank " + std::to_string(p - 1) +
                ": use fewer ranks or a larger grid");
  EXPECT_EQ(f, nullptr);
  pt_error_clear();
  EXPECT_EQ(pt_field_create(d, smallest, &f), PT_OK) << pt_error_message();
  pt_field_destroy(&f);
  pt_decomp_destroy(&d);
}

TEST(FieldErrors, GhostWidthUnlimitedAlongAnAxisWithoutExchange) {
  // Axis 1 has one rank and is not periodic: its ghosts are boundary storage only.
  pt_decomp *d = thin_decomp();
  if (!d) return;
  pt_field *f = nullptr;
  EXPECT_EQ(d->n[1], 5);
  EXPECT_EQ(pt_field_create(d, 2, &f), PT_OK) << pt_error_message();
  if (f) {  // 5 + 2 * 2 = 9, padded to 16
    EXPECT_EQ(f->alloc[1], 16);
  }
  pt_field_destroy(&f);
  pt_decomp_destroy(&d);

  const int64_t g[2] = {8 * pt_test::size(), 2};
  const int req[2] = {pt_test::size(), 1};
  EXPECT_EQ(pt_decomp_create(MPI_COMM_WORLD, 2, g, nullptr, req, &d), PT_OK) << pt_error_message();
  if (!d) return;
  EXPECT_EQ(pt_field_create(d, 3, &f), PT_OK) << pt_error_message();
  pt_field_destroy(&f);
  pt_decomp_destroy(&d);
}

TEST(FieldErrors, NegativeGhostWidth) {
  pt_decomp *d = make_decomp(2);
  if (!d) return;
  pt_field *f = nullptr;
  EXPECT_EQ(pt_field_create(d, -1, &f), PT_ERR_INPUT);
  EXPECT_EQ(std::string(pt_error_message()), "ghost width must be at least 0 (got -1)");
  EXPECT_EQ(f, nullptr);
  pt_error_clear();
  pt_decomp_destroy(&d);
}
