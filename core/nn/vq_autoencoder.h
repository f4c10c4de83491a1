// VQModelTorch (ldm/models/autoencoder.py + ldm/modules/diffusionmodules/model.py + vqvae/quantize.py):
// the VQ-f4 first stage. encode() returns the continuous pre-quantisation latent (what ResShift/SinSR use);
// decode() quantises to the nearest codebook entry first, then runs the decoder.
#pragma once
#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/normalization.h>

#include "core/nn/model_config.h"
#include "core/nn/precision.h"

namespace sinsr::nn::vq {

class ResnetBlockImpl : public torch::nn::Module {
 public:
  ResnetBlockImpl(int64_t in_channels, int64_t out_channels, double dropout);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  torch::nn::GroupNorm norm1{nullptr}, norm2{nullptr};
  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr}, nin_shortcut{nullptr};
  torch::nn::Dropout dropout{nullptr};
};
TORCH_MODULE(ResnetBlock);

// Single-head softmax attention over all H*W positions. The reference materialises the (HW)x(HW)
// matrix (or uses xformers); here queries are processed in chunks so large tiles fit in memory.
class AttnBlockImpl : public torch::nn::Module {
 public:
  explicit AttnBlockImpl(int64_t channels);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  torch::nn::GroupNorm norm{nullptr};
  torch::nn::Conv2d q{nullptr}, k{nullptr}, v{nullptr}, proj_out{nullptr};
};
TORCH_MODULE(AttnBlock);

// Zero-pad right/bottom by one, then 3x3 conv stride 2 without padding (asymmetric, unlike the UNet).
class DownsampleImpl : public torch::nn::Module {
 public:
  explicit DownsampleImpl(int64_t channels);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  torch::nn::Conv2d conv{nullptr};
};
TORCH_MODULE(Downsample);

class UpsampleImpl : public torch::nn::Module {
 public:
  explicit UpsampleImpl(int64_t channels);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  torch::nn::Conv2d conv{nullptr};
};
TORCH_MODULE(Upsample);

// One resolution level: "block" (ResnetBlocks), "attn" (AttnBlocks at attn_resolutions) and an optional
// "downsample"/"upsample".
class LevelImpl : public torch::nn::Module {
 public:
  torch::nn::ModuleList block{nullptr}, attn{nullptr};
  Downsample downsample{nullptr};
  Upsample upsample{nullptr};
  LevelImpl();
  torch::Tensor forward(torch::Tensor h);
};
TORCH_MODULE(Level);

// Middle: block_1, attn_1, block_2.
class MidImpl : public torch::nn::Module {
 public:
  explicit MidImpl(int64_t channels, double dropout);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  ResnetBlock block_1{nullptr}, block_2{nullptr};
  AttnBlock attn_1{nullptr};
};
TORCH_MODULE(Mid);

class EncoderImpl : public torch::nn::Module {
 public:
  explicit EncoderImpl(const VQConfig& c);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  torch::nn::Conv2d conv_in{nullptr}, conv_out{nullptr};
  torch::nn::ModuleList down{nullptr};
  Mid mid{nullptr};
  torch::nn::GroupNorm norm_out{nullptr};
};
TORCH_MODULE(Encoder);

class DecoderImpl : public torch::nn::Module {
 public:
  explicit DecoderImpl(const VQConfig& c);
  torch::Tensor forward(const torch::Tensor& z);

 private:
  torch::nn::Conv2d conv_in{nullptr}, conv_out{nullptr};
  torch::nn::ModuleList up{nullptr};  // index = resolution level; run from the last to the first
  Mid mid{nullptr};
  torch::nn::GroupNorm norm_out{nullptr};
};
TORCH_MODULE(Decoder);

struct Quantized {
  torch::Tensor z_q;      // [B, C, h, w], straight-through form z + (e - z) like the reference
  torch::Tensor indices;  // int64 [B, h, w]
};

class VectorQuantizerImpl : public torch::nn::Module {
 public:
  VectorQuantizerImpl(int64_t n_embed, int64_t embed_dim);
  Quantized forward(const torch::Tensor& z);

 private:
  torch::nn::Embedding embedding{nullptr};
};
TORCH_MODULE(VectorQuantizer);

}  // namespace sinsr::nn::vq

namespace sinsr::nn {

class VQModelTorchImpl : public torch::nn::Module {
 public:
  explicit VQModelTorchImpl(const VQConfig& cfg);
  // Both take and return float32 at every precision.
  torch::Tensor encode(const torch::Tensor& x);
  torch::Tensor decode(const torch::Tensor& h, bool force_not_quantize = false);
  vq::Quantized quantize_latent(const torch::Tensor& h) { return quantize->forward(h); }
  const VQConfig& config() const { return cfg_; }
  // Converts the weights to first_stage_dtype(p, their device) and computes in it from now on (call after
  // loading the weights and moving them to their device).
  void set_precision(Precision p);

 private:
  VQConfig cfg_;
  at::ScalarType dtype_ = at::kFloat;
  vq::Encoder encoder{nullptr};
  vq::Decoder decoder{nullptr};
  vq::VectorQuantizer quantize{nullptr};
  torch::nn::Conv2d quant_conv{nullptr}, post_quant_conv{nullptr};
};
TORCH_MODULE(VQModelTorch);

}  // namespace sinsr::nn
