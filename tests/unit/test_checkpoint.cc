// pt_checkpoint: bit-for-bit restart between rank counts (write at N, read at M), two
// generations, "latest", and refusal of truncated, corrupted and mismatched files.
#include "pt_checkpoint.h"
#include "pt_decomp.h"
#include "pt_error.h"
#include "pt_field.h"
#include "pt_run.h"
#include "pt_test.h"

#include <hdf5.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

const int64_t gsize[3] = {11, 6, 7};
const char *const names[2] = {"u", "v"};
const char *const scalar_names[2] = {"rng_state", "energy0"};

// Irrational-looking values: a bit lost anywhere shows.
double value(int field, int64_t g, int64_t step) { return std::sin(0.37 * (double)g + field + step) / 3.0; }

struct State {
  pt_decomp *d = nullptr;
  pt_field *f[2] = {nullptr, nullptr};
  std::vector<uint64_t> id;
  std::vector<double> x, y, z;
  pt_particle_record rec[1];
  double scalars[2] = {0, 0};
  explicit State(MPI_Comm c, const int64_t *g = gsize) {
    EXPECT_EQ(pt_decomp_create(c, 3, g, nullptr, nullptr, &d), PT_OK) << pt_error_message();
    for (auto &fi : f) EXPECT_EQ(pt_field_create(d, 1, &fi), PT_OK) << pt_error_message();
    rec[0] = {"position", 3, {nullptr, nullptr, nullptr}, 1.0, {1, 0, 0, 0, 0, 0, 0}};
  }
  ~State() {
    for (auto &fi : f) pt_field_destroy(&fi);
    pt_decomp_destroy(&d);
  }
  template <class F>
  void each(int k, F fn) {
    int64_t idx[3], cells = pt_decomp_local_cells(d);
    for (int64_t i = 0; i < cells; ++i) {
      int64_t r = i, g = 0;
      for (int a = 2; a >= 0; --a) {
        idx[a] = r % d->n[a];
        r /= d->n[a];
      }
      for (int a = 0; a < 3; ++a) g = g * d->gsize[a] + d->lo[a] + idx[a];
      fn(f[k]->data[pt_field_offset(f[k], idx)], g);
    }
  }
  void fill(int64_t step, int rank, int size) {
    for (int k = 0; k < 2; ++k) each(k, [&](double &v, int64_t g) { v = value(k, g, step); });
    for (int64_t i = rank; i < 50; i += size) {  // cyclic: not how the file orders them
      id.push_back((uint64_t)(1000 - i));
      x.push_back(value(0, i, step));
      y.push_back(value(1, i, step));
      z.push_back(value(2, i, step));
    }
    rec[0] = {"position", 3, {x.data(), y.data(), z.data()}, 1.0, {1, 0, 0, 0, 0, 0, 0}};
    scalars[0] = 12345.0 + (double)step;
    scalars[1] = M_PI;
  }
  pt_checkpoint ck(const char *app, int64_t step) {
    pt_checkpoint c{};
    c.app = app;
    c.step = step;
    c.time = 0.5 * (double)step;
    c.dt = 0.5;
    c.deck = "[heat]\nnx = 11\n";
    c.nfields = 2;
    c.field_names = names;
    c.fields = f;
    c.species = "p";
    c.np = (int64_t)id.size();
    c.id = id.data();
    c.nrec = 1;
    c.recs = rec;
    c.nscalars = 2;
    c.scalar_names = scalar_names;
    c.scalars = scalars;
    return c;
  }
};

void write_at(int n, const std::string &dir, int64_t step, const char *app = "heat") {
  MPI_Comm c = pt_test::first_ranks(n);
  if (c == MPI_COMM_NULL) return;
  int r;
  MPI_Comm_rank(c, &r);
  State s(c);
  s.fill(step, r, n);
  pt_checkpoint ck = s.ck(app, step);
  EXPECT_EQ(pt_checkpoint_write(c, dir.c_str(), &ck), PT_OK) << pt_error_message();
  MPI_Comm_free(&c);
}

// Reads `which` at n ranks; returns the error code, checks the contents on success.
int read_at(int n, const std::string &dir, const char *which, int64_t expect_step,
            const int64_t *g = gsize, const char *app = "heat") {
  MPI_Comm c = pt_test::first_ranks(n);
  int err = PT_OK;
  if (c == MPI_COMM_NULL) return err;
  State s(c, g);
  pt_checkpoint ck = s.ck(app, -1);
  s.scalars[0] = s.scalars[1] = 0;
  err = pt_checkpoint_read(c, which, dir.c_str(), &ck);
  if (!err) {
    EXPECT_EQ(ck.step, expect_step);
    EXPECT_EQ(ck.time, 0.5 * (double)expect_step);
    EXPECT_EQ(s.scalars[0], 12345.0 + (double)expect_step);
    EXPECT_EQ(s.scalars[1], M_PI);
    EXPECT_STREQ(ck.deck_read, "[heat]\nnx = 11\n");
    int bad = 0;
    for (int k = 0; k < 2; ++k) s.each(k, [&](double &v, int64_t gi) { bad += v != value(k, gi, expect_step); });
    const pt_io_particles &p = ck.particles;
    EXPECT_EQ(p.ntotal, 50);
    for (int64_t i = 0; i < p.n; ++i) {
      int64_t orig = 1000 - (int64_t)p.id[i];
      bad += p.id[i] != (uint64_t)(951 + p.offset + i);
      bad += p.rec[0].comp[0][i] != value(0, orig, expect_step) || p.rec[0].comp[2][i] != value(2, orig, expect_step);
    }
    EXPECT_EQ(bad, 0) << "restart at " << n << " ranks is not bit-for-bit";
  }
  pt_checkpoint_release(&ck);
  MPI_Comm_free(&c);
  return err;
}

std::vector<int> rank_counts() {
  std::vector<int> v;
  for (int n : {1, 2, 4})
    if (n <= pt_test::size()) v.push_back(n);
  return v;
}

std::string path_of(const std::string &dir, int gen) {
  char buf[PT_PATH_MAX];
  EXPECT_EQ(pt_checkpoint_path(dir.c_str(), "heat", gen, buf, sizeof buf), PT_OK)
      << pt_error_message();
  return buf;
}

std::string fresh_dir(const std::string &name) {
  std::string d = pt_test::shared_dir() + "/" + name;
  if (pt_test::rank() == 0) std::system(("rm -rf '" + d + "' && mkdir -p '" + d + "'").c_str());
  MPI_Barrier(MPI_COMM_WORLD);
  return d;
}

// Agreed error message check: every rank holds the same message after pt_agree.
void expect_message(const char *fragment) {
  std::string msg = pt_error_message();
  EXPECT_NE(msg.find(fragment), std::string::npos) << "got: " << msg;
}

}  // namespace

TEST(Checkpoint, RestartIsBitForBitAcrossRankCounts) {
  for (int nw : rank_counts()) {
    std::string dir = fresh_dir("x" + std::to_string(nw));
    write_at(nw, dir, 7);
    for (int nr : rank_counts()) EXPECT_EQ(read_at(nr, dir, "latest", 7), PT_OK) << pt_error_message();
  }
}

TEST(Checkpoint, KeepsTwoGenerations) {
  std::string dir = fresh_dir("gens");
  for (int64_t step : {10, 20, 30}) write_at(pt_test::size(), dir, step);
  EXPECT_EQ(read_at(pt_test::size(), dir, path_of(dir, 0).c_str(), 30), PT_OK) << pt_error_message();
  EXPECT_EQ(read_at(pt_test::size(), dir, path_of(dir, 1).c_str(), 20), PT_OK) << pt_error_message();
  EXPECT_EQ(access((path_of(dir, 0) + ".tmp").c_str(), F_OK), -1) << "temp file left behind";
}

TEST(Checkpoint, CorruptedByteIsRefusedAndLatestFallsBack) {
  std::string dir = fresh_dir("corrupt");
  write_at(pt_test::size(), dir, 1);
  write_at(pt_test::size(), dir, 2);
  if (pt_test::rank() == 0) {
    hid_t f = H5Fopen(path_of(dir, 0).c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t d = H5Dopen2(f, "/data/2/meshes/v", H5P_DEFAULT);
    haddr_t off = H5Dget_offset(d);
    H5Dclose(d);
    H5Fclose(f);
    FILE *fp = std::fopen(path_of(dir, 0).c_str(), "r+b");
    std::fseek(fp, (long)off + 77, SEEK_SET);
    int c = std::fgetc(fp);
    std::fseek(fp, (long)off + 77, SEEK_SET);
    std::fputc(c ^ 0x01, fp);
    std::fclose(fp);
  }
  MPI_Barrier(MPI_COMM_WORLD);
  EXPECT_EQ(read_at(pt_test::size(), dir, path_of(dir, 0).c_str(), 2), PT_ERR_INPUT);
  expect_message("/data/2/meshes/v: checksum mismatch");
  EXPECT_EQ(read_at(pt_test::size(), dir, "latest", 1), PT_OK) << pt_error_message();
}

TEST(Checkpoint, TruncatedFileIsRefusedAndLatestFallsBack) {
  std::string dir = fresh_dir("trunc");
  write_at(pt_test::size(), dir, 1);
  write_at(pt_test::size(), dir, 2);
  if (pt_test::rank() == 0) {
    EXPECT_EQ(truncate(path_of(dir, 0).c_str(), 4000), 0);
  }
  MPI_Barrier(MPI_COMM_WORLD);
  EXPECT_EQ(read_at(pt_test::size(), dir, path_of(dir, 0).c_str(), 2), PT_ERR_INPUT);
  expect_message("cannot open (truncated or corrupt HDF5 file)");
  EXPECT_EQ(read_at(pt_test::size(), dir, "latest", 1), PT_OK) << pt_error_message();
}

TEST(Checkpoint, MismatchedCheckpointsAreRefused) {
  std::string dir = fresh_dir("mismatch");
  write_at(pt_test::size(), dir, 3);
  const int64_t other[3] = {11, 6, 8};
  EXPECT_EQ(read_at(pt_test::size(), dir, "latest", 3, other), PT_ERR_INPUT);
  // A deck/checkpoint mismatch names both shapes and does not fall back to generation 1.
  expect_message("the checkpoint's grid is 7 x 6 x 11 (3D), the deck's is 8 x 6 x 11 (3D)");  // fastest axis first
  EXPECT_EQ(read_at(pt_test::size(), dir, path_of(dir, 0).c_str(), 3, gsize, "nbody"), PT_ERR_INPUT);
  expect_message("a checkpoint of heat, not of nbody");
  EXPECT_EQ(read_at(pt_test::size(), dir, "latest", 3, gsize, "nbody"), PT_ERR_INPUT);
  expect_message("no checkpoint of nbody to restart from");
  // An output series is not a checkpoint.
  std::string series = dir + "/series.h5";
  {
    State s(MPI_COMM_WORLD);
    s.fill(0, pt_test::rank(), pt_test::size());
    pt_series_info info{};
    info.software = "heat";
    pt_series *out = nullptr;
    ASSERT_EQ(pt_series_open(MPI_COMM_WORLD, series.c_str(), &info, &out), PT_OK);
    EXPECT_EQ(pt_series_write_mesh(out, 0, 0, 0, "u", s.f[0], nullptr), PT_OK);
    pt_series_close(&out);
  }
  EXPECT_EQ(read_at(pt_test::size(), dir, series.c_str(), 0), PT_ERR_INPUT);
  expect_message("series.h5: not a Partita checkpoint (no complete /checkpoint group)");
}

TEST(Checkpoint, StaleTempFileFromACrashIsReplaced) {
  std::string dir = fresh_dir("stale");
  write_at(pt_test::size(), dir, 4);
  if (pt_test::rank() == 0) std::system(("echo half a checkpoint > '" + path_of(dir, 0) + ".tmp'").c_str());
  MPI_Barrier(MPI_COMM_WORLD);
  EXPECT_EQ(read_at(pt_test::size(), dir, "latest", 4), PT_OK) << pt_error_message();
  write_at(pt_test::size(), dir, 5);
  EXPECT_EQ(read_at(pt_test::size(), dir, "latest", 5), PT_OK) << pt_error_message();
}

// A directory too long for the files' names is one short error naming the path by its
// ends, never a checkpoint or series under a truncated name.
TEST(Checkpoint, TooLongDirectoryIsAnErrorNotATruncatedName) {
  const std::string dir = pt_test::shared_dir() + "/" + std::string(5000, 'd');
  State s(MPI_COMM_WORLD);
  s.fill(3, pt_test::rank(), pt_test::size());
  pt_checkpoint ck = s.ck("heat", 3);
  EXPECT_EQ(pt_checkpoint_write(MPI_COMM_WORLD, dir.c_str(), &ck), PT_ERR_INPUT);
  std::string msg = pt_error_message();
  const std::string want = "path too long (" + std::to_string(dir.size() + 19) +
                           " characters, at most 4095): " + dir.substr(0, 24) + "...";
  EXPECT_EQ(msg.find(want), 0u) << msg;
  EXPECT_EQ(msg.substr(msg.size() - 19), "/heat-checkpoint.h5") << msg;
  EXPECT_LT(msg.size(), 120u) << msg;
  EXPECT_STREQ(ck.path, "");
  pt_checkpoint back = s.ck("heat", 0);
  EXPECT_EQ(pt_checkpoint_read(MPI_COMM_WORLD, "latest", dir.c_str(), &back), PT_ERR_INPUT);
  EXPECT_NE(std::string(pt_error_message()).find("path too long"), std::string::npos)
      << pt_error_message();
  pt_checkpoint_release(&back);
  pt_run_cadence c{};
  char out[PT_PATH_MAX] = "untouched";
  EXPECT_EQ(pt_run_series_path(&c, dir.c_str(), "heat", out, sizeof out), PT_ERR_INPUT);
  EXPECT_STREQ(out, "") << "a truncated name was left for a caller that ignores the error";
}
