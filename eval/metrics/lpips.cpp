#include "eval/metrics/lpips.h"

#include <torch/torch.h>

#include <stdexcept>

#include "core/io/state_dict.h"

namespace sinsr::metrics {

namespace {

constexpr const char* kClassifierPrefix = "classifier.";

void check_image_pair(const at::Tensor& dist, const at::Tensor& ref) {
  for (const auto* t : {&dist, &ref})
    if (t->dim() != 4 || t->size(1) != 3 || t->scalar_type() != at::kFloat)
      throw std::runtime_error("LPIPS: images must be float32 [N, 3, H, W] RGB in [0, 1], got " +
                               std::string(t->toString()) + " of shape " + c10::str(t->sizes()));
  if (dist.sizes() != ref.sizes())
    throw std::runtime_error("LPIPS: distorted and reference images differ in shape: " + c10::str(dist.sizes()) +
                             " vs " + c10::str(ref.sizes()));
}

// n = f / (sqrt(sum_c f^2) + eps): lpips_arch.py normalize_tensor, eps outside the square root.
at::Tensor normalize_channels(const at::Tensor& f) {
  return f / (f.pow(2).sum(1, /*keepdim=*/true).sqrt() + kLpipsNormEps);
}

// Strict loading of a part of the network (its `features` or its `lin<k>` heads): a parent that holds only
// that part gives the strict loader the full key names, so its errors name the file and the real keys.
void load_part(const std::vector<std::pair<std::string, std::shared_ptr<torch::nn::Module>>>& part,
               const io::TensorDict& state, const std::string& source, const std::string& expected_file) {
  torch::nn::Module view;
  for (const auto& [name, module] : part) view.register_module(name, module);
  try {
    io::load_state_dict_strict(view, state, source);
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(std::string(e.what()) + " (LPIPS expects " + expected_file + ")");
  }
}

// The full torchvision ImageNet checkpoints also hold the classifier (fully connected) layers, which LPIPS
// never runs; they are dropped here so that every other key is still checked strictly.
io::TensorDict without_classifier(const io::TensorDict& backbone) {
  io::TensorDict kept;
  for (const auto& entry : backbone)
    if (entry.first.rfind(kClassifierPrefix, 0) != 0) kept.push_back(entry);
  return kept;
}

}  // namespace

LpipsNet lpips_net_from_name(const std::string& name) {
  if (name == "alex") return LpipsNet::Alex;
  if (name == "vgg" || name == "vgg16") return LpipsNet::Vgg16;
  throw std::runtime_error("LPIPS: unknown backbone '" + name + "' (use 'alex' or 'vgg')");
}

std::string lpips_net_name(LpipsNet net) { return net == LpipsNet::Alex ? "alex" : "vgg"; }

LpipsLinearHeadImpl::LpipsLinearHeadImpl(int64_t channels) {
  conv = torch::nn::Conv2d(torch::nn::Conv2dOptions(channels, 1, 1).bias(false));
  model = register_module("model", torch::nn::Sequential(torch::nn::Dropout(), conv));
}

// Only the 1x1 conv: the Dropout in front of it is inactive in eval mode, which is how the metric runs.
at::Tensor LpipsLinearHeadImpl::forward(const at::Tensor& squared_difference) { return conv(squared_difference); }

LpipsImpl::LpipsImpl(LpipsNet net) : net_(net) {
  features = register_module("features", torch::nn::Sequential());
  if (net == LpipsNet::Alex)
    build_alexnet();
  else
    build_vgg16();
  for (size_t k = 0; k < channels_.size(); ++k)
    lins.push_back(register_module("lin" + std::to_string(k), LpipsLinearHead(channels_[k])));
  shift_ = torch::tensor(std::vector<float>(kLpipsShift.begin(), kLpipsShift.end())).view({1, 3, 1, 1});
  scale_ = torch::tensor(std::vector<float>(kLpipsScale.begin(), kLpipsScale.end())).view({1, 3, 1, 1});
  eval();
}

void LpipsImpl::add_conv_relu(int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t padding) {
  features->push_back(torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, kernel).stride(stride).padding(padding)));
  features->push_back(torch::nn::ReLU());
  last_conv_channels_ = out;
}

// Floor mode, no padding (torchvision's MaxPool2d defaults).
void LpipsImpl::add_max_pool(int64_t kernel, int64_t stride) {
  features->push_back(torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(kernel).stride(stride)));
}

void LpipsImpl::tap_last_layer() {
  tap_indices_.push_back(static_cast<int64_t>(features->size()) - 1);
  channels_.push_back(last_conv_channels_);
}

// torchvision alexnet().features[0:12]; LPIPS slices [0,2) [2,5) [5,8) [8,10) [10,12), taps relu1..relu5.
void LpipsImpl::build_alexnet() {
  add_conv_relu(3, 64, 11, 4, 2);
  tap_last_layer();
  add_max_pool(3, 2);
  add_conv_relu(64, 192, 5, 1, 2);
  tap_last_layer();
  add_max_pool(3, 2);
  add_conv_relu(192, 384, 3, 1, 1);
  tap_last_layer();
  add_conv_relu(384, 256, 3, 1, 1);
  tap_last_layer();
  add_conv_relu(256, 256, 3, 1, 1);
  tap_last_layer();
}

// torchvision vgg16().features[0:30]: five blocks of 3x3 convs with a 2x2 max-pool in front of blocks 2..5;
// LPIPS taps the last ReLU of each block (relu1_2, relu2_2, relu3_3, relu4_3, relu5_3).
void LpipsImpl::build_vgg16() {
  const std::vector<std::pair<int64_t, int>> blocks{{64, 2}, {128, 2}, {256, 3}, {512, 3}, {512, 3}};
  int64_t in = 3;
  for (size_t b = 0; b < blocks.size(); ++b) {
    if (b > 0) add_max_pool(2, 2);
    for (int j = 0; j < blocks[b].second; ++j) {
      add_conv_relu(in, blocks[b].first, 3, 1, 1);
      in = blocks[b].first;
    }
    tap_last_layer();
  }
}

// 2x - 1 (pyiqa calls LPIPS with normalize=True), then the v0.1 ScalingLayer (x - shift) / scale.
at::Tensor LpipsImpl::scale_input(const at::Tensor& image01) const {
  return ((image01 * 2 - 1) - shift_.to(image01.device())) / scale_.to(image01.device());
}

std::vector<at::Tensor> LpipsImpl::backbone_features(const at::Tensor& image01) {
  std::vector<at::Tensor> taps;
  at::Tensor h = scale_input(image01);
  int64_t index = 0;
  for (auto& layer : *features) {
    h = layer.forward(h);
    if (taps.size() < tap_indices_.size() && index == tap_indices_[taps.size()]) taps.push_back(h);
    ++index;
  }
  return taps;
}

LpipsBreakdown LpipsImpl::forward(const at::Tensor& dist, const at::Tensor& ref) {
  check_image_pair(dist, ref);
  LpipsBreakdown r;
  // lpips_arch.py forward(in1=dist, in0=ref): each image goes through the backbone on its own.
  r.ref_features = backbone_features(ref);
  r.dist_features = backbone_features(dist);
  std::vector<at::Tensor> terms, unweighted;
  for (size_t k = 0; k < lins.size(); ++k) {
    const at::Tensor d = (normalize_channels(r.ref_features[k]) - normalize_channels(r.dist_features[k])).pow(2);
    r.lin_maps.push_back(lins[k](d));
    terms.push_back(r.lin_maps[k].mean({2, 3}).flatten());
    unweighted.push_back(d.sum(1, /*keepdim=*/true).mean({2, 3}).flatten());
  }
  // `val += res[k]` in layer order: the float32 sum is order dependent.
  r.score = terms[0];
  for (size_t k = 1; k < terms.size(); ++k) r.score = r.score + terms[k];
  r.per_layer = torch::stack(terms, 1);
  r.per_layer_unweighted = torch::stack(unweighted, 1);
  return r;
}

LpipsBreakdown LpipsImpl::evaluate(const at::Tensor& dist, const at::Tensor& ref) {
  torch::NoGradGuard no_grad;
  return forward(dist, ref);
}

at::Tensor LpipsImpl::score(const at::Tensor& dist, const at::Tensor& ref) { return evaluate(dist, ref).score; }

Lpips load_lpips(const std::string& net, const io::TensorDict& backbone, const io::TensorDict& lin,
                 const std::string& backbone_source, const std::string& lin_source) {
  Lpips model(lpips_net_from_name(net));
  const bool alex = model->net() == LpipsNet::Alex;
  load_part({{"features", model->features.ptr()}}, without_classifier(backbone), backbone_source,
            alex ? "torchvision's alexnet weights, e.g. alexnet-owt-7be5be79.pth"
                 : "torchvision's vgg16 weights, e.g. vgg16-397923af.pth");
  std::vector<std::pair<std::string, std::shared_ptr<torch::nn::Module>>> heads;
  for (size_t k = 0; k < model->lins.size(); ++k) heads.emplace_back("lin" + std::to_string(k), model->lins[k].ptr());
  load_part(
      heads, lin, lin_source,
      "the v0.1 linear heads, PerceptualSimilarity's lpips/weights/v0.1/" + lpips_net_name(model->net()) + ".pth");
  return model;
}

Lpips load_lpips(const std::string& net, const std::string& backbone_pth, const std::string& lin_pth) {
  const io::TensorDict backbone = io::read_state_dict(backbone_pth);  // read first: its errors come first
  return load_lpips(net, backbone, io::read_state_dict(lin_pth), backbone_pth, lin_pth);
}

}  // namespace sinsr::metrics
