/* Deliberately broken (tests/lanes): a libFuzzer harness with a crash behind a 4-byte
 * magic value, which the fuzz lane must find from an empty corpus within its budget
 * (libFuzzer learns the bytes from the compare). Never built into Partita. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size >= 4 && memcmp(data, "PT!9", 4) == 0) abort();
  return 0;
}
