/* Deliberately broken (tests/lanes): a loop bound one past a fixed-size array, which
 * cppcheck must report as an out-of-bounds access. Never built into Partita. */
#include <stdio.h>

int main(void) {
  double v[8];
  for (int i = 0; i <= 8; ++i) v[i] = i; /* i == 8 is past the end */
  printf("%g\n", v[7]);
  return 0;
}
