/* heat_cuda: partita-heat's explicit step on this rank's CUDA device. Two copies of the
 * field in the host field's layout (ghosts and padding included, so a transfer is one
 * copy), the 5/7-point stencil over a box, and the faces: one kernel packs every face
 * that crosses to a neighbour, one kernel fills every ghost face (received values and
 * the physical boundary conditions). Work runs on two streams: the interior stream and
 * a higher-priority boundary stream for packing, ghosts and the boundary slabs, so the
 * boundary goes first while the interior runs. MPI stays with the caller: it sends and
 * receives the packed faces (heat_cuda_faces). Every function returns PT_OK or
 * PT_ERR_RUNTIME with "[rank R] file:line: cudaXxx failed: ..." and is not collective. */
#ifndef HEAT_CUDA_H
#define HEAT_CUDA_H

#include "heat_params.h"
#include "pt_field.h"

#ifdef __cplusplus
extern "C" {
#endif

enum { HEAT_NFACE = 2 * PT_MAXDIM };
enum { HEAT_CUDA_INTERIOR = 0, HEAT_CUDA_BOUNDARY = 1 };  /* streams */

typedef struct heat_cuda heat_cuda;

/* The packed faces as MPI sees them. Face k = 2 axis + side holds the cells next to it
 * in C order over the other axes, at [off[k], off[k+1]) of `send` (owned layer) and
 * `recv` (ghost layer); a face without a neighbour is empty. The buffers are pinned
 * host memory, or device memory when MPI takes device buffers (CUDA-aware MPI). */
typedef struct heat_cuda_faces {
  int64_t off[HEAT_NFACE + 1];
  double *send, *recv;
} heat_cuda_faces;

/* Device copies of two fields shaped like `f` (one ghost layer), the stencil weights
 * c[d] = alpha dt / h_d^2 and source term q = dt source, the faces exchanged with the
 * neighbours of f->decomp and the boundary conditions of the others. `mpi_direct`: MPI
 * reads and writes device buffers, no staging. Errors: PT_ERR_INPUT (a face larger
 * than an MPI count), PT_ERR_RUNTIME, PT_ERR_NOMEM. */
int heat_cuda_create(const heat_params *p, const pt_field *f, const double c[], double q,
                     int mpi_direct, heat_cuda **g);
/* Frees everything and sets *g to NULL (no-op on NULL). */
void heat_cuda_destroy(heat_cuda **g);

const heat_cuda_faces *heat_cuda_faces_of(const heat_cuda *g);

/* Copies host field f (whole allocation) to device field k, or device field k to f.
 * Both wait for all work on the device first. */
int heat_cuda_upload(heat_cuda *g, int k, const pt_field *f);
int heat_cuda_download(heat_cuda *g, int k, pt_field *f);

/* Boundary stream: packs the faces of field k that cross to a neighbour into `send`.
 * heat_cuda_pack_wait returns once `send` holds them (MPI may read it). */
int heat_cuda_pack(heat_cuda *g, int k);
int heat_cuda_pack_wait(heat_cuda *g);

/* Boundary stream: fills the ghost faces of field k, from `recv` where a neighbour sent
 * them (if `received`), from the boundary conditions on physical faces. */
int heat_cuda_fill_ghosts(heat_cuda *g, int k, int received);

/* One forward-Euler update of the cells in [lo, hi) (local indices) of field k into
 * field 1-k, on stream HEAT_CUDA_INTERIOR or HEAT_CUDA_BOUNDARY. The expression and its
 * order are heat_explicit_box's, every operation rounded separately (no FMA), so the
 * result is the CPU's bit for bit. */
int heat_cuda_box(heat_cuda *g, int k, const int64_t lo[], const int64_t hi[], int stream);

/* Waits for the work of both streams. */
int heat_cuda_sync(heat_cuda *g);

#ifdef __cplusplus
}
#endif
#endif
