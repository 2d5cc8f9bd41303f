// Helpers shared by the unit suites: the world communicator's rank/size and a
// collective "all ranks agree" check that never leaves a rank behind in a collective.
#ifndef PT_TEST_H
#define PT_TEST_H

#include <gtest/gtest.h>
#include <mpi.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "pt_field.h"

namespace pt_test {
inline int rank() { int r; MPI_Comm_rank(MPI_COMM_WORLD, &r); return r; }
inline int size() { int s; MPI_Comm_size(MPI_COMM_WORLD, &s); return s; }

// A directory shared by all ranks (created by rank 0 under $TMPDIR), removed at exit.
inline std::string shared_dir() {
  static std::string dir;
  if (!dir.empty()) return dir;
  char buf[256] = "";
  if (rank() == 0) {
    const char *tmp = std::getenv("TMPDIR");
    std::snprintf(buf, sizeof buf, "%s/pt-test-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(buf)) buf[0] = '\0';
  }
  MPI_Bcast(buf, sizeof buf, MPI_CHAR, 0, MPI_COMM_WORLD);
  dir = buf;
  if (rank() == 0) std::atexit([] { std::system(("rm -rf '" + dir + "'").c_str()); });
  return dir;
}

// The first n ranks of the world, or MPI_COMM_NULL on the others.
inline MPI_Comm first_ranks(int n) {
  MPI_Comm c;
  MPI_Comm_split(MPI_COMM_WORLD, rank() < n ? 0 : MPI_UNDEFINED, rank(), &c);
  return c;
}

// Calls fn(idx) for every local index of f's allocation, ghosts and padding included,
// in C order; idx runs from -ng.
template <class F> void for_all_alloc(const pt_field *f, F fn) {
  int64_t idx[3] = {0, 0, 0}, total = 1;
  for (int a = 0; a < f->ndim; ++a) total *= f->alloc[a];
  for (int64_t i = 0; i < total; ++i) {
    int64_t r = i;
    for (int a = f->ndim - 1; a >= 0; --a) {
      idx[a] = r % f->alloc[a] - f->ng;
      r /= f->alloc[a];
    }
    fn(idx);
  }
}
}  // namespace pt_test

#endif
