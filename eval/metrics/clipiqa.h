// CLIPIQA as pyiqa 0.1.6.4 computes its `clipiqa` metric (pyiqa/archs/clipiqa_arch.py with
// `CLIPIQA(model_type='clipiqa', backbone='RN50', pos_embedding=False)`, pyiqa/archs/clip_model.py).
// Spec and fixtures: tests/fixtures/parity/README-metrics.md, section 3.
//
// The image goes, at its own resolution, through OpenAI CLIP's RN50 visual tower (ModifiedResNet); the
// attention pool skips its positional embedding, which is what lets any image size through. The pooled
// feature is compared (cosine similarity x exp(logit_scale)) with the text features of five antonym prompt
// pairs; the score is the mean over the pairs of softmax(positive, negative)[positive].
//
// The text tower is not ported: CLIPIQA only ever feeds it the same ten prompts, so their features are an
// input (computed once with CLIP's encode_text, see ClipIqa::from_files).
#pragma once
#include <ATen/core/Tensor.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/io/pth.h"

namespace sinsr::metrics {

// OpenAI CLIP's image normalisation (clip/clip.py _transform; pyiqa OPENAI_CLIP_MEAN / OPENAI_CLIP_STD).
inline constexpr std::array<float, 3> kClipMean{0.48145466f, 0.4578275f, 0.40821073f};
inline constexpr std::array<float, 3> kClipStd{0.26862954f, 0.26130258f, 0.27577711f};

// The prompts whose text features CLIPIQA compares against (clipiqa_arch.py), in the row order the text
// features must have: pairs (positive, negative).
inline constexpr std::array<const char*, 10> kClipIqaPrompts{
    "Good image",       "bad image",    "Sharp image",           "blurry image",
    "sharp edges",      "blurry edges", "High resolution image", "low resolution image",
    "Noise-free image", "noisy image"};

// Sizes of a ModifiedResNet (clip/model.py); defaults = RN50.
struct ClipResNetConfig {
  int64_t width = 64;                       // stem output channels; stage L has width * 2^(L-1) planes
  std::vector<int64_t> layers{3, 4, 6, 3};  // Bottleneck blocks per stage
  int64_t heads = 32;                       // attention-pool heads (CLIP: embed_dim / 64)
  int64_t output_dim = 1024;                // image feature size (c_proj output)
  int64_t input_resolution = 224;           // only sizes the (unused) positional embedding

  int64_t embed_dim() const { return width * 32; }  // layer4 channels: 8 * width planes * expansion 4

  // The sizes CLIP's build_model reads off a state_dict, from the visual tower's keys (without the
  // `visual.` prefix, see clip_visual_weights): width from layer1.0.conv1, blocks per stage from the
  // layer<L>.<j> keys, output_dim from attnpool.c_proj, input_resolution from the positional embedding,
  // heads = embed_dim / 64. Throws std::runtime_error naming `source` if a key it needs is missing.
  static ClipResNetConfig from_weights(const io::TensorDict& visual, const std::string& source);
};

bool operator==(const ClipResNetConfig& a, const ClipResNetConfig& b);

// The `visual.*` entries of a CLIP state_dict with the prefix removed. Everything else (text transformer,
// token/positional embeddings, ln_final, text_projection, logit_scale, the TorchScript file's
// input_resolution / context_length / vocab_size) is deliberately dropped: CLIPIQA takes the text features
// as an input. Throws std::runtime_error naming `source` when there is no `visual.` key at all.
io::TensorDict clip_visual_weights(const io::TensorDict& clip_state, const std::string& source);

// A downsampling shortcut: clip/model.py's Sequential("-1": AvgPool2d(stride), "0": conv 1x1, "1": BN). The
// pool has no parameters and is applied in forward, so the registered names are just "0" and "1".
class ClipDownsampleImpl : public torch::nn::Module {
 public:
  ClipDownsampleImpl(int64_t in_channels, int64_t out_channels, int64_t stride);
  at::Tensor forward(const at::Tensor& x);

 private:
  torch::nn::Conv2d conv{nullptr};     // "0"
  torch::nn::BatchNorm2d bn{nullptr};  // "1"
  int64_t stride_;
};
TORCH_MODULE(ClipDownsample);

// CLIP's anti-aliased Bottleneck (expansion 4): the stride is an AvgPool after conv2, not a strided conv.
class ClipBottleneckImpl : public torch::nn::Module {
 public:
  static constexpr int64_t kExpansion = 4;
  ClipBottleneckImpl(int64_t in_channels, int64_t planes, int64_t stride);
  at::Tensor forward(const at::Tensor& x);

 private:
  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr}, conv3{nullptr};
  torch::nn::BatchNorm2d bn1{nullptr}, bn2{nullptr}, bn3{nullptr};
  ClipDownsample downsample{nullptr};  // present when stride > 1 or in_channels != 4 * planes
  int64_t stride_;
};
TORCH_MODULE(ClipBottleneck);

// AttentionPool2d as pyiqa calls it for CLIPIQA (pos_embedding=False): tokens = the H*W feature vectors
// (row-major) with their mean prepended, multi-head attention with separate q/k/v projections, c_proj on
// token 0's output. `positional_embedding` is registered so the checkpoint loads strictly, but never used.
class ClipAttentionPoolImpl : public torch::nn::Module {
 public:
  ClipAttentionPoolImpl(int64_t spacial_dim, int64_t embed_dim, int64_t heads, int64_t output_dim);
  at::Tensor forward(const at::Tensor& x);  // [N, C, H, W] -> [N, output_dim]

 private:
  at::Tensor positional_embedding;  // [spacial_dim^2 + 1, C]
  torch::nn::Linear k_proj{nullptr}, q_proj{nullptr}, v_proj{nullptr}, c_proj{nullptr};
  int64_t heads_;
};
TORCH_MODULE(ClipAttentionPool);

// CLIP's ModifiedResNet (the `visual` tower of RN50 & co.). Registered names = the `visual.*` keys of a
// CLIP state_dict without the prefix: conv1..3 / bn1..3 (stem), layer1..4 (Sequential of Bottlenecks),
// attnpool.
class ClipModifiedResNetImpl : public torch::nn::Module {
 public:
  explicit ClipModifiedResNetImpl(const ClipResNetConfig& config);
  at::Tensor trunk(const at::Tensor& x);    // normalised image [N, 3, H, W] -> layer4 output [N, 32w, h, w]
  at::Tensor forward(const at::Tensor& x);  // attnpool(trunk(x)): [N, output_dim]
  ClipAttentionPool attnpool{nullptr};

 private:
  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr}, conv3{nullptr};
  torch::nn::BatchNorm2d bn1{nullptr}, bn2{nullptr}, bn3{nullptr};
  std::vector<torch::nn::Sequential> stages_;  // layer1..layer4
};
TORCH_MODULE(ClipModifiedResNet);

// Everything one evaluation computes (N images, P prompt pairs, D = output_dim).
struct ClipIqaBreakdown {
  at::Tensor layer4_out;      // [N, 32w, h, w]: visual trunk output
  at::Tensor image_features;  // [N, D]: attention-pool output, before normalisation
  at::Tensor logits;          // [N, 2P]: exp(logit_scale) * cosine similarity to each prompt
  at::Tensor pair_probs;      // [N, P, 2]: softmax over (positive, negative) of each pair
  at::Tensor scores;          // [N]: mean over pairs of the positive probability
};

class ClipIqa {
 public:
  // clip_state: a CLIP state_dict (`visual.*` keys; other keys are ignored, see clip_visual_weights),
  // float16 or float32 (converted to float32, as pyiqa does on CPU). text_features: [2P, D], rows
  // (positive, negative) per pair, in kClipIqaPrompts order for the real metric; re-normalised here as CLIP
  // does. logit_scale_param: CLIP's `logit_scale` parameter (the log of the scale, ln 100 for OpenAI's
  // models), one element. `source` names the weights in error messages. Throws std::runtime_error on
  // missing / misshaped weights or text features.
  ClipIqa(const ClipResNetConfig& arch, const io::TensorDict& clip_state, const at::Tensor& text_features,
          const at::Tensor& logit_scale_param, const std::string& source);

  // clip_weights_pth: torch.save'd CLIP state_dict (e.g. of OpenAI's RN50.pt), architecture inferred from
  // its shapes. text_features_pth: torch.save'd {'text_features': [10, D] float tensor (encode_text of
  // kClipIqaPrompts, unnormalised or not), 'logit_scale': the logit_scale parameter}.
  static ClipIqa from_files(const std::string& clip_weights_pth, const std::string& text_features_pth);

  // (x - kClipMean) / kClipStd per channel: the visual tower's input.
  static at::Tensor normalize(const at::Tensor& images);

  // images: float32 [N, 3, H, W] RGB in [0, 1], any size down to 31 x 31 (no resize: the metric runs at the
  // input resolution). Returns the scores [N] (higher = better).
  at::Tensor score(const at::Tensor& images);
  ClipIqaBreakdown evaluate(const at::Tensor& images);
  // Moves the network and the text features (images must then be on `device` too).
  void to(const c10::Device& device);

 private:
  ClipModifiedResNet visual_{nullptr};
  at::Tensor text_unit_;    // [2P, D], rows normalised
  at::Tensor logit_scale_;  // exp(logit_scale_param), 0-d
};

}  // namespace sinsr::metrics
