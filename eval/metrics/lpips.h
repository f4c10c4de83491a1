// LPIPS v0.1 as pyiqa 0.1.6.4 computes it (`create_metric('lpips')` = AlexNet, `'lpips-vgg'` = VGG16):
// pyiqa/archs/lpips_arch.py, itself PerceptualSimilarity's lpips/lpips.py. Spec and fixtures:
// tests/fixtures/parity/README-metrics.md, section 2.
//
// The backbone is torchvision's `alexnet().features` / `vgg16().features` (ImageNet weights, loaded from
// torchvision's own checkpoint), cut after the last ReLU LPIPS taps; the five linear heads are the v0.1
// `weights/v0.1/{alex,vgg}.pth` of PerceptualSimilarity (the same file pyiqa downloads).
#pragma once
#include <ATen/core/Tensor.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/io/pth.h"

namespace sinsr::metrics {

enum class LpipsNet { Alex, Vgg16 };

// "alex" -> Alex; "vgg" or "vgg16" -> Vgg16 (pyiqa's names); anything else throws std::runtime_error.
LpipsNet lpips_net_from_name(const std::string& name);
std::string lpips_net_name(LpipsNet net);  // "alex" / "vgg"

// v0.1 ScalingLayer constants (applied after the 2x - 1 mapping) and the channel-norm epsilon, which is
// added to the norm, outside the square root (lpips_arch.py: ScalingLayer, normalize_tensor).
inline constexpr std::array<float, 3> kLpipsShift{-0.030f, -0.088f, -0.188f};
inline constexpr std::array<float, 3> kLpipsScale{0.458f, 0.448f, 0.450f};
inline constexpr double kLpipsNormEps = 1e-10;

// PerceptualSimilarity's NetLinLayer: `model` = Sequential(Dropout, Conv2d(C, 1, 1x1, no bias)), so the
// weight key is `model.1.weight`.
class LpipsLinearHeadImpl : public torch::nn::Module {
 public:
  explicit LpipsLinearHeadImpl(int64_t channels);
  at::Tensor forward(const at::Tensor& squared_difference);

 private:
  torch::nn::Sequential model{nullptr};
  torch::nn::Conv2d conv{nullptr};  // model[1], the only layer that acts on a metric (Dropout is training-only)
};
TORCH_MODULE(LpipsLinearHead);

// Everything one evaluation computes, per image of the batch (N = batch size, k = 0..4 the tapped layer).
struct LpipsBreakdown {
  at::Tensor score;                       // [N]: per_layer summed in layer order
  at::Tensor per_layer;                   // [N, 5]: term_k = mean_hw(lin_k(d_k))
  at::Tensor per_layer_unweighted;        // [N, 5]: mean_hw(sum_c d_k), without the linear heads (diagnostic)
  std::vector<at::Tensor> lin_maps;       // [N, 1, h_k, w_k]: lin_k(d_k) before the spatial mean
  std::vector<at::Tensor> ref_features;   // [N, C_k, h_k, w_k]: raw backbone (ReLU) outputs of the reference
  std::vector<at::Tensor> dist_features;  // ... and of the distorted image
};

// The metric network. Registered names mirror the reference state_dict keys one to one:
// `features.<i>.{weight,bias}` (torchvision indices) and `lin<k>.model.1.weight`.
class LpipsImpl : public torch::nn::Module {
 public:
  explicit LpipsImpl(LpipsNet net);  // random init; load weights with load_lpips(), starts in eval mode

  // Images: float32 [N, 3, H, W] RGB in [0, 1], same shape. Lower = more similar.
  at::Tensor score(const at::Tensor& dist, const at::Tensor& ref);         // [N], no autograd
  LpipsBreakdown evaluate(const at::Tensor& dist, const at::Tensor& ref);  // no autograd
  // The same computation under the caller's grad mode (differentiable; e.g. as a loss or for gradient probes).
  LpipsBreakdown forward(const at::Tensor& dist, const at::Tensor& ref);

  // The five tapped ReLU outputs for an image in [0, 1] (2x - 1 and the scaling layer applied first).
  std::vector<at::Tensor> backbone_features(const at::Tensor& image01);

  LpipsNet net() const { return net_; }
  // For each tap k, the `features` index of the ReLU whose output is tapped (alex 1,4,7,9,11; vgg 3,8,15,22,29).
  const std::vector<int64_t>& tap_indices() const { return tap_indices_; }
  const std::vector<int64_t>& channels() const { return channels_; }  // C_k

  torch::nn::Sequential features{nullptr};
  std::vector<LpipsLinearHead> lins;  // registered as lin0..lin4

 private:
  LpipsNet net_;
  std::vector<int64_t> tap_indices_, channels_;
  int64_t last_conv_channels_ = 0;  // output channels of the conv added last (what the next tap carries)
  at::Tensor shift_, scale_;        // [1, 3, 1, 1]; constants, not state_dict entries of either weight file

  void add_conv_relu(int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t padding);
  void add_max_pool(int64_t kernel, int64_t stride);
  void tap_last_layer();
  void build_alexnet();
  void build_vgg16();
  at::Tensor scale_input(const at::Tensor& image01) const;
};
TORCH_MODULE(Lpips);

// The metric with the given weights. `backbone`: torchvision state_dict of alexnet / vgg16 (`features.*`;
// `classifier.*` keys of the full ImageNet checkpoints are skipped); `lin`: the v0.1 heads (`lin<k>.model.1.weight`).
// Strict otherwise: a missing, unexpected or misshaped key throws std::runtime_error naming the source.
Lpips load_lpips(const std::string& net, const io::TensorDict& backbone, const io::TensorDict& lin,
                 const std::string& backbone_source = "LPIPS backbone state_dict",
                 const std::string& lin_source = "LPIPS linear-head state_dict");
// Same from two torch.save'd files, e.g. alexnet-owt-7be5be79.pth and PerceptualSimilarity's weights/v0.1/alex.pth.
Lpips load_lpips(const std::string& net, const std::string& backbone_pth, const std::string& lin_pth);

}  // namespace sinsr::metrics
