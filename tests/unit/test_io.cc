// pt_io: grid and particle round trips between rank counts (write at N, read at M, for
// every N, M in {1, 2, 4} that fit the job), identical file bytes for any rank count and
// process grid, openPMD attributes, the XDMF sidecar, and reader errors.
#include "pt_decomp.h"
#include "pt_error.h"
#include "pt_field.h"
#include "pt_io.h"
#include "pt_test.h"

#include <hdf5.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace {

// Exactly representable values that differ in every cell: a wrong cell cannot pass.
double value_at(int64_t g, double shift) { return 0.25 * (double)g + shift; }

template <class F>
void for_owned(const pt_field *f, F fn) {
  const pt_decomp *d = f->decomp;
  int64_t idx[3] = {0, 0, 0}, cells = pt_decomp_local_cells(d);
  for (int64_t i = 0; i < cells; ++i) {
    int64_t r = i, g = 0;
    for (int a = f->ndim - 1; a >= 0; --a) {
      idx[a] = r % f->n[a];
      r /= f->n[a];
    }
    for (int a = 0; a < f->ndim; ++a) g = g * d->gsize[a] + d->lo[a] + idx[a];
    fn(f->data[pt_field_offset(f, idx)], g);
  }
}

struct Grid {
  pt_decomp *d = nullptr;
  pt_field *f = nullptr;
  Grid(MPI_Comm comm, int ndim, const int64_t *gsize, const int *dims = nullptr) {
    EXPECT_EQ(pt_decomp_create(comm, ndim, gsize, nullptr, dims, &d), PT_OK) << pt_error_message();
    EXPECT_EQ(pt_field_create(d, 1, &f), PT_OK) << pt_error_message();
  }
  ~Grid() {
    pt_field_destroy(&f);
    pt_decomp_destroy(&d);
  }
};

const int64_t g3[3] = {9, 7, 5}, g2[2] = {13, 11};

pt_series_info info_for(const char *deck = "[heat]\nnx = 9\n") {
  pt_series_info info{};
  info.software = "test_io";
  info.author = "Partita tests <partita-dev@example.org>";
  info.deck = deck;
  info.checksum = 1;
  return info;
}

// Writes steps 0 and 5 of a 3D and a 2D record from the first `nw` ranks.
void write_series(const std::string &path, int nw, const int *dims3) {
  MPI_Comm c = pt_test::first_ranks(nw);
  if (c == MPI_COMM_NULL) return;
  pt_series_info info = info_for();
  pt_series *s = nullptr;
  EXPECT_EQ(pt_series_open(c, path.c_str(), &info, &s), PT_OK) << pt_error_message();
  if (!s) return;  // the failure is agreed: every rank of c leaves here
  for (int64_t step : {0, 5}) {
    Grid a(c, 3, g3, dims3), b(c, 2, g2);
    for_owned(a.f, [&](double &v, int64_t g) { v = value_at(g, (double)step); });
    for_owned(b.f, [&](double &v, int64_t g) { v = -value_at(g, (double)step); });
    pt_mesh_info m{};
    m.unit_dimension[4] = 1;  // kelvin
    m.grid_spacing[0] = 0.5;
    m.grid_spacing[1] = 0.25;
    m.grid_spacing[2] = 0.125;
    EXPECT_EQ(pt_series_write_mesh(s, step, 0.1 * (double)step, 0.1, "T", a.f, &m), PT_OK)
        << pt_error_message();
    EXPECT_EQ(pt_series_write_mesh(s, step, 0.1 * (double)step, 0.1, "rho", b.f, nullptr), PT_OK)
        << pt_error_message();
  }
  EXPECT_EQ(pt_series_close(&s), PT_OK);
  MPI_Comm_free(&c);
}

// Reads step `step` (-1: last) at `nr` ranks and checks every cell.
void check_series(const std::string &path, int nr, int64_t step, int64_t expect_step) {
  MPI_Comm c = pt_test::first_ranks(nr);
  if (c == MPI_COMM_NULL) return;
  Grid a(c, 3, g3), b(c, 2, g2);
  double t = -1;
  int64_t got = -1;
  EXPECT_EQ(pt_io_read_mesh(path.c_str(), step, "T", a.f, &t, &got), PT_OK) << pt_error_message();
  EXPECT_EQ(got, expect_step);
  EXPECT_DOUBLE_EQ(t, 0.1 * (double)expect_step);
  EXPECT_EQ(pt_io_read_mesh(path.c_str(), step, "rho", b.f, nullptr, nullptr), PT_OK)
      << pt_error_message();
  int bad = 0;
  for_owned(a.f, [&](double &v, int64_t g) { bad += v != value_at(g, (double)expect_step); });
  for_owned(b.f, [&](double &v, int64_t g) { bad += v != -value_at(g, (double)expect_step); });
  EXPECT_EQ(bad, 0) << "cells differ after writing and reading at different rank counts";
  MPI_Comm_free(&c);
}

std::vector<int> rank_counts() {
  std::vector<int> v;
  for (int n : {1, 2, 4})
    if (n <= pt_test::size()) v.push_back(n);
  return v;
}

// The raw bytes of a dataset, read by this rank alone with the serial driver.
std::vector<char> dataset_bytes(const std::string &file, const char *dset) {
  std::vector<char> out;
  hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) return out;
  hid_t d = H5Dopen2(f, dset, H5P_DEFAULT);
  if (d >= 0) {
    hid_t t = H5Dget_type(d);
    out.resize(H5Dget_storage_size(d));
    if (H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()) < 0) out.clear();
    H5Tclose(t);
    H5Dclose(d);
  }
  H5Fclose(f);
  return out;
}

std::string read_text(const std::string &path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST(Io, MeshRoundTripBetweenRankCounts) {
  for (int nw : rank_counts()) {
    std::string path = pt_test::shared_dir() + "/mesh-w" + std::to_string(nw) + ".h5";
    write_series(path, nw, nullptr);
    for (int nr : rank_counts()) {
      check_series(path, nr, -1, 5);
      check_series(path, nr, 0, 0);
    }
  }
}

TEST(Io, FileBytesIndependentOfRankCountAndProcessGrid) {
  const int dims_a[3] = {pt_test::size(), 1, 1}, dims_b[3] = {1, 1, pt_test::size()};
  std::string p1 = pt_test::shared_dir() + "/bytes-1.h5", pa = pt_test::shared_dir() + "/bytes-a.h5",
              pb = pt_test::shared_dir() + "/bytes-b.h5";
  write_series(p1, 1, nullptr);
  write_series(pa, pt_test::size(), dims_a);
  write_series(pb, pt_test::size(), dims_b);
  if (pt_test::rank() == 0) {
    for (const char *dset : {"/data/5/meshes/T", "/data/0/meshes/rho"}) {
      std::vector<char> one = dataset_bytes(p1, dset);
      ASSERT_EQ(one.size(), dset[6] == '5' ? sizeof(double) * 9 * 7 * 5 : sizeof(double) * 13 * 11);
      EXPECT_TRUE(one == dataset_bytes(pa, dset)) << dset << " differs from the 1-rank file";
      EXPECT_TRUE(one == dataset_bytes(pb, dset)) << dset << " differs from the 1-rank file";
    }
  }
}

TEST(Io, OpenPmdRootStepAndRecordAttributes) {
  std::string path = pt_test::shared_dir() + "/attrs.h5";
  write_series(path, pt_test::size(), nullptr);
  if (pt_test::rank() != 0) return;
  hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  ASSERT_GE(f, 0);
  for (const char *a : {"openPMD", "openPMDextension", "basePath", "meshesPath",
                        "iterationEncoding", "iterationFormat", "author", "software",
                        "softwareVersion", "date", "inputDeck"})
    EXPECT_GT(H5Aexists(f, a), 0) << "root attribute " << a;
  // openPMD: a declared path must lead to a group; this series holds no particles.
  EXPECT_EQ(H5Aexists(f, "particlesPath"), 0) << "a mesh-only file declares particlesPath";
  for (const char *a : {"time", "dt", "timeUnitSI"})
    EXPECT_GT(H5Aexists_by_name(f, "/data/5", a, H5P_DEFAULT), 0) << "step attribute " << a;
  for (const char *a : {"geometry", "dataOrder", "axisLabels", "gridSpacing", "gridGlobalOffset",
                        "gridUnitSI", "unitDimension", "timeOffset", "unitSI", "position",
                        "partitaChecksum"})
    EXPECT_GT(H5Aexists_by_name(f, "/data/5/meshes/T", a, H5P_DEFAULT), 0) << "mesh attribute " << a;
  H5Fclose(f);
  std::string xmf = read_text(pt_test::shared_dir() + "/attrs.xmf");
  EXPECT_NE(xmf.find("CollectionType=\"Temporal\""), std::string::npos) << xmf;
  EXPECT_NE(xmf.find("attrs.h5:/data/5/meshes/T"), std::string::npos) << xmf;
  EXPECT_NE(xmf.find("<Time Value=\"0.5\"/>"), std::string::npos) << xmf;
}

TEST(Io, ParticlesRoundTripSortedById) {
  const int64_t N = 1000;
  // Particle k has id (k * 7919) mod N + 3 (a permutation); the writer spreads them
  // unevenly over its ranks, in no particular order.
  auto idof = [&](int64_t k) { return (uint64_t)((k * 7919) % N + 3); };
  for (int nw : rank_counts()) {
    std::string path = pt_test::shared_dir() + "/parts-w" + std::to_string(nw) + ".h5";
    MPI_Comm c = pt_test::first_ranks(nw);
    if (c != MPI_COMM_NULL) {
      int r;
      MPI_Comm_rank(c, &r);
      std::vector<uint64_t> id;
      std::vector<double> x, y, z, vx, vy, vz, mass;
      for (int64_t k = 0; k < N; ++k) {
        if ((k * k + 3 * k) % nw != r) continue;
        uint64_t i = idof(k);
        id.push_back(i);
        x.push_back(0.5 * (double)i);
        y.push_back(1.0 + (double)i);
        z.push_back(-(double)i);
        vx.push_back(2.0 * (double)i);
        vy.push_back(3.0);
        vz.push_back(0.125 * (double)i);
        mass.push_back(1.0 / 1024 * (double)i);
      }
      pt_particle_record recs[3] = {};
      recs[0] = {"position", 3, {x.data(), y.data(), z.data()}, 1.0, {1, 0, 0, 0, 0, 0, 0}};
      recs[1] = {"velocity", 3, {vx.data(), vy.data(), vz.data()}, 1.0, {1, 0, -1, 0, 0, 0, 0}};
      recs[2] = {"mass", 1, {mass.data()}, 1.0, {0, 1, 0, 0, 0, 0, 0}};
      pt_series_info info = info_for();
      pt_series *s = nullptr;
      EXPECT_EQ(pt_series_open(c, path.c_str(), &info, &s), PT_OK) << pt_error_message();
      EXPECT_EQ(pt_series_write_particles(s, 7, 0.7, 0.1, "stars", (int64_t)id.size(), id.data(), 3, recs),
                PT_OK) << pt_error_message();
      pt_series_close(&s);
      MPI_Comm_free(&c);
    }
    for (int nr : rank_counts()) {
      MPI_Comm rc = pt_test::first_ranks(nr);
      if (rc == MPI_COMM_NULL) continue;
      int r;
      MPI_Comm_rank(rc, &r);
      const char *names[] = {"position", "mass", "velocity"};
      pt_io_particles p{};
      EXPECT_EQ(pt_io_read_particles(rc, path.c_str(), -1, "stars", 3, names, &p), PT_OK)
          << pt_error_message();
      EXPECT_EQ(p.ntotal, N);
      EXPECT_EQ(p.n, N / nr + (r < N % nr));
      EXPECT_EQ(p.nrec, 3);
      EXPECT_EQ(p.rec[0].ncomp, 3);
      EXPECT_EQ(p.rec[1].ncomp, 1);
      int bad = 0;
      for (int64_t i = 0; i < p.n && p.nrec == 3; ++i) {
        double id = (double)(p.offset + i + 3);
        bad += p.id[i] != (uint64_t)(p.offset + i + 3);  // sorted: ids 3..N+2 in order
        bad += p.rec[0].comp[0][i] != 0.5 * id || p.rec[0].comp[1][i] != 1.0 + id ||
               p.rec[0].comp[2][i] != -id;
        bad += p.rec[1].comp[0][i] != id / 1024;
        bad += p.rec[2].comp[0][i] != 2.0 * id || p.rec[2].comp[2][i] != 0.125 * id;
      }
      EXPECT_EQ(bad, 0) << "written at " << nw << " ranks, read at " << nr;
      pt_io_particles_free(&p);
      MPI_Comm_free(&rc);
    }
  }
  if (pt_test::rank() == 0) {
    std::vector<char> one = dataset_bytes(pt_test::shared_dir() + "/parts-w1.h5", "/data/7/particles/stars/velocity/z");
    EXPECT_EQ(one.size(), sizeof(double) * N);
    for (int nw : rank_counts())
      EXPECT_TRUE(one == dataset_bytes(pt_test::shared_dir() + "/parts-w" + std::to_string(nw) + ".h5",
                                       "/data/7/particles/stars/velocity/z"));
    std::string xmf = read_text(pt_test::shared_dir() + "/parts-w1.xmf");
    EXPECT_NE(xmf.find("Polyvertex"), std::string::npos) << xmf;
  }
}

TEST(Io, DuplicateParticleIdsAreRefused) {
  std::string path = pt_test::shared_dir() + "/dup.h5";
  pt_series_info info = info_for();
  pt_series *s = nullptr;
  ASSERT_EQ(pt_series_open(MPI_COMM_WORLD, path.c_str(), &info, &s), PT_OK) << pt_error_message();
  uint64_t id[2] = {42, (uint64_t)pt_test::rank() + 100};
  double x[2] = {0, 1};
  pt_particle_record rec = {"position", 1, {x}, 1.0, {1, 0, 0, 0, 0, 0, 0}};
  // Every rank holds id 42 (and rank 0 alone has it twice when the job has one rank).
  if (pt_test::size() == 1) id[1] = 42;
  EXPECT_EQ(pt_series_write_particles(s, 0, 0, 0, "p", 2, id, 1, &rec), PT_ERR_RUNTIME);
  EXPECT_NE(std::string(pt_error_message()).find("duplicate particle id 42"), std::string::npos)
      << pt_error_message();
  pt_series_close(&s);
}

TEST(Io, FileBasedSeriesHasOneFilePerStepAndOneSidecar) {
  std::string pattern = pt_test::shared_dir() + "/fb_%T.h5";
  pt_series_info info = info_for();
  pt_series *s = nullptr;
  ASSERT_EQ(pt_series_open(MPI_COMM_WORLD, pattern.c_str(), &info, &s), PT_OK) << pt_error_message();
  Grid a(MPI_COMM_WORLD, 2, g2);
  for (int64_t step : {0, 10, 20}) {
    for_owned(a.f, [&](double &v, int64_t g) { v = value_at(g, (double)step); });
    EXPECT_EQ(pt_series_write_mesh(s, step, (double)step, 1.0, "T", a.f, nullptr), PT_OK)
        << pt_error_message();
  }
  pt_series_close(&s);
  Grid b(MPI_COMM_WORLD, 2, g2);
  EXPECT_EQ(pt_io_read_mesh((pt_test::shared_dir() + "/fb_10.h5").c_str(), -1, "T", b.f, nullptr, nullptr), PT_OK)
      << pt_error_message();
  int bad = 0;
  for_owned(b.f, [&](double &v, int64_t g) { bad += v != value_at(g, 10.0); });
  EXPECT_EQ(bad, 0);
  if (pt_test::rank() == 0) {
    std::string xmf = read_text(pt_test::shared_dir() + "/fb.xmf");
    for (const char *s : {"fb_0.h5:/data/0/meshes/T", "fb_10.h5:/data/10/meshes/T", "fb_20.h5:/data/20/meshes/T"})
      EXPECT_NE(xmf.find(s), std::string::npos) << s << " not in\n" << xmf;
  }
}

TEST(Io, AppendKeepsEarlierStepsAndReplacesRewrittenOnes) {
  std::string path = pt_test::shared_dir() + "/append.h5";
  Grid a(MPI_COMM_WORLD, 2, g2);
  pt_series_info info = info_for();
  for (int run = 0; run < 2; ++run) {
    info.append = run;
    pt_series *s = nullptr;
    ASSERT_EQ(pt_series_open(MPI_COMM_WORLD, path.c_str(), &info, &s), PT_OK) << pt_error_message();
    // The second run restarts at step 1 and writes it again with other values.
    for (int64_t step = run; step < 3; ++step) {
      for_owned(a.f, [&](double &v, int64_t g) { v = value_at(g, (double)(step + 10 * run)); });
      EXPECT_EQ(pt_series_write_mesh(s, step, (double)step, 1.0, "T", a.f, nullptr), PT_OK)
          << pt_error_message();
    }
    pt_series_close(&s);
  }
  for (int64_t step = 0; step < 3; ++step) {
    EXPECT_EQ(pt_io_read_mesh(path.c_str(), step, "T", a.f, nullptr, nullptr), PT_OK) << pt_error_message();
    int bad = 0;
    for_owned(a.f, [&](double &v, int64_t g) { bad += v != value_at(g, (double)(step + (step ? 10 : 0))); });
    EXPECT_EQ(bad, 0) << "step " << step;
  }
}

TEST(Io, ReaderErrorsNameTheFileAndTheProblem) {
  std::string good = pt_test::shared_dir() + "/errs.h5";
  write_series(good, pt_test::size(), nullptr);
  std::string text = pt_test::shared_dir() + "/notes.h5", trunc = pt_test::shared_dir() + "/trunc.h5",
              corrupt = pt_test::shared_dir() + "/corrupt.h5";
  if (pt_test::rank() == 0) {
    std::ofstream(text) << "not HDF5\n";
    std::system(("cp '" + good + "' '" + corrupt + "'").c_str());
    std::system(("head -c 3000 '" + good + "' > '" + trunc + "'").c_str());
    // Flip one byte inside the data of /data/5/meshes/T.
    hid_t f = H5Fopen(corrupt.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t d = H5Dopen2(f, "/data/5/meshes/T", H5P_DEFAULT);
    haddr_t off = H5Dget_offset(d);
    H5Dclose(d);
    H5Fclose(f);
    FILE *fp = std::fopen(corrupt.c_str(), "r+b");
    std::fseek(fp, (long)off + 100, SEEK_SET);
    int c = std::fgetc(fp);
    std::fseek(fp, (long)off + 100, SEEK_SET);
    std::fputc(c ^ 0x10, fp);
    std::fclose(fp);
  }
  MPI_Barrier(MPI_COMM_WORLD);
  Grid a(MPI_COMM_WORLD, 3, g3);
  const int64_t other[3] = {9, 7, 6};
  Grid wrong(MPI_COMM_WORLD, 3, other);
  struct Case {
    std::string file;
    int64_t step;
    const char *name;
    pt_field *f;
    const char *expect;
  } cases[] = {
      {pt_test::shared_dir() + "/missing.h5", -1, "T", a.f, "missing.h5: no such file"},
      {text, -1, "T", a.f, "notes.h5: not an HDF5 file"},
      {trunc, -1, "T", a.f, "trunc.h5: cannot open (truncated or corrupt HDF5 file)"},
      {good, 3, "T", a.f, "errs.h5: no step 3 (the file has 2 steps, 0 to 5)"},
      {good, -1, "E", a.f, "errs.h5: no mesh record /data/5/meshes/E"},
      {good, -1, "T", wrong.f, "mesh record /data/5/meshes/T is 5 x 7 x 9, but the grid is 6 x 7 x 9"},
      {good, -1, "rho", a.f, "has 2 dimensions, expected 3"},
      {corrupt, -1, "T", a.f, "corrupt.h5: mesh record /data/5/meshes/T: checksum mismatch"},
  };
  for (const Case &c : cases) {
    pt_error_clear();
    EXPECT_EQ(pt_io_read_mesh(c.file.c_str(), c.step, c.name, c.f, nullptr, nullptr), PT_ERR_INPUT) << c.expect;
    std::string msg = pt_error_message();
    EXPECT_NE(msg.find(c.expect), std::string::npos) << "got: " << msg;
    EXPECT_EQ(msg.find("[rank"), std::string::npos) << "input errors carry no rank prefix: " << msg;
  }
  pt_io_particles p{};
  const char *names[] = {"position"};
  EXPECT_EQ(pt_io_read_particles(MPI_COMM_WORLD, good.c_str(), -1, "stars", 1, names, &p), PT_ERR_INPUT);
  EXPECT_NE(std::string(pt_error_message()).find("no particle species stars at step 5"), std::string::npos)
      << pt_error_message();
}

TEST(Io, BadArgumentsAreInputErrors) {
  pt_series *s = nullptr;
  pt_series_info info{};
  EXPECT_EQ(pt_series_open(MPI_COMM_WORLD, (pt_test::shared_dir() + "/x.h5").c_str(), &info, &s), PT_ERR_INPUT);
  info = info_for();
  ASSERT_EQ(pt_series_open(MPI_COMM_WORLD, (pt_test::shared_dir() + "/x.h5").c_str(), &info, &s), PT_OK);
  Grid a(MPI_COMM_WORLD, 2, g2);
  EXPECT_EQ(pt_series_write_mesh(s, 0, 0, 0, "bad name", a.f, nullptr), PT_ERR_INPUT);
  pt_mesh_info m{};
  m.position[0] = 1.0;
  EXPECT_EQ(pt_series_write_mesh(s, 0, 0, 0, "T", a.f, &m), PT_ERR_INPUT);
  double x = 0;
  uint64_t id = (uint64_t)pt_test::rank();
  pt_particle_record rec = {"mass", 1, {&x}, 1.0, {}};
  EXPECT_EQ(pt_series_write_particles(s, 0, 0, 0, "p", 1, &id, 1, &rec), PT_ERR_INPUT);
  EXPECT_NE(std::string(pt_error_message()).find("no position record"), std::string::npos);
  pt_series_close(&s);
  // A path too long is refused before any file exists, the sidecar's included.
  pt_series *t = nullptr;
  const std::string dir = pt_test::shared_dir() + "/";
  for (size_t n : {(size_t)5000, PT_PATH_MAX - 4 - dir.size()}) {
    const std::string path = dir + std::string(n, 's') + ".h5";
    EXPECT_EQ(pt_series_open(MPI_COMM_WORLD, path.c_str(), &info, &t), PT_ERR_INPUT);
    EXPECT_NE(std::string(pt_error_message()).find("path too long"), std::string::npos)
        << pt_error_message();
  }
}

// A failure on one rank just before a collective H5Dwrite or H5Dread is agreed first:
// every rank returns the same error, where the others used to wait in the collective.
TEST(Io, OneRanksFailureBeforeTheCollectiveWriteOrReadIsAgreed) {
  const std::string path = pt_test::shared_dir() + "/one-rank-fails.h5";
  Grid a(MPI_COMM_WORLD, 3, g3);
  for_owned(a.f, [&](double &v, int64_t g) { v = value_at(g, 0.0); });
  pt_series_info info = info_for();
  info.checksum = 0;  // the checksum would walk the cells with the broken stride below
  pt_series *s = nullptr;
  ASSERT_EQ(pt_series_open(MPI_COMM_WORLD, path.c_str(), &info, &s), PT_OK) << pt_error_message();
  ASSERT_EQ(pt_series_write_mesh(s, 0, 0.0, 0.1, "T", a.f, nullptr), PT_OK) << pt_error_message();
  // A fastest axis that is not contiguous: HDF5 cannot address the last rank's cells.
  const int last_axis = a.f->ndim - 1;
  const int64_t stride = a.f->stride[last_axis];
  if (pt_test::rank() == pt_test::size() - 1) a.f->stride[last_axis] = 2;
  EXPECT_EQ(pt_series_write_mesh(s, 1, 0.1, 0.1, "T", a.f, nullptr), PT_ERR_IO);
  EXPECT_NE(std::string(pt_error_message()).find("cannot set up writing mesh record T"),
            std::string::npos) << pt_error_message();
  EXPECT_EQ(pt_io_read_mesh(path.c_str(), 0, "T", a.f, nullptr, nullptr), PT_ERR_IO);
  EXPECT_NE(std::string(pt_error_message()).find("cannot set up reading"), std::string::npos)
      << pt_error_message();
  a.f->stride[last_axis] = stride;
  EXPECT_EQ(pt_series_close(&s), PT_OK);
}

TEST(Io, ChecksumIsIndependentOfHowTheDataAreSplit) {
  std::vector<double> v(1000);
  for (size_t i = 0; i < v.size(); ++i) v[i] = std::sin((double)i);
  uint64_t whole = pt_io_checksum(0, 1000, v.data());
  EXPECT_EQ(whole, pt_io_checksum(0, 333, v.data()) + pt_io_checksum(333, 667, v.data() + 333));
  std::swap(v[10], v[11]);
  EXPECT_NE(whole, pt_io_checksum(0, 1000, v.data())) << "swapped values must change the sum";
  std::swap(v[10], v[11]);
  unsigned char *b = reinterpret_cast<unsigned char *>(v.data());
  b[4321] ^= 1;
  EXPECT_NE(whole, pt_io_checksum(0, 1000, v.data())) << "a flipped bit must change the sum";
}
