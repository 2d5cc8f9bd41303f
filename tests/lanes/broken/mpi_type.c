/* Deliberately broken (tests/lanes): a double buffer sent as MPI_INT, which clang-tidy's
 * mpi-type-mismatch check must report. Never built into Partita. */
#include <mpi.h>

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank;
  double x[4] = {0};
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  if (rank == 0) MPI_Send(x, 4, MPI_INT, 1, 0, MPI_COMM_WORLD); /* should be MPI_DOUBLE */
  MPI_Finalize();
  return 0;
}
