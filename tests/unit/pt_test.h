// Helpers shared by the unit suites: the world communicator's rank/size and a
// collective "all ranks agree" check that never leaves a rank behind in a collective.
#ifndef PT_TEST_H
#define PT_TEST_H

#include <gtest/gtest.h>
#include <mpi.h>

namespace pt_test {
inline int rank() { int r; MPI_Comm_rank(MPI_COMM_WORLD, &r); return r; }
inline int size() { int s; MPI_Comm_size(MPI_COMM_WORLD, &s); return s; }
}  // namespace pt_test

#endif
