/* grayscott_device: the operations of a partita-grayscott device back-end, the one
 * definition that grayscott.c and a back-end (grayscott_cuda.cu or grayscott_opencl.c,
 * linked into the in-tree program when configure finds CUDA or OpenCL) share. Like grayscott.c it needs only <partita.h>. */
#ifndef GRAYSCOTT_DEVICE_H
#define GRAYSCOTT_DEVICE_H

#include <partita.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gs_device_ops {
  /* Mirrors both buffers f[buffer][u, v] on this rank's device (`info`, as
   * pt_device_select_with chose it; `ocl`: the deck's OpenCL keys) in the host fields' layout, and sets up the exchange of the packed faces with
   * pt_halo_create_packed of kind `halo`: p2p or neighbor, any other is PT_ERR_INPUT
   * naming run.halo of `cfg`. The update is the CPU's with 1 / h^2 per axis, dt, F, F + k
   * and D = (Du, Dv). The host's buffer is uploaded at the first exchange, so what the
   * initial state or a restart wrote there goes up once. Faces with no neighbour are
   * zero-flux walls. Errors (agreed): PT_ERR_INPUT, PT_ERR_RUNTIME, PT_ERR_NOMEM,
   * PT_ERR_MPI. Collective over f[0][0]->decomp->cart. */
  int (*create)(const pt_config *cfg, pt_field *f[2][2], int halo, const pt_device_info *info,
                const pt_opencl_options *ocl, const double h[], double dt, double F, double k,
                const double D[2], void **dev);
  /* Fills the ghosts of buffer `cur` (u and v): a neighbour's faces where there is one,
   * the owned layer's values on a wall. Collective. */
  int (*exchange)(void *dev, int cur);
  /* Buffer 1 - cur from buffer cur; returns when the device has finished. Not collective. */
  int (*update)(void *dev, int cur);
  /* Copies buffer `cur` to the host if the device's is newer. Not collective. */
  void (*to_host)(void *dev, int cur);
  /* Frees everything and sets *dev to NULL (no-op on NULL). Collective. */
  void (*destroy)(void **dev);
} gs_device_ops;

/* The CUDA back-end, defined only where the build has one. A CUDA failure after create
 * is an internal fault: the rank prints the recorded
 * "[rank R] file:line: cudaXxx failed: ..." and aborts the job (exit 2). */
extern const gs_device_ops grayscott_cuda;
/* The OpenCL back-end, likewise (an OpenCL failure after create aborts the same way). */
extern const gs_device_ops grayscott_opencl;

#ifdef __cplusplus
}
#endif
#endif
