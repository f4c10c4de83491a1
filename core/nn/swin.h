// The Swin layer of the reference UNet (models/swin_transformer.py), in NCHW throughout:
// BasicLayer = 1x1 conv in (patch_embed) -> SwinTransformerBlocks -> 1x1 conv out (patch_unembed),
// with no residual around the layer. Norms are GroupNorm32, the MLP is 1x1 convs with exact GELU.
#pragma once
#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>

#include <utility>

#include "core/nn/unet_blocks.h"

namespace sinsr::nn {

// The reference's shifted-window attention mask, bug included (ResShift issue #81; docs/method.md §1.5):
// calculate_mask() indexes an NCHW mask as if it were NHWC and reads the partitioned windows back in
// transposed token order. Net effect: only the last window row is masked, split by token column.
// Returns float32 [nW, ws*ws, ws*ws] with 0 / -100.
torch::Tensor reference_shifted_window_mask(int64_t height, int64_t width, int64_t window_size, int64_t shift_size);

// Relative position index [ws*ws, ws*ws] (int64): (ia-ib+ws-1)*(2ws-1) + (ja-jb+ws-1).
torch::Tensor relative_position_index(int64_t window_size);

class WindowAttentionImpl : public torch::nn::Module {
 public:
  WindowAttentionImpl(int64_t dim, int64_t window_size, int64_t num_heads);
  // x: [B*nW, N, C]; mask: [nW, N, N] or undefined.
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& mask);

  torch::Tensor relative_position_bias_table, relative_position_index;

 private:
  int64_t dim_, window_size_, num_heads_;
  double scale_;
  torch::nn::Linear qkv{nullptr}, proj{nullptr};
};
TORCH_MODULE(WindowAttention);

class MlpImpl : public torch::nn::Module {
 public:
  MlpImpl(int64_t dim, int64_t hidden);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  torch::nn::Conv2d fc1{nullptr}, fc2{nullptr};
};
TORCH_MODULE(Mlp);

struct SwinBlockOptions {
  int64_t dim;
  int64_t input_height, input_width;  // construction-time resolution (the training latent size)
  int64_t num_heads;
  int64_t window_size;
  int64_t shift_size;
  double mlp_ratio;
};

class SwinTransformerBlockImpl : public torch::nn::Module {
 public:
  explicit SwinTransformerBlockImpl(SwinBlockOptions o);
  torch::Tensor forward(const torch::Tensor& x);
  int64_t window_size() const { return window_size_; }
  int64_t shift_size() const { return shift_size_; }

 private:
  int64_t dim_, window_size_, shift_size_;
  GroupNorm32 norm1{nullptr}, norm2{nullptr};
  WindowAttention attn{nullptr};
  Mlp mlp{nullptr};
  torch::Tensor attn_mask;  // buffer kept for state_dict parity; see forward() for why it is not read
  torch::Tensor shifted_window_mask(int64_t h, int64_t w, const at::TensorOptions& options);
  torch::Tensor mask_cache_;  // the last size's mask, on the last device and dtype (not state)
  std::pair<int64_t, int64_t> mask_size_{0, 0};
};
TORCH_MODULE(SwinTransformerBlock);

// Conv (kernel = stride = patch_size) from in_chans to embed_dim, optional GroupNorm32.
class PatchEmbedImpl : public torch::nn::Module {
 public:
  PatchEmbedImpl(int64_t in_chans, int64_t embed_dim, int64_t patch_size, bool patch_norm);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  torch::nn::Conv2d proj{nullptr};
  GroupNorm32 norm{nullptr};
};
TORCH_MODULE(PatchEmbed);

// 1x1 conv from embed_dim back to out_chans, optional GroupNorm32.
class PatchUnEmbedImpl : public torch::nn::Module {
 public:
  PatchUnEmbedImpl(int64_t out_chans, int64_t embed_dim, bool patch_norm);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  torch::nn::Conv2d proj{nullptr};
  GroupNorm32 norm{nullptr};
};
TORCH_MODULE(PatchUnEmbed);

struct BasicLayerOptions {
  int64_t in_chans;
  int64_t embed_dim;
  int64_t num_heads;
  int64_t window_size;
  int64_t depth;
  int64_t img_size;  // construction-time resolution of this level
  double mlp_ratio;
  bool patch_norm;
};

class BasicLayerImpl : public torch::nn::Module {
 public:
  explicit BasicLayerImpl(const BasicLayerOptions& o);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  PatchEmbed patch_embed{nullptr};
  PatchUnEmbed patch_unembed{nullptr};
  torch::nn::ModuleList blocks{nullptr};
};
TORCH_MODULE(BasicLayer);

}  // namespace sinsr::nn
