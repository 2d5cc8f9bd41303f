/** @file
 * pt_opencl: the OpenCL device of a rank (platform and device chosen by deck keys), its
 * context and two in-order command queues, programs built from source with the build log
 * in the error, checking of every OpenCL call, and the face kernel that device back-ends
 * share (pack the faces that cross to a neighbour into one buffer, fill ghost faces from
 * it or from a wall condition). OpenCL handles are passed as `void *` so that this header
 * needs no OpenCL headers: cast them to cl_context, cl_command_queue, cl_program, cl_mem.
 * A build without OpenCL has the same API; its functions fail with "no OpenCL in this
 * build". Kernel sources are embedded in the library at build time. */
#ifndef PT_OPENCL_H
#define PT_OPENCL_H

#include <stddef.h>
#include <stdint.h>

#include "pt_config.h"
#include "pt_field.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The deck's choice of OpenCL device (keys opencl.platform, opencl.device,
 * opencl.build_options). */
typedef struct pt_opencl_options {
  int platform;              /**< platform index (opencl.platform, default 0) */
  int device;                /**< device index on it; -1 (default): node-local rank % devices */
  char build_options[256];   /**< added to every program's build options */
  const pt_config *cfg;      /**< the deck the keys came from (names them in errors), or NULL */
} pt_opencl_options;

/** The defaults (platform 0, device by node-local rank, no extra options, no deck). Not
 * collective. */
void pt_opencl_options_default(pt_opencl_options *o);

/** Reads opencl.platform, opencl.device and opencl.build_options of `cfg` into `o`.
 * Errors: PT_ERR_INPUT naming the key. Not collective. */
int pt_opencl_read(pt_config *cfg, pt_opencl_options *o);

/** 1 if this library was built with OpenCL, else 0. Not collective. */
int pt_opencl_built(void);

/** "OpenCL (ICD loader, headers 3.0)" or "no OpenCL in this build". Not collective. */
const char *pt_opencl_version(void);

/** Chooses this rank's device as `o` says: `*id` is the device index on the platform,
 * `*count` the devices there, `name` (len bytes) "platform: device", `*cpu` (if not
 * NULL) 1 when the device is the host's own processor (POCL's, say). Errors: PT_ERR_INPUT
 * for the deck's choice: a platform or device index out of range, a platform without a
 * device (naming opencl.platform or opencl.device of o->cfg); PT_ERR_RUNTIME for the
 * machine: "no OpenCL platform (...)", "no OpenCL in this build". Not collective. */
int pt_opencl_pick(const pt_opencl_options *o, int local_rank, int *id, int *count, char *name,
                   size_t len, int *cpu);

/** For a deck's run.backend = opencl, before anything is set up: PT_OK if the device
 * that `o` names exists here. Errors: PT_ERR_INPUT naming the key at fault:
 * opencl.platform or opencl.device for an index out of range, run.backend ("'opencl'
 * needs a usable OpenCL device (...)") for a machine without a platform or a build
 * without OpenCL. This rank's view only (pt_device_select_with agrees later). Not
 * collective. */
int pt_opencl_check_deck(const pt_opencl_options *o);

/** A rank's OpenCL device, context and queues (opaque). */
typedef struct pt_opencl pt_opencl;

/** Creates a context and two in-order queues (0 and 1) on device `id` of platform
 * o->platform; `o` is copied. Errors: as pt_opencl_pick, PT_ERR_RUNTIME (an OpenCL call
 * failed), PT_ERR_NOMEM. Not collective. */
int pt_opencl_create(const pt_opencl_options *o, int id, pt_opencl **cl);

/** Waits for both queues, releases everything and sets *cl to NULL (no-op on NULL). Not
 * collective. */
void pt_opencl_destroy(pt_opencl **cl);

/** The cl_context. Not collective. */
void *pt_opencl_context(const pt_opencl *cl);
/** Queue k (0 or 1) as a cl_command_queue. Not collective. */
void *pt_opencl_queue(const pt_opencl *cl, int k);
/** The cl_device_id the context was made on. Not collective. */
void *pt_opencl_device(const pt_opencl *cl);

/** Builds `source` (OpenCL C; `name` labels errors) for the device with
 * "-cl-std=CL1.2", the deck's opencl.build_options and `options` (NULL: none); never
 * -cl-mad-enable or -cl-fast-relaxed-math, so a kernel with
 * `#pragma OPENCL FP_CONTRACT OFF` rounds every operation as C does. *program is a
 * cl_program. Errors: PT_ERR_RUNTIME "[rank R] file:line: building NAME failed
 * (CL_BUILD_PROGRAM_FAILURE): <build log on one line>". Not collective. */
int pt_opencl_build(pt_opencl *cl, const char *name, const char *source, const char *options,
                    void **program);

/** A device buffer of `bytes` bytes (a cl_mem), zeroed. Errors: PT_ERR_RUNTIME. Not
 * collective. */
int pt_opencl_alloc(pt_opencl *cl, size_t bytes, void **mem);
/** Releases a buffer from pt_opencl_alloc and sets *mem to NULL (no-op on NULL). */
void pt_opencl_free(void **mem);

/** The name of an OpenCL error code ("CL_OUT_OF_RESOURCES"), "CL_ERROR(-N)" for one it
 * does not know. Not collective. */
const char *pt_opencl_error_name(int err);

/** Checks an OpenCL result (a cl_int): on failure records "[rank R] FILE:LINE: CALL
 * failed: <error name>" and returns PT_ERR_RUNTIME, else PT_OK. Not collective. Use
 * PT_CL. */
int pt_opencl_check(int err, const char *call, const char *file, int line);

/** Calls an OpenCL function that returns a cl_int and returns PT_ERR_RUNTIME from the
 * enclosing function if it failed. */
#define PT_CL(call)                                                             \
  do {                                                                          \
    int pt_cl_err_ = pt_opencl_check((int)(call), #call, __FILE__, __LINE__);   \
    if (pt_cl_err_) return pt_cl_err_;                                          \
  } while (0)

/** What the face kernel does with one face (see pt_opencl_faces_add). */
typedef enum {
  PT_OPENCL_FACE_SEND = 0,      /**< owned layer -> buffer */
  PT_OPENCL_FACE_RECV = 1,      /**< buffer -> ghost layer */
  PT_OPENCL_FACE_DIRICHLET = 2, /**< ghost = value - owned (value is twice the wall value) */
  PT_OPENCL_FACE_NEUMANN = 3    /**< ghost = owned (zero flux) */
} pt_opencl_face_mode;

/** A list of faces that one launch of the shared face kernel handles (opaque). */
typedef struct pt_opencl_faces pt_opencl_faces;

/** An empty list of faces of fields shaped like `f` (its local sizes and strides; one
 * ghost layer). Builds the face kernel once per pt_opencl. Errors: as pt_opencl_build,
 * PT_ERR_NOMEM. Not collective. */
int pt_opencl_faces_create(pt_opencl *cl, const pt_field *f, pt_opencl_faces **t);

/** Adds face (axis, side) of field `field` (0 or 1 of the launch) with `mode`; its cells,
 * in C order over the other axes, are the doubles from `buf` on in the launch's buffer
 * (SEND, RECV). `value`: the Dirichlet term. Returns the face's cell count. Not
 * collective. */
int64_t pt_opencl_faces_add(pt_opencl_faces *t, int axis, int side, int field,
                            pt_opencl_face_mode mode, int64_t buf, double value);

/** The number of faces in the list. Not collective. */
int pt_opencl_faces_count(const pt_opencl_faces *t);

/** Enqueues the kernel on queue `q` over every face of the list: f0 and f1 are the fields
 * (cl_mem, the host field's whole allocation; local index 0 at double `offset`), `buf` the
 * face buffer (cl_mem; may be NULL when no face uses one). Nothing with no faces. Errors:
 * PT_ERR_RUNTIME. Not collective. */
int pt_opencl_faces_run(pt_opencl_faces *t, int q, void *f0, void *f1, int64_t offset, void *buf);

/** Frees the list and sets *t to NULL (no-op on NULL). */
void pt_opencl_faces_destroy(pt_opencl_faces **t);

#ifdef __cplusplus
}
#endif
#endif
