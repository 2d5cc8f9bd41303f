/* Runs a libFuzzer harness once over files given on the command line (the corpus and
 * the crashes kept in tests/fuzz/regress/), without libFuzzer: so any compiler builds it
 * and `make check` replays every case ever found. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

int main(int argc, char **argv) {
  if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
  for (int i = 1; i < argc; ++i) {
    FILE *f = fopen(argv[i], "rb");
    if (!f) {
      fprintf(stderr, "replay: cannot open %s\n", argv[i]);
      return 1;
    }
    uint8_t *buf = NULL;
    size_t n = 0, cap = 0, got;
    do {
      if (n == cap) {
        uint8_t *nb = realloc(buf, cap = cap ? 2 * cap : 65536);
        if (!nb) {
          fprintf(stderr, "replay: out of memory\n");
          return 1;
        }
        buf = nb;
      }
      got = fread(buf + n, 1, cap - n, f);
      n += got;
    } while (got > 0);
    fclose(f);
    LLVMFuzzerTestOneInput(buf, n);
    free(buf);
  }
  return 0;
}
