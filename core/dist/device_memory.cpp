#include "core/dist/device_memory.h"

#include <sys/resource.h>

#include <stdexcept>

#ifdef SINSR_WITH_CUDA
#include <c10/cuda/CUDACachingAllocator.h>
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

}  // namespace sinsr::dist
