#include "trainer/ema.h"

#include <torch/torch.h>

#include "core/io/state_dict.h"

namespace sinsr::train {

namespace {

bool averaged(const std::string& key, const at::Tensor& t) {
  return t.is_floating_point() && key.find("relative_position_index") == std::string::npos;
}

}  // namespace

Ema::Ema(const torch::nn::Module& model, double rate) : rate_(rate) {
  for (const auto& [key, t] : io::module_state_dict(model)) state_.emplace_back(key, t.detach().clone());
}

void Ema::update(const torch::nn::Module& model) {
  torch::NoGradGuard no_grad;
  const io::TensorDict current = io::module_state_dict(model);
  for (size_t i = 0; i < state_.size(); ++i)
    if (averaged(state_[i].first, state_[i].second))
      state_[i].second.mul_(rate_).add_(current[i].second.detach(), 1 - rate_);
}

}  // namespace sinsr::train
