// Peak memory of a device, for the throughput logs (datagen's per-rank line, train's metrics.jsonl, the benches):
// on a GPU the CUDA caching allocator's peak of allocated bytes, on the CPU the process's peak resident set.
#pragma once
#include <c10/core/Device.h>

namespace sinsr::dist {

// Peak since the process started, in MB (1e6 bytes).
double peak_memory_mb(const c10::Device& device);

}  // namespace sinsr::dist
