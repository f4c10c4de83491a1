#include "core/nn/unet_blocks.h"

#include <torch/nn/functional/upsampling.h>

#include <cmath>

#include "core/nn/conv1x1.h"
#include "core/nn/conv3x3.h"

namespace sinsr::nn {

namespace F = torch::nn::functional;

GroupNorm32Impl::GroupNorm32Impl(int64_t channels) {
  weight = register_parameter("weight", torch::ones({channels}));
  bias = register_parameter("bias", torch::zeros({channels}));
}

torch::Tensor GroupNorm32Impl::forward(const torch::Tensor& x) {
  return torch::group_norm(x.to(torch::kFloat32), 32, weight, bias, 1e-5).to(x.scalar_type());
}

torch::Tensor timestep_embedding(const torch::Tensor& timesteps, int64_t dim) {
  // Same op order as basic_ops.timestep_embedding so the float32 rounding matches.
  const int64_t half = dim / 2;
  // Made where the timesteps are: no host-to-device copy (and wait) per network call on a GPU.
  auto freqs = torch::exp(-std::log(10000.0) *
                          torch::arange(0, half, torch::dtype(torch::kFloat32).device(timesteps.device())) / half);
  auto args = timesteps.unsqueeze(1).to(torch::kFloat32) * freqs.unsqueeze(0);
  auto emb = torch::cat({torch::cos(args), torch::sin(args)}, -1);
  if (dim % 2) emb = torch::cat({emb, torch::zeros_like(emb.narrow(1, 0, 1))}, -1);
  return emb;
}

UpsampleImpl::UpsampleImpl(int64_t channels, bool use_conv) {
  if (use_conv)
    conv = register_module("conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(channels, channels, 3).padding(1)));
}

torch::Tensor UpsampleImpl::forward(const torch::Tensor& x) {
  auto h =
      F::interpolate(x, F::InterpolateFuncOptions().scale_factor(std::vector<double>{2.0, 2.0}).mode(torch::kNearest));
  return conv ? conv3x3(conv, h) : h;
}

DownsampleImpl::DownsampleImpl(int64_t channels, bool use_conv) {
  if (use_conv)
    op = register_module("op", torch::nn::Conv2d(torch::nn::Conv2dOptions(channels, channels, 3).stride(2).padding(1)));
}

torch::Tensor DownsampleImpl::forward(const torch::Tensor& x) {
  return op ? op->forward(x) : torch::avg_pool2d(x, 2, 2);
}

ResBlockImpl::ResBlockImpl(const ResBlockOptions& o) : o_(o) {
  using torch::nn::Conv2dOptions;
  in_norm = GroupNorm32(o.channels);
  in_conv = torch::nn::Conv2d(Conv2dOptions(o.channels, o.out_channels, 3).padding(1));
  in_layers = register_module("in_layers", torch::nn::Sequential(in_norm, torch::nn::SiLU(), in_conv));

  emb_linear = torch::nn::Linear(o.emb_channels, o.use_scale_shift_norm ? 2 * o.out_channels : o.out_channels);
  emb_layers = register_module("emb_layers", torch::nn::Sequential(torch::nn::SiLU(), emb_linear));

  out_norm = GroupNorm32(o.out_channels);
  dropout = torch::nn::Dropout(o.dropout);
  out_conv = torch::nn::Conv2d(Conv2dOptions(o.out_channels, o.out_channels, 3).padding(1));
  out_layers = register_module("out_layers", torch::nn::Sequential(out_norm, torch::nn::SiLU(), dropout, out_conv));

  if (o.out_channels != o.channels)
    skip_connection =
        register_module("skip_connection", torch::nn::Conv2d(Conv2dOptions(o.channels, o.out_channels, 1)));
}

torch::Tensor ResBlockImpl::resample(const torch::Tensor& x) const {
  if (o_.up)
    return F::interpolate(
        x, F::InterpolateFuncOptions().scale_factor(std::vector<double>{2.0, 2.0}).mode(torch::kNearest));
  if (o_.down) return torch::avg_pool2d(x, 2, 2);
  return x;
}

torch::Tensor ResBlockImpl::forward(const torch::Tensor& x_in, const torch::Tensor& emb) {
  torch::Tensor x = x_in, h;
  if (o_.up || o_.down) {
    // The reference resamples between in_layers' activation and its conv.
    h = conv3x3(in_conv, resample(torch::silu(in_norm->forward(x))));
    x = resample(x);
  } else {
    h = conv3x3(in_conv, torch::silu(in_norm->forward(x)));  // in_layers
  }
  auto emb_out = emb_layers->forward(emb).to(h.scalar_type()).unsqueeze(-1).unsqueeze(-1);
  if (o_.use_scale_shift_norm) {
    auto chunks = emb_out.chunk(2, 1);
    h = out_norm->forward(h) * (1 + chunks[0]) + chunks[1];
    h = conv3x3(out_conv, dropout->forward(torch::silu(h)));
  } else {
    h = conv3x3(out_conv, dropout->forward(torch::silu(out_norm->forward(h + emb_out))));  // out_layers
  }
  return (skip_connection ? conv1x1(skip_connection, x) : x) + h;
}

void TimestepEmbedSequentialImpl::append(const ResBlock& block) {
  auto impl = block.ptr();
  register_module(std::to_string(steps_.size()), impl);
  steps_.push_back([impl](const torch::Tensor& x, const torch::Tensor& emb) { return impl->forward(x, emb); });
}

torch::Tensor TimestepEmbedSequentialImpl::forward(torch::Tensor x, const torch::Tensor& emb) {
  for (const auto& step : steps_) x = step(x, emb);
  return x;
}

}  // namespace sinsr::nn
