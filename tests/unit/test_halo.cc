// pt_halo: every back-end, 2D and 3D, periodic and not, ghost widths 1 and 2, on odd
// grid sizes. Owned cells hold a unique function of their global index; after an
// exchange every face ghost must hold the value of the global cell it mirrors (with
// periodic wrap), and every other non-owned cell (edges, corners, outer boundaries,
// padding) must still hold the sentinel; the box exchange fills edges and corners too.
#include "pt_decomp.h"
#include "pt_error.h"
#include "pt_field.h"
#include "pt_halo.h"
#include "pt_test.h"

#include <chrono>
#include <cstdint>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

namespace {

constexpr double kSentinel = -1.0;

// Unique per global cell for sizes below 1000, and per exchange round.
double cell_value(int ndim, const int64_t g[], int round) {
  double v = round * 1e9;
  return ndim == 2 ? v + g[0] * 1e3 + g[1] : v + g[0] * 1e6 + g[1] * 1e3 + g[2];
}

// Owned cells get cell_value, everything else the sentinel.
void fill_round(pt_field *f, int round) {
  const pt_decomp *d = f->decomp;
  pt_test::for_all_alloc(f, [&](const int64_t idx[]) {
    bool owned = true;
    int64_t g[3] = {0, 0, 0};
    for (int a = 0; a < f->ndim; ++a) {
      owned = owned && idx[a] >= 0 && idx[a] < f->n[a];
      g[a] = d->lo[a] + idx[a];
    }
    f->data[pt_field_offset(f, idx)] = owned ? cell_value(f->ndim, g, round) : kSentinel;
  });
}

// What cell idx must hold after an exchange of round `round`: face ghosts only, or with
// `box` the edges and corners too (a ghost beyond several faces, each with a neighbour).
double expected(const pt_field *f, const int64_t idx[], int round, bool box) {
  const pt_decomp *d = f->decomp;
  int outside = 0, axis = -1;
  for (int a = 0; a < f->ndim; ++a)
    if (idx[a] < 0 || idx[a] >= f->n[a]) {
      ++outside;
      axis = a;
    }
  if (box && outside > 0) {
    int64_t g[3] = {0, 0, 0};
    for (int a = 0; a < f->ndim; ++a) {
      if (idx[a] < -f->ng || idx[a] >= f->n[a] + f->ng) return kSentinel;  // padding
      const bool out = idx[a] < 0 || idx[a] >= f->n[a];
      if (out && d->nbr[a][idx[a] >= 0] == MPI_PROC_NULL) return kSentinel;
      g[a] = (d->lo[a] + idx[a] + d->gsize[a]) % d->gsize[a];
    }
    return cell_value(f->ndim, g, round);
  }
  if (outside == 0) {
    int64_t g[3] = {0, 0, 0};
    for (int a = 0; a < f->ndim; ++a) g[a] = d->lo[a] + idx[a];
    return cell_value(f->ndim, g, round);
  }
  // Edge, corner, or the padding beyond the ghosts of the fastest axis.
  if (outside > 1 || idx[axis] < -f->ng || idx[axis] >= f->n[axis] + f->ng) return kSentinel;
  int side = idx[axis] >= 0;
  if (d->nbr[axis][side] == MPI_PROC_NULL) return kSentinel;
  int64_t g[3] = {0, 0, 0};
  for (int a = 0; a < f->ndim; ++a) g[a] = d->lo[a] + idx[a];
  g[axis] = (g[axis] + d->gsize[axis]) % d->gsize[axis];
  return cell_value(f->ndim, g, round);
}

// Counts the cells that differ from `expected`, and describes the first one.
int64_t check_round(const pt_field *f, int round, std::string *first, bool box = false) {
  int64_t bad = 0;
  pt_test::for_all_alloc(f, [&](const int64_t idx[]) {
    double want = expected(f, idx, round, box), got = f->data[pt_field_offset(f, idx)];
    if (got == want) return;
    if (bad++ == 0) {
      std::ostringstream s;
      s << "local (";
      for (int a = 0; a < f->ndim; ++a) s << (a ? ", " : "") << idx[a];
      s << ") holds " << got << ", want " << want;
      *first = s.str();
    }
  });
  return bad;
}

struct Geometry {
  const char *name;
  int ndim;
  int64_t gsize[3];
  int dims_req[3];
};

// Odd and prime sizes whose smallest block is at least 2 cells on 1..6 ranks. The last
// puts every rank along the fastest axis, so slabs are strided the other way.
const Geometry kGeometries[] = {
    {"2D", 2, {13, 11, 0}, {0, 0, 0}},
    {"3D", 3, {9, 7, 5}, {0, 0, 0}},
    {"2Dcols", 2, {5, 101, 0}, {1, 0, 0}},
};

// pt_halo_create, except that a one-sided back-end this MPI cannot serve (MPI_Win_create
// fails: Open MPI without a usable osc component) leaves *h NULL and sets `unavailable`,
// so the test is skipped with the library's message rather than failed. The verdict is
// agreed, so every rank skips alike.
int create_halo(pt_field *f, int kind, pt_halo **h, std::string *unavailable, bool box = false) {
  int err = box ? pt_halo_create_box(f, (pt_halo_kind)kind, h) : pt_halo_create(f, (pt_halo_kind)kind, h);
  std::string msg = pt_error_message();
  if (err == PT_ERR_INPUT && msg.find("is not available: MPI_Win_create failed") != std::string::npos) {
    *unavailable = msg;
    pt_error_clear();
    return PT_OK;
  }
  return err;
}

std::string kind_name(int k) {
  std::string s = pt_halo_kind_names[k];
  return s == "rma-pscw" ? "rmapscw" : s;
}

}  // namespace

// (back-end, geometry, periodic, ghost width)
class HaloExchange : public testing::TestWithParam<std::tuple<int, int, int, int>> {
 protected:
  void SetUp() override {
    const Geometry &geo = kGeometries[std::get<1>(GetParam())];
    const int per = std::get<2>(GetParam());
    const int periodic[3] = {per, per, per};
    EXPECT_EQ(pt_decomp_create(MPI_COMM_WORLD, geo.ndim, geo.gsize, periodic, geo.dims_req, &d_), PT_OK)
        << pt_error_message();
    if (d_) {
      EXPECT_EQ(pt_field_create(d_, std::get<3>(GetParam()), &f_), PT_OK) << pt_error_message();
    }
    // pt_field_create gives the same verdict on every rank; pt_halo_create agrees on its.
    if (f_) {
      EXPECT_EQ(create_halo(f_, std::get<0>(GetParam()), &h_, &unavailable_, box_), PT_OK)
          << pt_error_message();
    }
    if (!unavailable_.empty()) GTEST_SKIP() << unavailable_;
  }
  void TearDown() override {
    pt_halo_destroy(&h_);
    pt_field_destroy(&f_);
    pt_decomp_destroy(&d_);
  }
  void expect_round(int round) {
    std::string first;
    EXPECT_EQ(check_round(f_, round, &first, box_), 0) << "round " << round << ": " << first;
  }
  bool box_ = false;
  pt_decomp *d_ = nullptr;
  pt_field *f_ = nullptr;
  pt_halo *h_ = nullptr;
  std::string unavailable_;
};

TEST_P(HaloExchange, FaceGhostsMirrorTheNeighboursAndNothingElseChanges) {
  if (!h_) return;  // set-up failures are agreed: every rank leaves here
  // Twice with new values: persistent requests and windows are reused.
  for (int round = 1; round <= 2; ++round) {
    fill_round(f_, round);
    EXPECT_EQ(pt_halo_exchange(h_), PT_OK) << pt_error_message();
    expect_round(round);
  }
}

TEST_P(HaloExchange, BeginAndEndSplitByWork) {
  if (!h_) return;
  fill_round(f_, 3);
  EXPECT_EQ(pt_halo_begin(h_), PT_OK) << pt_error_message();
  // Interior work between begin and end; ranks pause for different times.
  std::this_thread::sleep_for(std::chrono::milliseconds(2 * (pt_test::rank() % 3)));
  EXPECT_EQ(pt_halo_end(h_), PT_OK) << pt_error_message();
  expect_round(3);
  // And once more, so a split exchange is followed by a plain one.
  fill_round(f_, 4);
  EXPECT_EQ(pt_halo_exchange(h_), PT_OK) << pt_error_message();
  expect_round(4);
}

TEST_P(HaloExchange, ProgressCallsDuringTheWorkChangeNothing) {
  if (!h_) return;
  EXPECT_EQ(pt_halo_progress(h_), PT_OK) << "no exchange in flight: " << pt_error_message();
  fill_round(f_, 5);
  EXPECT_EQ(pt_halo_begin(h_), PT_OK) << pt_error_message();
  // Interior work in slabs with a look at the exchange between them, some ranks longer.
  for (int slab = 0; slab < 8; ++slab) {
    std::this_thread::sleep_for(std::chrono::microseconds(200 * (pt_test::rank() % 2)));
    EXPECT_EQ(pt_halo_progress(h_), PT_OK) << pt_error_message();
  }
  EXPECT_EQ(pt_halo_end(h_), PT_OK) << pt_error_message();
  expect_round(5);
  // The requests a progress call completed are started again by the next exchange.
  fill_round(f_, 6);
  EXPECT_EQ(pt_halo_exchange(h_), PT_OK) << pt_error_message();
  expect_round(6);
}

INSTANTIATE_TEST_SUITE_P(All, HaloExchange,
                         testing::Combine(testing::Range(0, (int)PT_HALO_NKINDS), testing::Range(0, 3),
                                          testing::Values(0, 1), testing::Values(1, 2)),
                         [](const auto &info) {
                           return kind_name(std::get<0>(info.param)) + "_" +
                                  kGeometries[std::get<1>(info.param)].name +
                                  (std::get<2>(info.param) ? "_periodic" : "_open") + "_ng" +
                                  std::to_string(std::get<3>(info.param));
                         });

// The whole ghost box, edges and corners included: the same two tests.
class HaloBox : public HaloExchange {
 protected:
  HaloBox() { box_ = true; }
};

TEST_P(HaloBox, EveryGhostMirrorsItsCellAcrossFacesEdgesAndCorners) {
  if (!h_) return;
  for (int round = 7; round <= 8; ++round) {
    fill_round(f_, round);
    EXPECT_EQ(pt_halo_exchange(h_), PT_OK) << pt_error_message();
    expect_round(round);
  }
}

TEST_P(HaloBox, BeginAndEndSplitByWork) {
  if (!h_) return;
  fill_round(f_, 9);
  EXPECT_EQ(pt_halo_begin(h_), PT_OK) << pt_error_message();
  std::this_thread::sleep_for(std::chrono::milliseconds(2 * (pt_test::rank() % 3)));
  EXPECT_EQ(pt_halo_end(h_), PT_OK) << pt_error_message();
  expect_round(9);
}

INSTANTIATE_TEST_SUITE_P(All, HaloBox,
                         testing::Combine(testing::Range(0, (int)PT_HALO_NKINDS), testing::Range(0, 3),
                                          testing::Values(0, 1), testing::Values(1, 2)),
                         [](const auto &info) {
                           return kind_name(std::get<0>(info.param)) + "_" +
                                  kGeometries[std::get<1>(info.param)].name +
                                  (std::get<2>(info.param) ? "_periodic" : "_open") + "_ng" +
                                  std::to_string(std::get<3>(info.param));
                         });

// Packed faces, as a device back-end keeps them: face k's ng layers next to it, in C
// order, one run of doubles per face. `ghost` picks the layers beyond the face. Returns
// the number of doubles visited (the face's size).
int64_t visit_face(pt_field *f, int k, bool ghost, double *buf, bool pack) {
  const int axis = k / 2, side = k % 2;
  int64_t lo[3] = {0, 0, 0}, hi[3] = {1, 1, 1}, n = 0;
  for (int a = 0; a < f->ndim; ++a) {
    lo[a] = 0;
    hi[a] = f->n[a];
  }
  lo[axis] = side ? (ghost ? f->n[axis] : f->n[axis] - f->ng) : (ghost ? -f->ng : 0);
  hi[axis] = lo[axis] + f->ng;
  int64_t idx[3];
  for (idx[0] = lo[0]; idx[0] < hi[0]; ++idx[0])
    for (idx[1] = lo[1]; idx[1] < hi[1]; ++idx[1])
      for (idx[2] = lo[2]; idx[2] < hi[2]; ++idx[2], ++n) {
        double *cell = &f->data[pt_field_offset(f, idx)];
        if (buf && pack) buf[n] = *cell;
        else if (buf) *cell = buf[n];
      }
  return n;
}

// (back-end p2p or neighbor, geometry, periodic, ghost width)
class HaloPacked : public HaloExchange {};

TEST_P(HaloPacked, PackedFacesGiveTheGhostsOfTheFieldExchange) {
  if (!h_) return;
  const int nface = 2 * f_->ndim;
  std::vector<int64_t> off(nface + 1, 0);
  for (int k = 0; k < nface; ++k)
    off[k + 1] = off[k] + (d_->nbr[k / 2][k % 2] == MPI_PROC_NULL ? 0 : visit_face(f_, k, false, nullptr, true));
  std::vector<double> send(off[nface] + 1), recv(off[nface] + 1);
  pt_halo *packed = nullptr;
  ASSERT_EQ(pt_halo_create_packed(f_, (pt_halo_kind)std::get<0>(GetParam()), off.data(), send.data(),
                                  recv.data(), &packed), PT_OK) << pt_error_message();
  for (int round = 5; round <= 6; ++round) {
    fill_round(f_, round);
    for (int k = 0; k < nface; ++k)
      if (off[k + 1] > off[k]) visit_face(f_, k, false, send.data() + off[k], true);
    EXPECT_EQ(pt_halo_begin(packed), PT_OK) << pt_error_message();
    EXPECT_EQ(pt_halo_end(packed), PT_OK) << pt_error_message();
    for (int k = 0; k < nface; ++k)
      if (off[k + 1] > off[k]) visit_face(f_, k, true, recv.data() + off[k], false);
    expect_round(round);
  }
  pt_halo_destroy(&packed);
}

INSTANTIATE_TEST_SUITE_P(All, HaloPacked,
                         testing::Combine(testing::Values((int)PT_HALO_P2P, (int)PT_HALO_NEIGHBOR),
                                          testing::Range(0, 3), testing::Values(0, 1), testing::Values(1, 2)),
                         [](const auto &info) {
                           return kind_name(std::get<0>(info.param)) + "_" +
                                  kGeometries[std::get<1>(info.param)].name +
                                  (std::get<2>(info.param) ? "_periodic" : "_open") + "_ng" +
                                  std::to_string(std::get<3>(info.param));
                         });

TEST(HaloPackedKinds, OneSidedBackEndsAreRefused) {
  const int64_t gsize[2] = {8, 6};
  const int periodic[2] = {1, 1}, dims[2] = {0, 0};
  pt_decomp *d = nullptr;
  pt_field *f = nullptr;
  ASSERT_EQ(pt_decomp_create(MPI_COMM_WORLD, 2, gsize, periodic, dims, &d), PT_OK) << pt_error_message();
  ASSERT_EQ(pt_field_create(d, 1, &f), PT_OK) << pt_error_message();
  int64_t off[5] = {0, 0, 0, 0, 0};
  double buf[1];
  for (pt_halo_kind kind : {PT_HALO_RMA, PT_HALO_RMA_PSCW}) {
    pt_halo *h = nullptr;
    EXPECT_EQ(pt_halo_create_packed(f, kind, off, buf, buf, &h), PT_ERR_INPUT);
    EXPECT_EQ(h, nullptr);
    EXPECT_NE(std::string(pt_error_message()).find("does not exchange packed faces"), std::string::npos)
        << pt_error_message();
  }
  pt_error_clear();
  pt_field_destroy(&f);
  pt_decomp_destroy(&d);
}

class HaloKinds : public testing::TestWithParam<int> {};

TEST_P(HaloKinds, TwoFieldsInFlightAtOnce) {
  // Exchanges of two fields on one decomposition overlap and must not mix.
  const int64_t g[2] = {13, 11};
  const int per[2] = {1, 1};
  pt_decomp *d = nullptr;
  EXPECT_EQ(pt_decomp_create(MPI_COMM_WORLD, 2, g, per, nullptr, &d), PT_OK) << pt_error_message();
  if (!d) return;
  pt_field *a = nullptr, *b = nullptr;
  EXPECT_EQ(pt_field_create(d, 1, &a), PT_OK);
  EXPECT_EQ(pt_field_create(d, 1, &b), PT_OK);
  pt_halo *ha = nullptr, *hb = nullptr;
  std::string unavailable;
  if (a && b) {
    EXPECT_EQ(create_halo(a, GetParam(), &ha, &unavailable), PT_OK) << pt_error_message();
    EXPECT_EQ(create_halo(b, GetParam(), &hb, &unavailable), PT_OK) << pt_error_message();
  }
  if (ha && hb) {
    fill_round(a, 5);
    fill_round(b, 6);
    EXPECT_EQ(pt_halo_begin(ha), PT_OK) << pt_error_message();
    EXPECT_EQ(pt_halo_begin(hb), PT_OK) << pt_error_message();
    EXPECT_EQ(pt_halo_end(hb), PT_OK) << pt_error_message();
    EXPECT_EQ(pt_halo_end(ha), PT_OK) << pt_error_message();
    std::string first;
    EXPECT_EQ(check_round(a, 5, &first), 0) << first;
    EXPECT_EQ(check_round(b, 6, &first), 0) << first;
  }
  pt_halo_destroy(&hb);
  pt_halo_destroy(&ha);
  pt_field_destroy(&b);
  pt_field_destroy(&a);
  pt_decomp_destroy(&d);
  if (!unavailable.empty()) GTEST_SKIP() << unavailable;
}

TEST_P(HaloKinds, ZeroGhostWidthIsANoOp) {
  const int64_t g[3] = {9, 7, 5};
  const int per[3] = {1, 0, 1};
  pt_decomp *d = nullptr;
  EXPECT_EQ(pt_decomp_create(MPI_COMM_WORLD, 3, g, per, nullptr, &d), PT_OK) << pt_error_message();
  if (!d) return;
  pt_field *f = nullptr;
  EXPECT_EQ(pt_field_create(d, 0, &f), PT_OK);
  pt_halo *h = nullptr;
  std::string unavailable;
  if (f) {
    EXPECT_EQ(create_halo(f, GetParam(), &h, &unavailable), PT_OK) << pt_error_message();
  }
  if (h) {
    fill_round(f, 7);
    EXPECT_EQ(pt_halo_exchange(h), PT_OK) << pt_error_message();
    std::string first;
    EXPECT_EQ(check_round(f, 7, &first), 0) << first;
  }
  pt_halo_destroy(&h);
  EXPECT_EQ(h, nullptr);
  pt_field_destroy(&f);
  pt_decomp_destroy(&d);
  if (!unavailable.empty()) GTEST_SKIP() << unavailable;
}

TEST_P(HaloKinds, EndWithoutBeginAndBeginTwiceAreErrors) {
  const int64_t g[2] = {13, 11};
  pt_decomp *d = nullptr;
  EXPECT_EQ(pt_decomp_create(MPI_COMM_WORLD, 2, g, nullptr, nullptr, &d), PT_OK) << pt_error_message();
  if (!d) return;
  pt_field *f = nullptr;
  EXPECT_EQ(pt_field_create(d, 1, &f), PT_OK);
  pt_halo *h = nullptr;
  std::string unavailable;
  if (f) {
    EXPECT_EQ(create_halo(f, GetParam(), &h, &unavailable), PT_OK) << pt_error_message();
  }
  if (h) {
    // Neither misuse reaches MPI, so no rank is left in a collective.
    EXPECT_EQ(pt_halo_end(h), PT_ERR_RUNTIME);
    EXPECT_EQ(pt_halo_begin(h), PT_OK) << pt_error_message();
    EXPECT_EQ(pt_halo_begin(h), PT_ERR_RUNTIME);
    EXPECT_EQ(pt_halo_end(h), PT_OK) << pt_error_message();
    pt_error_clear();
  }
  pt_halo_destroy(&h);
  pt_field_destroy(&f);
  pt_decomp_destroy(&d);
  if (!unavailable.empty()) GTEST_SKIP() << unavailable;
}

INSTANTIATE_TEST_SUITE_P(All, HaloKinds, testing::Range(0, (int)PT_HALO_NKINDS),
                         [](const auto &info) { return kind_name(info.param); });

TEST(HaloKind, ParseAndNames) {
  const char *names[] = {"p2p", "neighbor", "rma", "rma-pscw"};
  for (int k = 0; k < PT_HALO_NKINDS; ++k) {
    EXPECT_STREQ(pt_halo_kind_names[k], names[k]);
    pt_halo_kind kind = PT_HALO_NKINDS;
    EXPECT_EQ(pt_halo_kind_parse(names[k], &kind), PT_OK);
    EXPECT_EQ(kind, (pt_halo_kind)k);
  }
  EXPECT_EQ(pt_halo_kind_names[PT_HALO_NKINDS], nullptr);
  pt_halo_kind kind = PT_HALO_P2P;
  EXPECT_EQ(pt_halo_kind_parse("mpi", &kind), PT_ERR_INPUT);
  EXPECT_STREQ(pt_error_message(), "unknown halo back-end 'mpi' (expected p2p, neighbor, rma or rma-pscw)");
  EXPECT_EQ(pt_halo_kind_parse("P2P", &kind), PT_ERR_INPUT);
  EXPECT_EQ(kind, PT_HALO_P2P);
  pt_error_clear();
}
