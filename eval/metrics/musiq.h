// MUSIQ (Ke et al., ICCV 2021) as pyiqa 0.1.6.4 computes its `musiq` metric (pyiqa/archs/musiq_arch.py,
// pyiqa/data/multiscale_trans_util.py), KonIQ-10k checkpoint layout: one output, `head = Linear(hidden, 1)`.
//
// An image becomes a multi-scale token sequence (musiq_multiscale_input): the image resized so that its longer
// side is 224 and 384, plus the original resolution, each cut into 32x32 patches with a hashed spatial index
// and a scale index. A ResNet stem embeds every patch, a pre-norm transformer with a CLS token mixes them, and
// the head maps the CLS output to the score. The module tree registers its parameters under pyiqa's
// state_dict keys, so the pyiqa checkpoint loads strictly.
#pragma once
#include <ATen/core/Tensor.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/io/pth.h"

namespace sinsr::metrics {

// pyiqa's MUSIQ `data_preprocess_opts` (defaults = pyiqa's).
struct MusiqPatchSettings {
  int64_t patch_size = 32;
  int64_t patch_stride = 32;
  int64_t hash_grid_size = 10;                         // hse_grid_size: G x G hashed spatial positions
  std::vector<int64_t> longer_side_lengths{224, 384};  // pyiqa sorts them (scale index = rank)
  // Patches kept from the original resolution: negative = all of them (pyiqa's -1), n >= 0 = padded or cut
  // to n slots, nullopt = no original-resolution scale (pyiqa's None).
  std::optional<int64_t> max_seq_len_from_original_res = -1;
};

// Where one scale's tokens sit in the sequence and what they hold.
struct MusiqScaleInfo {
  int64_t resized_h = 0, resized_w = 0;  // image size at this scale
  int64_t grid_h = 0, grid_w = 0;        // patch grid
  int64_t token_offset = 0;              // first token of this scale
  int64_t slots = 0;                     // tokens of this scale, padding included
  int64_t valid = 0;                     // real patches among them (the rest are all-zero slots)
};

struct MusiqInput {
  // [N, L, C*P*P + 3]: per token the patch values in F.unfold order (c, ky, kx), then the hashed spatial
  // index, the scale index and the mask (1 = patch, 0 = padding slot), all float32.
  at::Tensor tokens;
  std::vector<MusiqScaleInfo> scales;  // the resized scales in ascending length, then the original
};

// pyiqa's `get_multiscale_patches((x - 0.5) * 2, **data_preprocess_opts)` for images x [N, 3, H, W] in
// [0, 1] (N crops of one size; the metric passes one image at a time).
MusiqInput musiq_multiscale_input(const at::Tensor& images, const MusiqPatchSettings& settings = {});

// Network sizes. pyiqa's real model: the defaults below.
struct MusiqArch {
  int64_t patch_size = 32;
  int64_t resnet_token_dim = 64;  // stem width; block1 widens it 4x
  int64_t hidden_size = 384;
  int64_t mlp_dim = 1152;
  int64_t num_heads = 6;
  int64_t num_layers = 14;
  int64_t num_scales = 3;
  int64_t spatial_pos_grid_size = 10;

  // Every size that the weight shapes determine; `num_heads` cannot be read from shapes. Throws
  // std::runtime_error naming `source` if the dict is not a single-output MUSIQ state_dict or the hidden
  // size is not divisible by num_heads.
  static MusiqArch infer(const io::TensorDict& state, int64_t num_heads, const std::string& source);
};

namespace musiq {

// Conv2d with weight standardisation ((w - mean) / (unbiased std + 1e-5) per output channel), TF "SAME"
// zero padding and no bias (pyiqa StdConv). Parameter: weight.
class StdConvImpl : public torch::nn::Module {
 public:
  StdConvImpl(int64_t in_channels, int64_t out_channels, int64_t kernel, int64_t stride);
  at::Tensor forward(const at::Tensor& x);

 private:
  int64_t kernel_, stride_;
  at::Tensor weight_;
};
TORCH_MODULE(StdConv);

// ResNet-v2-style bottleneck with GroupNorm(32, eps 1e-4) and a projection shortcut when widths differ.
// Children: conv1, gn1, conv2, gn2, conv3, gn3[, conv_proj, gn_proj].
class BottleneckImpl : public torch::nn::Module {
 public:
  BottleneckImpl(int64_t in_planes, int64_t out_planes);
  at::Tensor forward(const at::Tensor& x);

 private:
  StdConv conv1{nullptr}, conv2{nullptr}, conv3{nullptr}, conv_proj{nullptr};
  torch::nn::GroupNorm gn1{nullptr}, gn2{nullptr}, gn3{nullptr}, gn_proj{nullptr};
};
TORCH_MODULE(Bottleneck);

// Children: query, key, value, out (all with biases).
class MultiHeadAttentionImpl : public torch::nn::Module {
 public:
  MultiHeadAttentionImpl(int64_t dim, int64_t num_heads);
  // x [B, N, C]; mask [B, N] bool (false = padding token).
  at::Tensor forward(const at::Tensor& x, const at::Tensor& mask);

 private:
  int64_t num_heads_;
  torch::nn::Linear query{nullptr}, key{nullptr}, value{nullptr}, out{nullptr};
};
TORCH_MODULE(MultiHeadAttention);

// Children: fc1, fc2 (exact GELU between them).
class MlpImpl : public torch::nn::Module {
 public:
  MlpImpl(int64_t dim, int64_t hidden);
  at::Tensor forward(const at::Tensor& x);

 private:
  torch::nn::Linear fc1{nullptr}, fc2{nullptr};
};
TORCH_MODULE(Mlp);

// Pre-norm block. Children: norm1, attention, norm2, mlp.
class EncoderBlockImpl : public torch::nn::Module {
 public:
  EncoderBlockImpl(int64_t dim, int64_t mlp_dim, int64_t num_heads);
  at::Tensor forward(const at::Tensor& x, const at::Tensor& mask);

 private:
  torch::nn::LayerNorm norm1{nullptr}, norm2{nullptr};
  MultiHeadAttention attention{nullptr};
  Mlp mlp{nullptr};
};
TORCH_MODULE(EncoderBlock);

// Learned embedding table added by index: `posembed_input.position_emb` [1, G*G, dim] and
// `scaleembed_input.scale_emb` [num_scales, dim] in pyiqa (same lookup, different parameter names/shapes).
class IndexedEmbeddingImpl : public torch::nn::Module {
 public:
  IndexedEmbeddingImpl(const std::string& name, std::vector<int64_t> shape);
  // inputs [B, L, dim] + table[index] with index [B, L] (float indices, as the token tensor carries them).
  at::Tensor forward(const at::Tensor& inputs, const at::Tensor& index);

 private:
  at::Tensor table_;
};
TORCH_MODULE(IndexedEmbedding);

// Children: posembed_input, scaleembed_input, encoder_norm, transformer.encoderblock_<l>; parameter cls.
class TransformerEncoderImpl : public torch::nn::Module {
 public:
  explicit TransformerEncoderImpl(const MusiqArch& arch);
  // x [B, L, hidden] token embeddings -> [B, 1 + L, hidden] after encoder_norm (CLS first).
  at::Tensor forward(const at::Tensor& x, const at::Tensor& spatial_index, const at::Tensor& scale_index,
                     const at::Tensor& mask);

 private:
  at::Tensor cls_;
  IndexedEmbedding posembed_input{nullptr}, scaleembed_input{nullptr};
  torch::nn::LayerNorm encoder_norm{nullptr};
  std::vector<EncoderBlock> blocks_;  // registered as transformer.encoderblock_<l>
};
TORCH_MODULE(TransformerEncoder);

}  // namespace musiq

// The MUSIQ network (pyiqa MUSIQ, one output). Children: conv_root, gn_root, block1, embedding,
// transformer_encoder, head.
class MusiqImpl : public torch::nn::Module {
 public:
  explicit MusiqImpl(const MusiqArch& arch, MusiqPatchSettings settings = {});

  // Token tensor [B, L, C*P*P + 3] (musiq_multiscale_input) -> patch embeddings [B, L, hidden].
  at::Tensor embed(const at::Tensor& tokens);
  // -> transformer output after encoder_norm [B, 1 + L, hidden], CLS token first.
  at::Tensor encode(const at::Tensor& tokens);
  // -> score [B] (head on the CLS token; for one output pyiqa's dist_to_mos is the identity).
  at::Tensor forward(const at::Tensor& tokens);

  // The metric: images [N, 3, H, W] in [0, 1] (any device), each scored on its own (batch 1, as pyiqa)
  // -> [N] on the network's device.
  at::Tensor score(const at::Tensor& images);

 private:
  c10::Device weights_device() const;  // where the weights are
  MusiqArch arch_;
  MusiqPatchSettings settings_;
  musiq::StdConv conv_root{nullptr};
  torch::nn::GroupNorm gn_root{nullptr};
  musiq::Bottleneck block1{nullptr};
  torch::nn::Linear embedding{nullptr};
  musiq::TransformerEncoder transformer_encoder{nullptr};
  torch::nn::Linear head{nullptr};
};
TORCH_MODULE(Musiq);

// The pyiqa KonIQ checkpoint (musiq_koniq_ckpt-e95806b9.pth, a plain state_dict) or any single-output MUSIQ
// state_dict: sizes inferred from the weight shapes, loaded strictly, in eval mode. `num_heads` is not
// recorded in the weights (the real model has 6). Throws std::runtime_error naming the file.
Musiq load_musiq(const std::string& path, MusiqPatchSettings settings = {}, int64_t num_heads = 6);

}  // namespace sinsr::metrics
