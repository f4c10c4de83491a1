// "A parity test that cannot fail proves nothing": perturb one element of each parameter tensor and check
// that the parity comparison notices.
#pragma once
#include <torch/nn/module.h>

#include <functional>
#include <string>
#include <vector>

namespace sinsr::test {

struct PerturbationResult {
  int detected = 0;                            // tensors whose perturbation failed parity, as it must
  std::vector<std::string> inert;              // tensors with a round-off-level gradient: mathematically no effect
  std::vector<std::string> unnoticed;          // perturbed, parity still passed: a hole in the test
  std::vector<std::string> inert_but_changed;  // claimed inert, yet the output moved
  double weakest_detection = INFINITY;         // smallest error/tolerance among the detected ones
};

// For each parameter tensor, takes the element with the largest gradient of a random projection of
// `outputs()` (the quantities the parity test compares) and adds `delta` to it (scaled up to at most 1.0
// for weakly influential weights); `worst_error()` must then exceed `tolerance`. Tensors whose largest gradient is
// below 1e-4 of the median tensor's are inert by construction (e.g. a conv bias feeding a GroupNorm with one channel
// per group: the norm removes it); for those the check is the converse: the error must stay within tolerance.
PerturbationResult perturb_each_parameter(torch::nn::Module& model,
                                          const std::function<std::vector<at::Tensor>()>& outputs,
                                          const std::function<double()>& worst_error, double tolerance,
                                          double delta = 1e-2);

// Prints the result and fails the calling test on any unnoticed perturbation or non-inert "inert" tensor.
void expect_every_weight_matters(const PerturbationResult& r);

}  // namespace sinsr::test
