/* Deliberately broken (tests/lanes): memory allocated and never freed, which
 * LeakSanitizer must report. Never built into Partita. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *kept;

int main(void) {
  kept = malloc(64);
  if (!kept) return 2;
  strcpy(kept, "lost");
  printf("%s\n", kept);
  kept = NULL; /* the last pointer to the block is gone */
  return 0;
}
