/* Deliberately broken (tests/lanes): OpenMP threads update a shared sum without a
 * reduction clause, a data race ThreadSanitizer must report. Never built into Partita. */
#include <stdio.h>

int main(void) {
  double sum = 0;
#pragma omp parallel for
  for (int i = 0; i < 100000; ++i) sum += 1.0 / (i + 1); /* missing reduction(+:sum) */
  printf("%g\n", sum);
  return 0;
}
