/* Deliberately broken (tests/lanes): a heap buffer written one element past its end.
 * AddressSanitizer must report heap-buffer-overflow and valgrind memcheck an invalid
 * write. The size comes from argc so that no compile-time check sees it. Never built
 * into Partita. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  (void)argv;
  size_t n = 7 + (size_t)argc;
  double *v = malloc(n * sizeof *v);
  if (!v) return 2;
  for (size_t i = 0; i <= n; ++i) v[i] = (double)i; /* i == n writes past the end */
  printf("%g\n", v[n - 1]);
  free(v);
  return 0;
}
