/* Deliberately broken (tests/lanes): memory allocated and never freed, which
 * LeakSanitizer must report. Never built into Partita. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The only pointer to the block dies with this frame. */
__attribute__((noinline)) static void forget(int n) {
  char *p = malloc((size_t)n);
  if (!p) exit(2);
  snprintf(p, (size_t)n, "lost %d bytes", n);
  puts(p);
}

int main(int argc, char **argv) {
  (void)argv;
  for (int i = 0; i < 4; ++i) forget(64 + argc);
  return 0;
}
