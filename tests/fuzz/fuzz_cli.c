/* libFuzzer harness: the shared command line (pt_cli). The input is argv, arguments
 * separated by NUL bytes; the first byte's low bit turns pass-through options (PETSc's
 * -ksp_type cg) on. Runs before MPI_Init, as pt_cli_parse allows. Not collective. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pt_cli.h"
#include "pt_config.h"
#include "pt_error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { max_args = 32 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0) return 0;
  int passthrough = data[0] & 1;
  char *buf = malloc(size);
  if (!buf) return 0;
  memcpy(buf, data + 1, size - 1);
  buf[size - 1] = '\0';
  char *argv[max_args + 1];
  int argc = 0;
  argv[argc++] = "partita-fuzz";
  for (char *a = buf; a < buf + size - 1 && argc < max_args; a += strlen(a) + 1) argv[argc++] = a;
  argv[argc] = NULL;
  pt_cli cli;
  int err = pt_cli_parse(&cli, argc, argv, "partita-fuzz", "Fuzzing harness.", passthrough);
  if (err == PT_OK) {
    /* What the apps rely on after a successful parse; the overrides then go to
     * pt_config, which checks their syntax, as in every app. */
    if (cli.nset < 0 || (cli.nset > 0 && !cli.sets) || cli.max_walltime < 0) abort();
    if (cli.npass < 1 || cli.pass[cli.npass] != NULL) abort();
    pt_config *cfg = NULL;
    pt_config_parse_string(NULL, NULL, cli.nset, cli.sets, &cfg);
    pt_config_destroy(&cfg);
    pt_cli_free(&cli);
  }
  pt_error_clear();
  free(buf);
  return 0;
}
