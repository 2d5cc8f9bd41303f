/** @file
 * pt_device: device discovery and selection (one device per rank, chosen from the rank's
 * position on its node), the run-time choice between the CPU, CUDA and OpenCL back-ends
 * with a CPU fallback, and checking of every CUDA call (pt_opencl checks OpenCL's). A
 * build without CUDA or OpenCL has the same API: it reports "no CUDA support in this
 * build" (or "no OpenCL in this build") and runs on what it has. */
#ifndef PT_DEVICE_H
#define PT_DEVICE_H

#include <mpi.h>

#include "pt_opencl.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Where the node-level compute runs. */
typedef enum {
  PT_BACKEND_CPU = 0,    /**< "cpu" */
  PT_BACKEND_CUDA = 1,   /**< "cuda" */
  PT_BACKEND_AUTO = 2,   /**< "auto": CUDA, else OpenCL, else the CPU */
  PT_BACKEND_OPENCL = 3  /**< "opencl" */
} pt_backend;

/** Names of the back-ends in enum order ("cpu", "cuda", "auto", "opencl"),
 * NULL-terminated: the choices of an app's run.backend key. */
extern const char *const pt_backend_names[];

/** What pt_device_select chose for this rank. */
typedef struct pt_device_info {
  pt_backend backend;    /**< PT_BACKEND_CPU, _CUDA or _OPENCL, the same on every rank */
  int id;                /**< CUDA or OpenCL device index of this rank, -1 on the CPU */
  int count;             /**< CUDA devices visible to this rank (OpenCL: on its platform) */
  int local_rank;        /**< rank among the ranks sharing this node */
  int local_size;        /**< ranks sharing this node */
  int mpi_cuda_aware;    /**< MPI accepts device buffers (MPIX_Query_cuda_support) */
  char name[256];        /**< device name, "" on the CPU (OpenCL: "platform: device") */
} pt_device_info;

/** 1 if this library was built with CUDA, else 0. Not collective. */
int pt_device_built(void);

/** "CUDA runtime 13.0" (the toolkit the library was built with), or "no CUDA in this
 * build". Needs no device. Not collective. */
const char *pt_device_cuda_version(void);

/** Number of CUDA devices this process can use (0 without CUDA support, without a
 * driver or without a device). When it is 0, *why (if not NULL) says which, e.g. "no
 * CUDA support in this build"; the answer is probed once per process. Not collective. */
int pt_device_count(const char **why);

/** Resolves `want` to a back-end and selects this rank's GPU. PT_BACKEND_CUDA needs a
 * device on every rank; PT_BACKEND_AUTO uses CUDA if this build has it and every rank
 * sees a device, otherwise the CPU, with one notice on rank 0 of the pt_log
 * communicator when CUDA was built. On CUDA, ranks on the same node (grouped with
 * MPI_Comm_split_type(MPI_COMM_TYPE_SHARED)) take devices local_rank % count, and more
 * ranks than devices on a node is allowed (they share). Errors (agreed): PT_ERR_INPUT
 * "backend cuda: no usable CUDA device on rank R (<why>)", PT_ERR_RUNTIME (a CUDA call
 * failed), PT_ERR_MPI. Collective over `comm`. */
int pt_device_select(MPI_Comm comm, pt_backend want, pt_device_info *info);

/** As pt_device_select, for a program with an OpenCL back-end (pt_device_select is this
 * with ocl = NULL: no OpenCL back-end, so auto never picks it and PT_BACKEND_OPENCL is
 * PT_ERR_INPUT). PT_BACKEND_OPENCL takes the device `ocl` names on every rank;
 * PT_BACKEND_AUTO takes CUDA where every rank
 * has a CUDA device, else OpenCL where every rank has that device and it is not the
 * host's own processor (a CPU OpenCL device such as POCL's runs slower than the CPU
 * back-end), else the CPU, with one line on rank 0 saying which it chose and why. Errors (agreed): those of
 * pt_device_select; PT_ERR_INPUT from pt_opencl_pick (no platform, an index out of range
 * naming its key, no OpenCL in this build), prefixed "backend opencl: " and from the
 * lowest rank that failed. Collective over `comm`. */
int pt_device_select_with(MPI_Comm comm, pt_backend want, const pt_opencl_options *ocl,
                          pt_device_info *info);

/** The back-end `want` in words, for a plan (--dry-run): its name and, for opencl, the
 * device node-local rank 0 would take as `ocl` says ("opencl (rank 0: PLATFORM: DEVICE)"),
 * found without creating a context; a device that cannot be found is named as the reason
 * ("opencl (no OpenCL platform ...)"). Writes at most `len` bytes to `buf` and returns
 * it. Not collective. */
const char *pt_device_describe(pt_backend want, const pt_opencl_options *ocl, char *buf, size_t len);

/** 1 if MPI reports at run time that it accepts CUDA device buffers (Open MPI's
 * MPIX_Query_cuda_support), else 0. Not collective. */
int pt_device_mpi_cuda_aware(void);

/** Checks the result of a CUDA runtime call (a cudaError_t passed as int): on failure
 * records "[rank R] FILE:LINE: CALL failed: <CUDA error string> (<error name>)" and
 * returns PT_ERR_RUNTIME, else PT_OK. Not collective. Use PT_CUDA. */
int pt_device_check(int cuda_err, const char *call, const char *file, int line);

/** Calls a CUDA runtime function and returns PT_ERR_RUNTIME from the enclosing function
 * if it failed. After a kernel launch, PT_CUDA(cudaGetLastError()) checks the launch. */
#define PT_CUDA(call)                                                            \
  do {                                                                           \
    int pt_cuda_err_ = pt_device_check((int)(call), #call, __FILE__, __LINE__);  \
    if (pt_cuda_err_) return pt_cuda_err_;                                       \
  } while (0)

#ifdef __cplusplus
}
#endif
#endif
