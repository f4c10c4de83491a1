#include "trainer/objective.h"

#include <ATen/ATen.h>

#include <stdexcept>

namespace sinsr::train {

void StagedBatch::add(std::string name, at::Tensor samples) {
  tensors_.emplace_back(std::move(name), std::move(samples));
}

const at::Tensor& StagedBatch::operator[](const std::string& name) const {
  for (const auto& [n, t] : tensors_)
    if (n == name) return t;
  throw std::logic_error("staged batch has no tensor '" + name + "'");
}

int64_t StagedBatch::size() const { return tensors_.empty() ? 0 : tensors_.front().second.size(0); }

StagedBatch StagedBatch::slice(int64_t first, int64_t n) const {
  StagedBatch part;
  for (const auto& [name, t] : tensors_) part.add(name, t.narrow(0, first, n));
  return part;
}

}  // namespace sinsr::train
