// UNet building blocks of the reference (models/unet.py, models/basic_ops.py): GroupNorm32, the
// sinusoidal timestep embedding, ResBlock, Downsample, Upsample and TimestepEmbedSequential.
// Registered submodule names equal the reference's, so named_parameters() matches its state_dict keys.
#pragma once
#include <torch/nn/module.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace sinsr::nn {

// GroupNorm(32 groups, eps 1e-5) computed in float32 and cast back (reference GroupNorm32), so a
// half-precision trunk still normalises in float32.
class GroupNorm32Impl : public torch::nn::Module {
 public:
  explicit GroupNorm32Impl(int64_t channels);
  torch::Tensor forward(const torch::Tensor& x);
  torch::Tensor weight, bias;
};
TORCH_MODULE(GroupNorm32);

// [cos(t*f_i), sin(t*f_i)], f_i = exp(-ln(10000) i / half), computed in float32 like the reference.
torch::Tensor timestep_embedding(const torch::Tensor& timesteps, int64_t dim);

// Nearest x2 then optional 3x3 conv ("conv").
class UpsampleImpl : public torch::nn::Module {
 public:
  UpsampleImpl(int64_t channels, bool use_conv);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  torch::nn::Conv2d conv{nullptr};
};
TORCH_MODULE(Upsample);

// 3x3 conv stride 2 padding 1 ("op"), or 2x2 average pooling without conv_resample.
class DownsampleImpl : public torch::nn::Module {
 public:
  DownsampleImpl(int64_t channels, bool use_conv);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  torch::nn::Conv2d op{nullptr};
};
TORCH_MODULE(Downsample);

struct ResBlockOptions {
  int64_t channels;
  int64_t emb_channels;
  int64_t out_channels;
  double dropout = 0;
  bool use_scale_shift_norm = true;
  bool up = false;
  bool down = false;
};

// GN-SiLU-conv, FiLM from the timestep embedding, GN-SiLU-dropout-conv, plus a skip connection
// (identity, or 1x1 conv when the channel count changes).
class ResBlockImpl : public torch::nn::Module {
 public:
  explicit ResBlockImpl(const ResBlockOptions& o);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& emb);

 private:
  ResBlockOptions o_;
  torch::nn::Sequential in_layers{nullptr}, emb_layers{nullptr}, out_layers{nullptr};
  GroupNorm32 in_norm{nullptr}, out_norm{nullptr};
  torch::nn::Conv2d in_conv{nullptr}, out_conv{nullptr}, skip_connection{nullptr};
  torch::nn::Linear emb_linear{nullptr};
  torch::nn::Dropout dropout{nullptr};
  // resblock_updown: nearest x2 (up) or 2x2 average pooling (down) on both paths, no parameters.
  torch::Tensor resample(const torch::Tensor& x) const;
};
TORCH_MODULE(ResBlock);

// An ordered list of layers named "0", "1", ...; ResBlocks receive the timestep embedding, the
// other layers only the activations (reference TimestepEmbedSequential).
class TimestepEmbedSequentialImpl : public torch::nn::Module {
 public:
  void append(const ResBlock& block);
  template <typename ModuleHolder>
  void append(const ModuleHolder& layer) {
    auto impl = layer.ptr();
    register_module(std::to_string(steps_.size()), impl);
    steps_.push_back([impl](const torch::Tensor& x, const torch::Tensor&) { return impl->forward(x); });
  }
  torch::Tensor forward(torch::Tensor x, const torch::Tensor& emb);

 private:
  std::vector<std::function<torch::Tensor(const torch::Tensor&, const torch::Tensor&)>> steps_;
};
TORCH_MODULE(TimestepEmbedSequential);

}  // namespace sinsr::nn
