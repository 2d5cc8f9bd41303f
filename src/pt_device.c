#include "config.h"
#include "pt_device.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "pt_error.h"
#include "pt_log.h"

#ifdef PT_HAVE_CUDA
#include <cuda_runtime_api.h>
#endif
#if defined(OPEN_MPI) && OPEN_MPI
#include <mpi-ext.h>
#endif

const char *const pt_backend_names[] = {"cpu", "cuda", "auto", NULL};

int pt_device_built(void) {
#ifdef PT_HAVE_CUDA
  return 1;
#else
  return 0;
#endif
}

const char *pt_device_cuda_version(void) {
#if defined(PT_HAVE_CUDA) && defined(CUDART_VERSION)
  static char v[48];
  snprintf(v, sizeof v, "CUDA runtime %d.%d", CUDART_VERSION / 1000, CUDART_VERSION % 1000 / 10);
  return v;
#else
  return "no CUDA in this build";
#endif
}

int pt_device_check(int cuda_err, const char *call, const char *file, int line) {
  if (cuda_err == 0) return PT_OK;
#ifdef PT_HAVE_CUDA
  const cudaError_t e = (cudaError_t)cuda_err;
  return pt_error_set(PT_ERR_RUNTIME, file, line, "%s failed: %s (%s)", call,
                      cudaGetErrorString(e), cudaGetErrorName(e));
#else
  return pt_error_set(PT_ERR_RUNTIME, file, line, "%s failed: CUDA error %d", call, cuda_err);
#endif
}

/* The first CUDA call of the process initialises the runtime, which is slow and may
 * fail (no driver, no device, CUDA_VISIBLE_DEVICES empty): done once, remembered. */
static int probed, ndev;
static char probe_why[256];

int pt_device_count(const char **why) {
  if (!probed) {
    probed = 1;
#ifdef PT_HAVE_CUDA
    int n = 0;
    cudaError_t e = cudaGetDeviceCount(&n);
    if (e != cudaSuccess)
      snprintf(probe_why, sizeof probe_why, "cudaGetDeviceCount: %s", cudaGetErrorString(e));
    else if (n <= 0)
      snprintf(probe_why, sizeof probe_why, "no CUDA device visible");
    else
      ndev = n;
#else
    snprintf(probe_why, sizeof probe_why, "no CUDA support in this build");
#endif
  }
  if (why) *why = ndev > 0 ? "" : probe_why;
  return ndev;
}

int pt_device_mpi_cuda_aware(void) {
#if defined(OMPI_HAVE_MPI_EXT_CUDA) && OMPI_HAVE_MPI_EXT_CUDA
  return MPIX_Query_cuda_support() == 1;
#else
  return 0;
#endif
}

/* This rank's device: local_rank % count, so the ranks of a node spread over its GPUs. */
static int bind_device(pt_device_info *info) {
#ifdef PT_HAVE_CUDA
  struct cudaDeviceProp prop;
  info->id = info->local_rank % info->count;
  PT_CUDA(cudaSetDevice(info->id));
  PT_CUDA(cudaGetDeviceProperties(&prop, info->id));
  snprintf(info->name, sizeof info->name, "%s", prop.name);
  info->mpi_cuda_aware = pt_device_mpi_cuda_aware();
  info->backend = PT_BACKEND_CUDA;
  return PT_OK;
#else
  (void)info;
  return PT_ERROR(PT_ERR_RUNTIME, "no CUDA support in this build");
#endif
}

int pt_device_select(MPI_Comm comm, pt_backend want, pt_device_info *info) {
  memset(info, 0, sizeof *info);
  info->backend = PT_BACKEND_CPU;
  info->id = -1;
  int rank, err;
  MPI_Comm node;
  PT_MPI(MPI_Comm_rank(comm, &rank));
  PT_MPI(MPI_Comm_split_type(comm, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node));
  err = PT_MPI_CHECK(MPI_Comm_rank(node, &info->local_rank));
  if (!err) err = PT_MPI_CHECK(MPI_Comm_size(node, &info->local_size));
  /* Unchecked: a failure to free leaks one handle and takes nothing from the answer. */
  MPI_Comm_free(&node);
  PT_TRY(err);
  const char *why;
  info->count = pt_device_count(&why);
  if (want == PT_BACKEND_CPU) return PT_OK;

  /* The lowest rank without a device decides, and says why, for every rank. */
  int missing = info->count > 0 ? INT_MAX : rank, first;
  PT_MPI(MPI_Allreduce(&missing, &first, 1, MPI_INT, MPI_MIN, comm));
  if (first != INT_MAX) {
    char reason[sizeof probe_why];
    snprintf(reason, sizeof reason, "%s", why);
    PT_MPI(MPI_Bcast(reason, (int)sizeof reason, MPI_CHAR, first, comm));
    if (want == PT_BACKEND_CUDA)
      return pt_agree(comm, rank != first ? PT_OK : PT_ERROR(PT_ERR_INPUT,
                      "backend cuda: no usable CUDA device on rank %d (%s)", rank, reason));
    /* Without CUDA in the build, auto meaning the CPU is no news. */
    if (pt_device_built())
      pt_log(PT_LOG_INFO, "backend auto: no usable CUDA device on rank %d (%s); running on the CPU",
             first, reason);
    return PT_OK;
  }
  err = pt_agree(comm, bind_device(info));
  if (err) {
    info->backend = PT_BACKEND_CPU;
    info->id = -1;
  }
  return err;
}
