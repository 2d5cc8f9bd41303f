/* libFuzzer harness: the HDF5 readers behind --restart and initial.type = file
 * (pt_checkpoint_read, pt_io_read_mesh, pt_io_last_step), fed mutated checkpoint and
 * output files of partita-heat. The input is written to a file and read back into an
 * 8 x 6 field on MPI_COMM_SELF, as a one-rank restart would. Every outcome but a clean
 * error code or success (crash, hang, sanitizer report) is a finding. */
#include <mpi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pt_checkpoint.h"
#include "pt_decomp.h"
#include "pt_error.h"
#include "pt_field.h"
#include "pt_io.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static pt_decomp *decomp;
static pt_field *field;
static char path[256];

/* libFuzzer ends the process with exit(): release what the readers are given. */
static void finalize(void) {
  pt_field_destroy(&field);
  pt_decomp_destroy(&decomp);
  MPI_Finalize();
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  MPI_Init(NULL, NULL);
  const int64_t n[2] = {8, 6};
  const int periodic[2] = {0, 0}, dims[2] = {1, 1};
  if (pt_decomp_create(MPI_COMM_SELF, 2, n, periodic, dims, &decomp) ||
      pt_field_create(decomp, 1, &field))
    abort();
  atexit(finalize);
  const char *tmp = getenv("TMPDIR");
  snprintf(path, sizeof path, "%s/partita-fuzz-%ld.h5", tmp && *tmp ? tmp : "/tmp", (long)getpid());
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  FILE *f = fopen(path, "wb");
  if (!f) abort();
  if (fwrite(data, 1, size, f) != size || fclose(f) != 0) abort();
  static const char *const names[] = {"temperature"};
  pt_field *fields[] = {field};
  pt_checkpoint ck;
  memset(&ck, 0, sizeof ck);
  ck.app = "partita-heat";
  ck.nfields = 1;
  ck.field_names = names;
  ck.fields = fields;
  if (pt_checkpoint_read(MPI_COMM_SELF, path, ".", &ck) == PT_OK) pt_checkpoint_release(&ck);
  double time;
  int64_t step;
  pt_io_read_mesh(path, -1, "temperature", field, &time, &step);
  pt_io_last_step(MPI_COMM_SELF, path, &step);
  pt_error_clear();
  unlink(path);
  return 0;
}
