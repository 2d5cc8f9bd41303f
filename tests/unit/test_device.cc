// pt_device's CPU fallback, on any machine: the suite hides every GPU from itself
// (CUDA_VISIBLE_DEVICES set empty before the CUDA runtime starts, and OCL_ICD_VENDORS
// naming a directory that does not exist, so the OpenCL loader finds no platform), so "no device" is
// what the real runtime reports here, with or without a GPU in the box, and without
// CUDA in the build. The GPU side is tests/unit/test_gpu.cc.
#include "pt_test.h"

#include <cstdlib>
#include <string>

extern "C" {
#include "heat_params.h"
#include "heat_solver.h"
}
#include "pt_config.h"
#include "pt_device.h"
#include "pt_error.h"
#include "pt_log.h"
#include "pt_timer.h"

namespace {

// Runs before main, so before MPI_Init and any CUDA call.
const int gpus_hidden = setenv("CUDA_VISIBLE_DEVICES", "", 1) |
                        setenv("OCL_ICD_VENDORS", "/nonexistent/partita-test-no-vendors", 1);

std::string reason() {
  const char *why = nullptr;
  EXPECT_EQ(0, pt_device_count(&why));
  return why ? why : "";
}

TEST(DeviceFallback, NoDeviceCountsZeroAndSaysWhy) {
  ASSERT_EQ(0, gpus_hidden);
  std::string why = reason();
  if (pt_device_built())
    EXPECT_TRUE(why.rfind("cudaGetDeviceCount: ", 0) == 0 || why == "no CUDA device visible") << why;
  else
    EXPECT_EQ("no CUDA support in this build", why);
  EXPECT_EQ(0, pt_device_mpi_cuda_aware() && !pt_device_built());  // never without CUDA
}

TEST(DeviceFallback, CpuNeedsNoDeviceAndFindsTheNodeRanks) {
  pt_device_info info;
  ASSERT_EQ(PT_OK, pt_device_select(MPI_COMM_WORLD, PT_BACKEND_CPU, &info)) << pt_error_message();
  EXPECT_EQ(PT_BACKEND_CPU, info.backend);
  EXPECT_EQ(-1, info.id);
  EXPECT_EQ(0, info.count);
  EXPECT_GE(info.local_rank, 0);
  EXPECT_LT(info.local_rank, info.local_size);
  // Node groups partition the ranks: their sizes, counted once per node, add up.
  int mine = info.local_rank == 0 ? info.local_size : 0, total = 0;
  MPI_Allreduce(&mine, &total, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
  EXPECT_EQ(pt_test::size(), total);
}

TEST(DeviceFallback, AutoFallsBackToTheCpuWithOneNoticeOnRankZero) {
  const std::string why = reason();
  pt_log_init(MPI_COMM_WORLD, PT_LOG_INFO);
  pt_device_info info;
  testing::internal::CaptureStdout();
  int err = pt_device_select(MPI_COMM_WORLD, PT_BACKEND_AUTO, &info);
  std::string out = testing::internal::GetCapturedStdout();
  EXPECT_EQ(PT_OK, err) << pt_error_message();
  EXPECT_EQ(PT_BACKEND_CPU, info.backend);
  EXPECT_EQ(-1, info.id);
  // Without CUDA in the build, auto meaning the CPU is not news: no notice.
  std::string expect;
  if (pt_device_built() && pt_test::rank() == 0)
    expect = "backend auto: no usable CUDA device on rank 0 (" + why + "); running on the CPU\n";
  EXPECT_EQ(expect, out);
}

TEST(DeviceFallback, CudaWithoutADeviceIsAnInputErrorWithTheExactMessage) {
  const std::string why = reason();
  pt_device_info info;
  EXPECT_EQ(PT_ERR_INPUT, pt_device_select(MPI_COMM_WORLD, PT_BACKEND_CUDA, &info));
  // Agreed: every rank holds rank 0's message.
  EXPECT_EQ("backend cuda: no usable CUDA device on rank 0 (" + why + ")",
            std::string(pt_error_message()));
  EXPECT_EQ(PT_BACKEND_CPU, info.backend);
  pt_error_clear();
}

TEST(DeviceFallback, OpenclWithoutAPlatformIsAnInputErrorOnEveryRank) {
  pt_device_info info;
  EXPECT_EQ(PT_ERR_INPUT, pt_device_select(MPI_COMM_WORLD, PT_BACKEND_OPENCL, &info));
  EXPECT_EQ("backend opencl: this program has no OpenCL back-end", std::string(pt_error_message()));
  pt_opencl_options o;
  pt_opencl_options_default(&o);
  EXPECT_EQ(PT_ERR_INPUT, pt_device_select_with(MPI_COMM_WORLD, PT_BACKEND_OPENCL, &o, &info));
  const std::string why = pt_opencl_built() ? "no OpenCL platform (clGetPlatformIDs: " : "no OpenCL in this build";
  EXPECT_EQ(0u, std::string(pt_error_message()).rfind("backend opencl: " + why, 0)) << pt_error_message();
  EXPECT_EQ(PT_BACKEND_CPU, info.backend);
  EXPECT_EQ(-1, info.id);
  pt_error_clear();
}

TEST(DeviceCheck, FailedCallNamesTheRankCallAndCudaError) {
  EXPECT_EQ(PT_OK, pt_device_check(0, "cudaFree(p)", "x.cu", 3));
  // 2 is cudaErrorMemoryAllocation (driver_types.h; stable since CUDA 1.0).
  EXPECT_EQ(PT_ERR_RUNTIME, pt_device_check(2, "cudaMalloc(&p, n)", "x.cu", 7));
  std::string expect = "[rank " + std::to_string(pt_test::rank()) + "] x.cu:7: cudaMalloc(&p, n) failed: ";
  expect += pt_device_built() ? "out of memory (cudaErrorMemoryAllocation)" : "CUDA error 2";
  EXPECT_EQ(expect, std::string(pt_error_message()));
  pt_error_clear();
}

std::string read_heat(const std::string &deck, heat_params *p) {
  pt_config *cfg = nullptr;
  std::string msg;
  if (pt_config_parse_string("d.ini", deck.c_str(), 0, nullptr, &cfg) != PT_OK) return "parse failed";
  int err = heat_params_read(cfg, p);
  if (!err) err = pt_config_finish(cfg);
  msg = err ? pt_error_message() : "";
  pt_config_destroy(&cfg);
  pt_error_clear();
  return msg;
}

TEST(HeatBackend, CudaWithoutADeviceIsAnInputErrorAtTheKey) {
  heat_params p;
  EXPECT_EQ("d.ini:4: run.backend: 'cuda' needs a usable CUDA device (" + reason() + ")",
            read_heat("[grid]\nnx = 8\n[run]\nbackend = cuda\n", &p));
  EXPECT_EQ("d.ini:2: run.backend: must be one of cpu, cuda, auto, opencl (got 'gpu')",
            read_heat("[run]\nbackend = gpu\n", &p));
  EXPECT_EQ("", read_heat("[grid]\nnx = 8\n", &p));
  EXPECT_EQ(PT_BACKEND_CPU, p.backend);  // the default
}

// auto without a device runs the CPU step: the same bits as backend = cpu.
TEST(HeatBackend, AutoWithoutADeviceRunsTheCpuStep) {
  const std::string deck = "[grid]\nnx = 17\nny = 12\n[initial]\ntype = disk\n[run]\nbackend = ";
  double sums[2];
  for (int k = 0; k < 2; ++k) {
    heat_params p;
    ASSERT_EQ("", read_heat(deck + (k ? "auto\n" : "cpu\n"), &p));
    pt_timers *t = nullptr;
    heat_solver *s = nullptr;
    ASSERT_EQ(PT_OK, pt_timers_create(&t));
    pt_log_init(MPI_COMM_WORLD, PT_LOG_QUIET);
    EXPECT_EQ(PT_OK, heat_solver_create(MPI_COMM_WORLD, &p, t, &s)) << pt_error_message();
    pt_log_init(MPI_COMM_WORLD, PT_LOG_INFO);
    if (s) {
      EXPECT_EQ(PT_BACKEND_CPU, s->st.device.backend);
      EXPECT_EQ(&heat_backend_explicit, s->backend);
      heat_solver_init(s);
      for (int i = 0; i < 10; ++i) EXPECT_EQ(PT_OK, heat_solver_step(s));
      heat_diag d;
      EXPECT_EQ(PT_OK, heat_solver_diagnostics(s, &d));
      sums[k] = d.l2;
    }
    heat_solver_destroy(&s);
    pt_timers_destroy(&t);
  }
  EXPECT_EQ(sums[0], sums[1]);
}

}  // namespace
