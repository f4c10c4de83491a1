// The convolution paths a CPU build takes: LibTorch's kernels, and oneDNN's Winograd where this build and CPU have it
// (core/nn/conv3x3.h). Parity must hold on each, so the parity tests run their comparisons once per path.
#pragma once
#include <string>
#include <vector>

#include "core/nn/conv3x3.h"

namespace sinsr::test {

struct ConvolutionPath {
  std::string name;
  bool winograd = false;
};

inline std::vector<ConvolutionPath> convolution_paths() {
  std::vector<ConvolutionPath> paths{{"direct convolutions", false}};
  if (nn::winograd_available()) paths.push_back({"Winograd convolutions", true});
  return paths;
}

// Takes `path` for the scope's lifetime; Winograd is back on (the default) afterwards.
class UseConvolutionPath {
 public:
  explicit UseConvolutionPath(const ConvolutionPath& path) { nn::set_winograd_enabled(path.winograd); }
  ~UseConvolutionPath() { nn::set_winograd_enabled(true); }
  UseConvolutionPath(const UseConvolutionPath&) = delete;
  UseConvolutionPath& operator=(const UseConvolutionPath&) = delete;
};

}  // namespace sinsr::test
