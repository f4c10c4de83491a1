#include "core/io/state_dict.h"

#include <torch/csrc/autograd/grad_mode.h>

#include <iostream>
#include <map>
#include <sstream>
#include <stdexcept>

namespace sinsr::io {

namespace {

std::string shape_text(c10::IntArrayRef s) {
  std::ostringstream o;
  o << '[';
  for (size_t i = 0; i < s.size(); ++i) o << (i ? ", " : "") << s[i];
  o << ']';
  return o.str();
}

// "a, b, c and 12 more"
std::string list_text(const std::vector<std::string>& items) {
  std::ostringstream o;
  const size_t shown = std::min<size_t>(items.size(), 6);
  for (size_t i = 0; i < shown; ++i) o << (i ? ", " : "") << items[i];
  if (items.size() > shown) o << " and " << items.size() - shown << " more";
  return o.str();
}

}  // namespace

TensorDict module_state_dict(const torch::nn::Module& module) {
  TensorDict out;
  auto add_own = [&](const torch::nn::Module& m, const std::string& prefix) {
    for (const auto& p : m.named_parameters(/*recurse=*/false)) out.emplace_back(prefix + p.key(), p.value());
    for (const auto& b : m.named_buffers(/*recurse=*/false)) out.emplace_back(prefix + b.key(), b.value());
  };
  add_own(module, "");
  // include_self=false: the module need not be owned by a shared_ptr.
  for (const auto& item : module.named_modules("", /*include_self=*/false)) add_own(*item.value(), item.key() + ".");
  return out;
}

void load_state_dict_strict(torch::nn::Module& module, const TensorDict& state, const std::string& source) {
  std::map<std::string, at::Tensor> given(state.begin(), state.end());
  TensorDict expected = module_state_dict(module);
  std::vector<std::string> missing, unexpected, wrong_shape;
  std::map<std::string, bool> known;
  for (const auto& [key, target] : expected) {
    known[key] = true;
    auto it = given.find(key);
    if (it == given.end()) {
      missing.push_back(key);
    } else if (it->second.sizes() != target.sizes()) {
      wrong_shape.push_back(key + " (checkpoint " + shape_text(it->second.sizes()) + ", model " +
                            shape_text(target.sizes()) + ")");
    }
  }
  for (const auto& [key, value] : state)
    if (!known.count(key)) unexpected.push_back(key);
  if (!missing.empty() || !unexpected.empty() || !wrong_shape.empty()) {
    std::ostringstream o;
    o << "checkpoint '" << source << "' does not fit the model:";
    if (!wrong_shape.empty()) o << " wrong shape: " << list_text(wrong_shape) << ";";
    if (!missing.empty()) o << " missing: " << list_text(missing) << ";";
    if (!unexpected.empty()) o << " unexpected: " << list_text(unexpected) << ";";
    o << " check that the model config ([model] / [autoencoder]) matches the file";
    throw std::runtime_error(o.str());
  }
  torch::NoGradGuard no_grad;
  std::vector<std::string> non_finite;
  for (auto& [key, target] : expected) {
    const at::Tensor& value = given.at(key);
    if (value.is_floating_point() && !value.isfinite().all().item<bool>()) non_finite.push_back(key);
    target.copy_(value);
  }
  // Loaded all the same (a user may be inspecting a broken run); the stages refuse to write what such
  // weights produce (infer's images, datagen's shards, train's steps).
  if (!non_finite.empty())
    std::cerr << "warning: checkpoint '" << source << "' holds NaN or infinite values in " << list_text(non_finite)
              << "\n";
}

void load_weights(torch::nn::Module& module, const std::string& path) {
  load_state_dict_strict(module, read_state_dict(path), path);
}

}  // namespace sinsr::io
