#include "core/dist/device_memory.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <stdexcept>
#include <string>

#ifdef SINSR_WITH_CUDA
#include <c10/cuda/CUDACachingAllocator.h>
#include <c10/cuda/CUDAException.h>
#include <c10/cuda/CUDAGuard.h>
#include <cuda_runtime_api.h>
#endif

namespace sinsr::dist {

double peak_memory_mb(const c10::Device& device) {
  if (device.is_cuda()) {
#ifdef SINSR_WITH_CUDA
    const auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(device.index());
    return static_cast<double>(
               stats.allocated_bytes[static_cast<size_t>(c10::CachingAllocator::StatType::AGGREGATE)].peak) /
           1e6;
#else
    throw std::logic_error("peak_memory_mb: CUDA device in a build without SINSR_WITH_CUDA");
#endif
  }
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_maxrss) * 1024.0 / 1e6;  // ru_maxrss is in KiB on Linux
}

namespace {

// The memory limit of this process's cgroup (v2 memory.max, or v1 memory.limit_in_bytes); 0 when none is set.
double cgroup_memory_limit() {
  for (const char* path : {"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"}) {
    std::ifstream in(path);
    std::string value;
    if (in >> value && value != "max") {
      try {
        return std::stod(value);
      } catch (const std::exception&) {
      }
    }
  }
  return 0;
}

}  // namespace

double total_memory_bytes(const c10::Device& device) {
  if (device.is_cuda()) {
#ifdef SINSR_WITH_CUDA
    const c10::cuda::CUDAGuard guard(device.index());
    size_t free = 0, total = 0;
    C10_CUDA_CHECK(cudaMemGetInfo(&free, &total));
    return static_cast<double>(total);
#else
    throw std::logic_error("total_memory_bytes: CUDA device in a build without SINSR_WITH_CUDA");
#endif
  }
  const double physical = static_cast<double>(sysconf(_SC_PHYS_PAGES)) * static_cast<double>(sysconf(_SC_PAGESIZE));
  const double limit = cgroup_memory_limit();
  return limit > 0 ? std::min(physical, limit) : physical;
}

}  // namespace sinsr::dist
