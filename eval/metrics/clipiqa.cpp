#include "eval/metrics/clipiqa.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <regex>
#include <sstream>
#include <stdexcept>

#include "core/io/state_dict.h"
#include "core/nn/conv1x1.h"

namespace sinsr::metrics {

namespace {

namespace F = torch::nn::functional;
using torch::nn::Conv2dOptions;

const std::string kVisualPrefix = "visual.";

torch::nn::Conv2d conv(int64_t in, int64_t out, int64_t kernel, int64_t stride = 1) {
  // Every ModifiedResNet conv is bias-free; 3x3 ones pad by 1.
  return torch::nn::Conv2d(Conv2dOptions(in, out, kernel).stride(stride).padding(kernel / 2).bias(false));
}

// The parameter-free pools of clip/model.py (nn.AvgPool2d(stride), floor mode). A 1x1 average is the
// identity, as are the reference's nn.Identity / AvgPool2d(1) for stride 1.
at::Tensor avg_pool(const at::Tensor& x, int64_t stride) {
  return stride > 1 ? F::avg_pool2d(x, F::AvgPool2dFuncOptions(stride)) : x;
}

const at::Tensor& find_tensor(const io::TensorDict& dict, const std::string& key, const std::string& source,
                              const std::string& hint) {
  for (const auto& [k, v] : dict)
    if (k == key) return v;
  throw std::runtime_error("'" + source + "' has no '" + key + "' entry: " + hint);
}

// Output extent of the visual trunk along one axis: stride-2 stem conv (pad 1), then five floored halvings
// (stem AvgPool and the pools of stages 2-4).
int64_t layer4_extent(int64_t input) {
  int64_t n = (input + 1) / 2;
  for (int i = 0; i < 4; ++i) n /= 2;
  return n;
}

std::string shape_text(const at::Tensor& t) {
  std::ostringstream o;
  o << t.sizes();
  return o.str();
}

void check_images(const at::Tensor& images) {
  if (images.dim() != 4 || images.size(1) != 3 || images.scalar_type() != at::kFloat)
    throw std::runtime_error("clipiqa: expected float32 images [N, 3, H, W] in [0, 1], got " +
                             std::string(c10::toString(images.scalar_type())) + " " + shape_text(images));
  if (layer4_extent(images.size(2)) < 1 || layer4_extent(images.size(3)) < 1)
    throw std::runtime_error("clipiqa: image " + shape_text(images) +
                             " is too small (the ModifiedResNet tower needs at least 31x31 pixels)");
}

}  // namespace

// ---- configuration ----------------------------------------------------------------------------------

ClipResNetConfig ClipResNetConfig::from_weights(const io::TensorDict& visual, const std::string& source) {
  const std::string hint = "not a CLIP ModifiedResNet (RN50-style) visual tower";
  ClipResNetConfig c;
  c.width = find_tensor(visual, "layer1.0.conv1.weight", source, hint).size(0);
  // Blocks per stage: the highest j among "layer<L>.<j>." keys, plus one (clip/model.py build_model).
  static const std::regex block_key(R"(layer([1-4])\.(\d+)\..+)");
  std::map<int64_t, int64_t> blocks;
  for (const auto& entry : visual) {
    std::smatch m;
    if (!std::regex_match(entry.first, m, block_key)) continue;
    const int64_t stage = std::stoll(m[1]), block = std::stoll(m[2]);
    blocks[stage] = std::max(blocks[stage], block + 1);
  }
  c.layers.clear();
  for (int64_t stage = 1; stage <= 4; ++stage) {
    if (!blocks.count(stage))
      throw std::runtime_error("'" + source + "' has no layer" + std::to_string(stage) + ".* keys: " + hint);
    c.layers.push_back(blocks[stage]);
  }
  c.output_dim = find_tensor(visual, "attnpool.c_proj.weight", source, hint).size(0);
  const int64_t tokens = find_tensor(visual, "attnpool.positional_embedding", source, hint).size(0);
  c.input_resolution = std::lround(std::sqrt(static_cast<double>(tokens - 1))) * 32;
  c.heads = c.embed_dim() / 64;  // build_model: vision_heads = vision_width * 32 // 64
  return c;
}

bool operator==(const ClipResNetConfig& a, const ClipResNetConfig& b) {
  return a.width == b.width && a.layers == b.layers && a.heads == b.heads && a.output_dim == b.output_dim &&
         a.input_resolution == b.input_resolution;
}

io::TensorDict clip_visual_weights(const io::TensorDict& clip_state, const std::string& source) {
  io::TensorDict visual;
  for (const auto& [key, value] : clip_state)
    if (key.rfind(kVisualPrefix, 0) == 0) visual.emplace_back(key.substr(kVisualPrefix.size()), value);
  if (visual.empty())
    throw std::runtime_error("'" + source + "' has no 'visual.*' keys: expected a CLIP state_dict (e.g. " +
                             "torch.jit.load('RN50.pt').state_dict() saved with torch.save)");
  return visual;
}

// ---- modules ----------------------------------------------------------------------------------------

ClipDownsampleImpl::ClipDownsampleImpl(int64_t in_channels, int64_t out_channels, int64_t stride) : stride_(stride) {
  conv = register_module("0", torch::nn::Conv2d(Conv2dOptions(in_channels, out_channels, 1).bias(false)));
  bn = register_module("1", torch::nn::BatchNorm2d(out_channels));
}

at::Tensor ClipDownsampleImpl::forward(const at::Tensor& x) {
  return bn->forward(nn::conv1x1(conv, avg_pool(x, stride_)));
}

ClipBottleneckImpl::ClipBottleneckImpl(int64_t in_channels, int64_t planes, int64_t stride) : stride_(stride) {
  const int64_t out_channels = planes * kExpansion;
  conv1 = register_module("conv1", conv(in_channels, planes, 1));
  bn1 = register_module("bn1", torch::nn::BatchNorm2d(planes));
  conv2 = register_module("conv2", conv(planes, planes, 3));
  bn2 = register_module("bn2", torch::nn::BatchNorm2d(planes));
  conv3 = register_module("conv3", conv(planes, out_channels, 1));
  bn3 = register_module("bn3", torch::nn::BatchNorm2d(out_channels));
  if (stride > 1 || in_channels != out_channels)
    downsample = register_module("downsample", ClipDownsample(in_channels, out_channels, stride));
}

at::Tensor ClipBottleneckImpl::forward(const at::Tensor& x) {
  auto out = torch::relu(bn1->forward(nn::conv1x1(conv1, x)));
  out = torch::relu(bn2->forward(conv2->forward(out)));
  out = bn3->forward(nn::conv1x1(conv3, avg_pool(out, stride_)));
  return torch::relu(out + (downsample ? downsample->forward(x) : x));
}

ClipAttentionPoolImpl::ClipAttentionPoolImpl(int64_t spacial_dim, int64_t embed_dim, int64_t heads, int64_t output_dim)
    : heads_(heads) {
  if (heads <= 0 || embed_dim % heads != 0)
    throw std::runtime_error("clipiqa: attention pool width " + std::to_string(embed_dim) + " is not divisible into " +
                             std::to_string(heads) + " heads");
  positional_embedding =
      register_parameter("positional_embedding", torch::zeros({spacial_dim * spacial_dim + 1, embed_dim}));
  k_proj = register_module("k_proj", torch::nn::Linear(embed_dim, embed_dim));
  q_proj = register_module("q_proj", torch::nn::Linear(embed_dim, embed_dim));
  v_proj = register_module("v_proj", torch::nn::Linear(embed_dim, embed_dim));
  c_proj = register_module("c_proj", torch::nn::Linear(embed_dim, output_dim));
}

// F.multi_head_attention_forward(query=key=value=tokens, use_separate_proj_weight=True) followed by [0]:
// only token 0's query matters, so only that one is projected (each output row depends on its own query
// alone). Like torch's _scaled_dot_product_attention, q is divided by sqrt(head_dim) before q.k^T.
at::Tensor ClipAttentionPoolImpl::forward(const at::Tensor& x) {
  const int64_t n = x.size(0), channels = x.size(1), head_dim = channels / heads_;
  auto tokens = x.flatten(2).transpose(1, 2);              // [N, HW, C], row-major positions
  tokens = torch::cat({tokens.mean(1, true), tokens}, 1);  // mean token first; no positional embedding
  auto split_heads = [&](const at::Tensor& t) { return t.view({n, -1, heads_, head_dim}).transpose(1, 2); };
  const auto q = split_heads(q_proj->forward(tokens.narrow(1, 0, 1))) / std::sqrt(static_cast<double>(head_dim));
  const auto k = split_heads(k_proj->forward(tokens));
  const auto v = split_heads(v_proj->forward(tokens));
  const auto attention = torch::softmax(torch::matmul(q, k.transpose(-2, -1)), -1);  // [N, heads, 1, L]
  return c_proj->forward(torch::matmul(attention, v).transpose(1, 2).reshape({n, channels}));
}

ClipModifiedResNetImpl::ClipModifiedResNetImpl(const ClipResNetConfig& config) {
  const int64_t w = config.width;
  if (config.layers.size() != 4) throw std::runtime_error("clipiqa: ModifiedResNet needs 4 stages");
  conv1 = register_module("conv1", conv(3, w / 2, 3, 2));
  bn1 = register_module("bn1", torch::nn::BatchNorm2d(w / 2));
  conv2 = register_module("conv2", conv(w / 2, w / 2, 3));
  bn2 = register_module("bn2", torch::nn::BatchNorm2d(w / 2));
  conv3 = register_module("conv3", conv(w / 2, w, 3));
  bn3 = register_module("bn3", torch::nn::BatchNorm2d(w));
  int64_t in_channels = w;
  for (size_t s = 0; s < 4; ++s) {
    const int64_t planes = w << s;
    torch::nn::Sequential stage;
    for (int64_t j = 0; j < config.layers[s]; ++j) {
      stage->push_back(ClipBottleneck(in_channels, planes, j == 0 && s > 0 ? 2 : 1));
      in_channels = planes * ClipBottleneckImpl::kExpansion;
    }
    stages_.push_back(register_module("layer" + std::to_string(s + 1), stage));
  }
  attnpool = register_module(
      "attnpool", ClipAttentionPool(config.input_resolution / 32, config.embed_dim(), config.heads, config.output_dim));
}

at::Tensor ClipModifiedResNetImpl::trunk(const at::Tensor& x) {
  auto h = torch::relu(bn1->forward(conv1->forward(x)));
  h = torch::relu(bn2->forward(conv2->forward(h)));
  h = avg_pool(torch::relu(bn3->forward(conv3->forward(h))), 2);
  for (auto& stage : stages_) h = stage->forward(h);
  return h;
}

at::Tensor ClipModifiedResNetImpl::forward(const at::Tensor& x) { return attnpool->forward(trunk(x)); }

// ---- the metric -------------------------------------------------------------------------------------

ClipIqa::ClipIqa(const ClipResNetConfig& arch, const io::TensorDict& clip_state, const at::Tensor& text_features,
                 const at::Tensor& logit_scale_param, const std::string& source) {
  visual_ = ClipModifiedResNet(arch);
  // Strict load; the copy converts OpenAI's float16 conv/linear weights to the module's float32.
  io::load_state_dict_strict(*visual_, clip_visual_weights(clip_state, source), source);
  visual_->eval();
  if (text_features.dim() != 2 || text_features.size(0) == 0 || text_features.size(0) % 2 != 0 ||
      text_features.size(1) != arch.output_dim)
    throw std::runtime_error("clipiqa: text features must be [2 x prompt pairs, " + std::to_string(arch.output_dim) +
                             "] (positive, negative row per pair) to match the visual tower of '" + source + "', got " +
                             shape_text(text_features));
  if (logit_scale_param.numel() != 1)
    throw std::runtime_error("clipiqa: logit_scale must be one value (CLIP's logit_scale parameter), got " +
                             shape_text(logit_scale_param));
  // CLIP clamps exp(logit_scale) to at most 100 in training: a larger value is the scale itself, saved by mistake.
  const double log_scale = logit_scale_param.item<double>();
  if (!(log_scale <= std::log(100.0) + 1e-4))
    throw std::runtime_error("clipiqa: logit_scale " + std::to_string(log_scale) +
                             " is not CLIP's log-scale parameter (at most ln 100 = 4.6052): save model.logit_scale, "
                             "not its exp()");
  const auto text = text_features.to(at::kFloat);
  text_unit_ = text / text.norm(2, {1}, true);  // CLIP.forward re-normalises the text features
  logit_scale_ = logit_scale_param.to(at::kFloat).reshape({}).exp();
}

ClipIqa ClipIqa::from_files(const std::string& clip_weights_pth, const std::string& text_features_pth) {
  const io::TensorDict clip_state = io::read_state_dict(clip_weights_pth);
  const io::TensorDict text = io::read_state_dict(text_features_pth);
  const std::string hint = "expected torch.save({'text_features': [10, D] tensor, 'logit_scale': CLIP's logit_scale})";
  return ClipIqa(ClipResNetConfig::from_weights(clip_visual_weights(clip_state, clip_weights_pth), clip_weights_pth),
                 clip_state, find_tensor(text, "text_features", text_features_pth, hint),
                 find_tensor(text, "logit_scale", text_features_pth, hint), clip_weights_pth);
}

at::Tensor ClipIqa::normalize(const at::Tensor& images) {
  const auto mean = torch::tensor(std::vector<float>(kClipMean.begin(), kClipMean.end())).view({1, 3, 1, 1});
  const auto std = torch::tensor(std::vector<float>(kClipStd.begin(), kClipStd.end())).view({1, 3, 1, 1});
  return (images - mean.to(images.device())) / std.to(images.device());
}

void ClipIqa::to(const c10::Device& device) {
  visual_->to(device);
  text_unit_ = text_unit_.to(device);
  logit_scale_ = logit_scale_.to(device);
}

ClipIqaBreakdown ClipIqa::evaluate(const at::Tensor& images) {
  check_images(images);
  torch::NoGradGuard no_grad;
  ClipIqaBreakdown r;
  r.layer4_out = visual_->trunk(normalize(images));
  r.image_features = visual_->attnpool->forward(r.layer4_out);
  const auto image_unit = r.image_features / r.image_features.norm(2, {1}, true);
  // `logit_scale * image_features @ text_features.t()`: the scale multiplies the image side first.
  r.logits = torch::matmul(logit_scale_ * image_unit, text_unit_.t());
  r.pair_probs = r.logits.view({images.size(0), -1, 2}).softmax(-1);
  r.scores = r.pair_probs.select(2, 0).mean(1);  // pyiqa: probs[..., 0].mean(dim=1)
  return r;
}

at::Tensor ClipIqa::score(const at::Tensor& images) { return evaluate(images).scores; }

}  // namespace sinsr::metrics
