// Memory of a device: its peak, for the throughput logs (datagen's per-rank line, train's metrics.jsonl, the benches):
// on a GPU the CUDA caching allocator's peak of allocated bytes, on the CPU the process's peak resident set;
// and its total, for memory budgets (sinsr infer's tiles).
#pragma once
#include <c10/core/Device.h>

namespace sinsr::dist {

// Peak since the process started, in MB (1e6 bytes).
double peak_memory_mb(const c10::Device& device);

// All the memory this process may use on `device`, in bytes: on the CPU the physical RAM, or the cgroup's limit
// when lower (a Slurm job's --mem, a container's limit); on a GPU its total memory.
double total_memory_bytes(const c10::Device& device);

}  // namespace sinsr::dist
