#include "core/nn/conv1x1.h"

#include <ATen/ATen.h>

#include "core/nn/option_variant.h"

namespace sinsr::nn {

torch::Tensor conv1x1(const torch::nn::Conv2d& conv, const torch::Tensor& x) {
  auto impl = conv.ptr();
  const auto& w = impl->weight;
  const auto& o = impl->options;
  const auto* padding = variant_if<torch::ExpandingArray<2>>(o.padding());
  const bool eligible = at::hasMKLDNN() && x.device().is_cpu() && x.scalar_type() == at::kFloat &&
                        w.scalar_type() == at::kFloat && w.size(2) == 1 && w.size(3) == 1 && (*o.stride())[0] == 1 &&
                        (*o.stride())[1] == 1 && o.groups() == 1 && padding && (**padding)[0] == 0 &&
                        (**padding)[1] == 0;
  if (!eligible) return impl->forward(x);
  return at::mkldnn_convolution(x.contiguous(x.suggest_memory_format()), w, impl->bias, {0, 0}, {1, 1}, {1, 1}, 1);
}

}  // namespace sinsr::nn
