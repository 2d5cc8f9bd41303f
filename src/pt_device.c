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

const char *const pt_backend_names[] = {"cpu", "cuda", "auto", "opencl", NULL};

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

/* This rank's OpenCL device as `ocl` names it: PT_OK, or the recorded reason. */
/* auto passes over an OpenCL device that is the host's processor: the CPU back-end runs
 * the same cells faster there (POCL: about 0.4 times its rate in bench/opencl-bench). */
static int pick_opencl(const pt_opencl_options *ocl, pt_backend want, pt_device_info *info) {
  if (!ocl) return PT_ERROR(PT_ERR_INPUT, "this program has no OpenCL back-end");
  int cpu = 0;
  PT_TRY(pt_opencl_pick(ocl, info->local_rank, &info->id, &info->count, info->name, sizeof info->name, &cpu));
  if (want == PT_BACKEND_AUTO && cpu)
    return PT_ERROR(PT_ERR_RUNTIME, "%s is this host's CPU, which the CPU back-end serves better; "
                    "ask for it with run.backend = opencl", info->name);
  return PT_OK;
}

const char *pt_device_describe(pt_backend want, const pt_opencl_options *ocl, char *buf, size_t len) {
  const char *name = pt_backend_names[want];
  if (want != PT_BACKEND_OPENCL || !ocl) {
    snprintf(buf, len, "%s", name);
    return buf;
  }
  int id, count;
  char dev[256];
  if (pt_opencl_pick(ocl, 0, &id, &count, dev, sizeof dev, NULL) == PT_OK)
    snprintf(buf, len, "%s (rank 0: %s)", name, dev);
  else
    snprintf(buf, len, "%s (%s)", name, pt_error_message());
  pt_error_clear();
  return buf;
}

/* The lowest rank with `fail` set, or INT_MAX; `reason` (that rank's) goes to every rank. */
static int first_failing(MPI_Comm comm, int rank, int fail, char *reason, int len, int *first) {
  int mine = fail ? rank : INT_MAX;
  PT_MPI(MPI_Allreduce(&mine, first, 1, MPI_INT, MPI_MIN, comm));
  if (*first != INT_MAX) PT_MPI(MPI_Bcast(reason, len, MPI_CHAR, *first, comm));
  return PT_OK;
}

int pt_device_select(MPI_Comm comm, pt_backend want, pt_device_info *info) {
  return pt_device_select_with(comm, want, NULL, info);
}

int pt_device_select_with(MPI_Comm comm, pt_backend want, const pt_opencl_options *ocl,
                          pt_device_info *info) {
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
  if (want == PT_BACKEND_CPU) return PT_OK;
  char reason[sizeof probe_why] = "", cl_reason[1024] = "";
  int first, cuda_first = INT_MAX;
  if (want != PT_BACKEND_OPENCL) {
    /* The lowest rank without a device decides, and says why, for every rank. */
    const char *why;
    info->count = pt_device_count(&why);
    snprintf(reason, sizeof reason, "%s", why);
    PT_TRY(first_failing(comm, rank, info->count == 0, reason, (int)sizeof reason, &cuda_first));
    if (cuda_first == INT_MAX) {
      err = pt_agree(comm, bind_device(info));
      if (err) {
        info->backend = PT_BACKEND_CPU;
        info->id = -1;
      }
      return err;
    }
    if (want == PT_BACKEND_CUDA)
      return pt_agree(comm, rank != cuda_first ? PT_OK : PT_ERROR(PT_ERR_INPUT,
                      "backend cuda: no usable CUDA device on rank %d (%s)", rank, reason));
    info->count = 0;
  }
  /* What auto says of CUDA: nothing when the build has none. */
  char cuda_said[sizeof reason + 64] = "";
  if (pt_device_built())
    snprintf(cuda_said, sizeof cuda_said, "no usable CUDA device on rank %d (%s); ", cuda_first, reason);
  if (want == PT_BACKEND_AUTO && !(ocl && pt_opencl_built())) {
    if (pt_device_built()) pt_log(PT_LOG_INFO, "backend auto: %srunning on the CPU", cuda_said);
    return PT_OK;
  }
  /* OpenCL, asked for or the next choice of auto. */
  const int cl_err = pick_opencl(ocl, want, info);
  if (cl_err) snprintf(cl_reason, sizeof cl_reason, "%s", pt_error_message());
  pt_error_clear();
  PT_TRY(first_failing(comm, rank, cl_err != PT_OK, cl_reason, (int)sizeof cl_reason, &first));
  if (first == INT_MAX) {
    info->backend = PT_BACKEND_OPENCL;
    if (want == PT_BACKEND_AUTO)
      pt_log(PT_LOG_INFO, "backend auto: %srunning on OpenCL (rank 0: %s)", cuda_said, info->name);
    return PT_OK;
  }
  info->id = -1;
  info->count = 0;
  info->name[0] = 0;
  /* Asked for by the deck, a missing device is the deck's error, whatever the cause. */
  if (want == PT_BACKEND_OPENCL)
    return pt_agree(comm, rank != first ? PT_OK : PT_ERROR(PT_ERR_INPUT, "backend opencl: %s", cl_reason));
  pt_log(PT_LOG_INFO, "backend auto: %sno usable OpenCL device on rank %d (%s); running on the CPU",
         cuda_said, first, cl_reason);
  return PT_OK;
}
