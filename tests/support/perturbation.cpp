#include "tests/support/perturbation.h"

#include <ATen/ATen.h>
#include <torch/csrc/autograd/grad_mode.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>

namespace sinsr::test {

PerturbationResult perturb_each_parameter(torch::nn::Module& model,
                                          const std::function<std::vector<at::Tensor>()>& outputs,
                                          const std::function<double()>& worst_error, double tolerance, double delta) {
  at::manual_seed(0);
  at::Tensor probe = at::zeros({});
  for (const at::Tensor& o : outputs())
    probe = probe + (o * at::randn_like(o)).sum() / o.detach().abs().max().clamp_min(1e-12);
  model.zero_grad();
  probe.backward();

  auto params = model.named_parameters();
  std::vector<double> gmax;
  for (const auto& p : params)
    gmax.push_back(p.value().grad().defined() ? p.value().grad().abs().max().item<double>() : 0.0);
  std::vector<double> sorted = gmax;
  std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(sorted.size() / 2), sorted.end());
  const double inert_below = 1e-4 * sorted[sorted.size() / 2];

  PerturbationResult r;
  torch::NoGradGuard no_grad;
  for (size_t i = 0; i < params.size(); ++i) {
    at::Tensor w = params[i].value();
    const at::Tensor grad = w.grad();
    const int64_t idx = grad.defined() ? grad.abs().flatten().argmax().item<int64_t>() : 0;
    // A one-element view of element `idx` (row-major logical order) through the strides: flatten() of a
    // channels-last weight would be a copy, and writes to it would never reach the model.
    int64_t offset = w.storage_offset();
    for (int64_t d = w.dim() - 1, rest = idx; d >= 0; rest /= w.size(d), --d)
      offset += (rest % w.size(d)) * w.stride(d);
    at::Tensor element = w.as_strided({1}, {1}, offset);
    const float original = element.item<float>();
    auto error_with = [&](double d) {
      element.fill_(original + d);
      const double e = worst_error();
      element.fill_(original);
      return e;
    };
    double err = error_with(delta);
    // Weights with a weak influence: scale the perturbation up (linear response) to aim at 10x the
    // tolerance, up to a change of 1.0.
    if (err < 10 * tolerance && err > 0) err = error_with(std::min(1.0, delta * 10 * tolerance / err));
    const std::string where = params[i].key() + "[" + std::to_string(idx) + "]";
    if (gmax[i] < inert_below) {
      r.inert.push_back(params[i].key());
      if (err > tolerance) r.inert_but_changed.push_back(where);
    } else if (err > tolerance) {
      ++r.detected;
      r.weakest_detection = std::min(r.weakest_detection, err / tolerance);
    } else {
      r.unnoticed.push_back(where);
    }
  }
  return r;
}

void expect_every_weight_matters(const PerturbationResult& r) {
  std::cout << r.detected << " parameter tensors: one perturbed element fails parity (weakest: error "
            << r.weakest_detection << "x the tolerance); " << r.inert.size()
            << " inert (round-off-level gradient, perturbation has no effect)\n";
  for (const auto& name : r.inert) std::cout << "  inert: " << name << "\n";
  EXPECT_TRUE(r.unnoticed.empty()) << "unnoticed perturbation of " << r.unnoticed.front();
  EXPECT_TRUE(r.inert_but_changed.empty()) << r.inert_but_changed.front() << " is not inert";
  EXPECT_GT(r.detected, 0);
}

}  // namespace sinsr::test
