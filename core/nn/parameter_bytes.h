// The memory a module's parameters take, at their dtypes now (half-precision copies count half).
#pragma once
#include <torch/nn/module.h>

#include <cstdint>

namespace sinsr::nn {

inline int64_t parameter_bytes(const torch::nn::Module& module) {
  int64_t bytes = 0;
  for (const auto& p : module.parameters()) bytes += p.numel() * static_cast<int64_t>(p.element_size());
  return bytes;
}

}  // namespace sinsr::nn
