/* Deliberately broken (tests/lanes): signed integer overflow, undefined behaviour that
 * UndefinedBehaviorSanitizer must report. Never built into Partita. */
#include <limits.h>
#include <stdio.h>

int main(int argc, char **argv) {
  (void)argv;
  int big = INT_MAX - 1 + argc; /* INT_MAX at run time, unknown to the compiler */
  printf("%d\n", big + 1);
  return 0;
}
