#include "eval/metrics/musiq.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <utility>

#include "core/io/state_dict.h"

namespace sinsr::metrics {
namespace {

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// Python's `//` (rounds towards minus infinity, unlike C++'s `/` for negative numerators).
int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0); }

// TF "SAME" padding of one axis as (before, after): pyiqa's excact_padding_2d / extract_image_patches put the
// smaller half first.
std::pair<int64_t, int64_t> tf_same_padding(int64_t length, int64_t kernel, int64_t stride) {
  const int64_t total = (ceil_div(length, stride) - 1) * stride + kernel - length;
  const int64_t before = floor_div(total, 2);
  return {before, total - before};
}

at::Tensor pad_tf_same(const at::Tensor& x, int64_t kernel, int64_t stride) {
  const auto [top, bottom] = tf_same_padding(x.size(2), kernel, stride);
  const auto [left, right] = tf_same_padding(x.size(3), kernel, stride);
  return at::constant_pad_nd(x, {left, right, top, bottom}, 0);
}

// pyiqa resize_preserve_aspect_ratio: Python's round() of n * (L / max(h, w)) in double, i.e. half to even
// (78 * 1.75 = 136.5 -> 136); std::nearbyint rounds that way in the default rounding mode.
int64_t resized_length(int64_t length, int64_t longer_side, int64_t longest) {
  const double ratio = static_cast<double>(longer_side) / static_cast<double>(longest);
  return static_cast<int64_t>(std::nearbyint(static_cast<double>(length) * ratio));
}

// pyiqa get_hashed_spatial_pos_emb_index, one axis: F.interpolate(arange(G).float(), count, mode='nearest').
// The same ATen op keeps the reference's float index arithmetic.
at::Tensor hashed_axis_index(int64_t grid_size, int64_t count) {
  const auto grid = at::arange(grid_size, at::TensorOptions().dtype(at::kFloat)).view({1, 1, grid_size});
  return at::upsample_nearest1d(grid, {count}).view({count});
}

// Row-major hashed index of every grid cell: hash_h * G + hash_w, float32 like the token tensor.
at::Tensor hashed_spatial_index(int64_t grid_size, int64_t count_h, int64_t count_w) {
  const auto h = hashed_axis_index(grid_size, count_h).view({count_h, 1});
  const auto w = hashed_axis_index(grid_size, count_w).view({1, count_w});
  return (h * grid_size + w).reshape({-1});
}

struct ScaleTokens {
  at::Tensor tokens;  // [N, C*P*P + 3, slots] (pyiqa's channel-first layout, transposed at the end)
  MusiqScaleInfo info;
};

// pyiqa _extract_patches_and_positions_from_image: TF-SAME padded patches in F.unfold order, then the
// hashed spatial index, the scale index and a mask of ones; with max_seq_len >= 0 zero slots are appended
// and the sequence is cut to max_seq_len.
ScaleTokens extract_scale_tokens(const at::Tensor& image, const MusiqPatchSettings& settings, int64_t scale_id,
                                 int64_t max_seq_len) {
  const int64_t n = image.size(0), h = image.size(2), w = image.size(3);
  const int64_t kernel = settings.patch_size, stride = settings.patch_stride;
  const auto patches =
      at::im2col(pad_tf_same(image, kernel, stride), {kernel, kernel}, {1, 1}, {0, 0}, {stride, stride});
  const int64_t count_h = ceil_div(h, stride), count_w = ceil_div(w, stride);
  const auto spatial = hashed_spatial_index(settings.hash_grid_size, count_h, count_w)
                           .view({1, 1, -1})
                           .expand({n, 1, count_h * count_w});
  auto tokens =
      at::cat({patches, spatial, at::full_like(spatial, static_cast<double>(scale_id)), at::ones_like(spatial)}, 1);
  const int64_t num_patches = tokens.size(2);
  if (max_seq_len >= 0) {
    tokens =
        at::cat({tokens, at::zeros({n, tokens.size(1), max_seq_len}, tokens.options())}, 2).slice(2, 0, max_seq_len);
  }
  MusiqScaleInfo info;
  info.resized_h = h;
  info.resized_w = w;
  info.grid_h = count_h;
  info.grid_w = count_w;
  info.slots = tokens.size(2);
  info.valid = std::min(num_patches, info.slots);
  return {tokens, info};
}

void check_images(const at::Tensor& images, const char* what) {
  if (images.dim() != 4 || images.size(1) != 3 || images.scalar_type() != at::kFloat)
    throw std::runtime_error(std::string("MUSIQ ") + what + ": expected float32 images [N, 3, H, W] in [0, 1], got " +
                             std::string(images.toString()) + " of shape " + c10::str(images.sizes()));
}

}  // namespace

MusiqInput musiq_multiscale_input(const at::Tensor& images, const MusiqPatchSettings& settings) {
  check_images(images, "multi-scale input");
  // MUSIQ.forward in eval mode: "normalize inputs to [-1, 1] as the official code".
  const auto x = (images - 0.5) * 2;
  const int64_t h = x.size(2), w = x.size(3);

  // get_multiscale_patches sorts the lengths "to ensure a deterministic encoding of the scale position".
  auto lengths = settings.longer_side_lengths;
  std::sort(lengths.begin(), lengths.end());

  std::vector<ScaleTokens> scales;
  for (size_t scale_id = 0; scale_id < lengths.size(); ++scale_id) {
    const int64_t longer = lengths[scale_id];
    const int64_t rh = resized_length(h, longer, std::max(h, w)), rw = resized_length(w, longer, std::max(h, w));
    // F.interpolate(mode='bicubic'): align_corners=False, no antialiasing even when shrinking.
    const auto resized = at::upsample_bicubic2d(x, {rh, rw}, false, c10::nullopt, c10::nullopt);
    const int64_t per_side = ceil_div(longer, settings.patch_stride);
    scales.push_back(extract_scale_tokens(resized, settings, static_cast<int64_t>(scale_id), per_side * per_side));
  }
  if (settings.max_seq_len_from_original_res)
    scales.push_back(extract_scale_tokens(x, settings, static_cast<int64_t>(lengths.size()),
                                          *settings.max_seq_len_from_original_res));

  MusiqInput input;
  std::vector<at::Tensor> parts;
  int64_t offset = 0;
  for (auto& scale : scales) {
    scale.info.token_offset = offset;
    offset += scale.info.slots;
    input.scales.push_back(scale.info);
    parts.push_back(scale.tokens);
  }
  input.tokens = at::cat(parts, 2).transpose(1, 2).contiguous();
  return input;
}

namespace {

const at::Tensor& require_weight(const io::TensorDict& state, const std::string& key, const std::string& source) {
  for (const auto& [name, tensor] : state)
    if (name == key) return tensor;
  throw std::runtime_error("MUSIQ weights " + source + ": missing key '" + key +
                           "'; expected a pyiqa MUSIQ state_dict such as musiq_koniq_ckpt-e95806b9.pth");
}

// n for a value that must be a perfect square n * n (position table G*G, token grid (P/4)^2).
int64_t exact_sqrt(int64_t value, const std::string& what, const std::string& source) {
  const auto root = static_cast<int64_t>(std::llround(std::sqrt(static_cast<double>(value))));
  if (root * root != value)
    throw std::runtime_error("MUSIQ weights " + source + ": " + what + " (" + std::to_string(value) +
                             ") is not a square; not a pyiqa MUSIQ state_dict");
  return root;
}

constexpr const char* kBlockPrefix = "transformer_encoder.transformer.encoderblock_";

int64_t count_encoder_blocks(const io::TensorDict& state) {
  const std::string prefix = kBlockPrefix;
  int64_t count = 0;
  for (const auto& entry : state) {
    const std::string& key = entry.first;
    if (key.compare(0, prefix.size(), prefix) != 0) continue;
    const size_t dot = key.find('.', prefix.size());
    count = std::max<int64_t>(count, std::stoll(key.substr(prefix.size(), dot - prefix.size())) + 1);
  }
  return count;
}

}  // namespace

MusiqArch MusiqArch::infer(const io::TensorDict& state, int64_t num_heads, const std::string& source) {
  for (const auto& entry : state)
    if (entry.first == "head.0.weight")
      throw std::runtime_error("MUSIQ weights " + source +
                               ": a score-distribution head (head.0, e.g. the AVA checkpoint); only the "
                               "single-output layout (musiq_koniq_ckpt-e95806b9.pth) is supported");
  const auto& conv_root = require_weight(state, "conv_root.weight", source);
  const auto& embedding = require_weight(state, "embedding.weight", source);
  const auto& position = require_weight(state, "transformer_encoder.posembed_input.position_emb", source);
  const auto& scale = require_weight(state, "transformer_encoder.scaleembed_input.scale_emb", source);
  const auto& fc1 = require_weight(state, std::string(kBlockPrefix) + "0.mlp.fc1.weight", source);
  const auto& head = require_weight(state, "head.weight", source);
  if (head.size(0) != 1)
    throw std::runtime_error("MUSIQ weights " + source + ": head.weight has " + std::to_string(head.size(0)) +
                             " outputs; only the single-output (KonIQ) layout is supported");

  MusiqArch arch;
  arch.resnet_token_dim = conv_root.size(0);
  arch.hidden_size = embedding.size(0);
  // embedding input = the (P/4) x (P/4) x (4 * resnet_token_dim) map of block1.
  const int64_t token_cells = embedding.size(1) / (4 * arch.resnet_token_dim);
  arch.patch_size = 4 * exact_sqrt(token_cells, "embedding input / block1 channels", source);
  arch.spatial_pos_grid_size = exact_sqrt(position.size(1), "position_emb rows", source);
  arch.num_scales = scale.size(0);
  arch.mlp_dim = fc1.size(0);
  arch.num_layers = count_encoder_blocks(state);
  arch.num_heads = num_heads;
  if (num_heads <= 0 || arch.hidden_size % num_heads != 0)
    throw std::runtime_error("MUSIQ weights " + source + ": hidden size " + std::to_string(arch.hidden_size) +
                             " is not divisible by num_heads " + std::to_string(num_heads) +
                             " (the pyiqa checkpoints use 6 heads)");
  return arch;
}

namespace musiq {

StdConvImpl::StdConvImpl(int64_t in_channels, int64_t out_channels, int64_t kernel, int64_t stride)
    : kernel_(kernel), stride_(stride) {
  weight_ = register_parameter("weight", torch::zeros({out_channels, in_channels, kernel, kernel}));
}

at::Tensor StdConvImpl::forward(const at::Tensor& x) {
  // Weight standardisation exactly as pyiqa StdConv: centre first, then divide by the centred weight's
  // unbiased std (+ 1e-5 outside the std).
  auto w = weight_ - weight_.mean({1, 2, 3}, true);
  w = w / (w.std({1, 2, 3}, /*unbiased=*/true, /*keepdim=*/true) + 1e-5);
  return at::conv2d(pad_tf_same(x, kernel_, stride_), w, {}, stride_);
}

namespace {
torch::nn::GroupNorm group_norm(int64_t channels, double eps) {
  return torch::nn::GroupNorm(torch::nn::GroupNormOptions(32, channels).eps(eps));
}
}  // namespace

BottleneckImpl::BottleneckImpl(int64_t in_planes, int64_t out_planes) {
  const int64_t width = in_planes;  // pyiqa: width = inplanes
  conv1 = register_module("conv1", StdConv(in_planes, width, 1, 1));
  gn1 = register_module("gn1", group_norm(width, 1e-4));
  conv2 = register_module("conv2", StdConv(width, width, 3, 1));
  gn2 = register_module("gn2", group_norm(width, 1e-4));
  conv3 = register_module("conv3", StdConv(width, out_planes, 1, 1));
  gn3 = register_module("gn3", group_norm(out_planes, 1e-4));
  if (in_planes != out_planes) {
    conv_proj = register_module("conv_proj", StdConv(in_planes, out_planes, 1, 1));
    gn_proj = register_module("gn_proj", group_norm(out_planes, 1e-4));
  }
}

at::Tensor BottleneckImpl::forward(const at::Tensor& x) {
  const auto identity = conv_proj ? gn_proj(conv_proj(x)) : x;
  auto y = at::relu(gn1(conv1(x)));
  y = at::relu(gn2(conv2(y)));
  y = gn3(conv3(y));
  return at::relu(y + identity);
}

MultiHeadAttentionImpl::MultiHeadAttentionImpl(int64_t dim, int64_t num_heads) : num_heads_(num_heads) {
  if (num_heads <= 0 || dim % num_heads != 0)
    throw std::runtime_error("MUSIQ attention: hidden size " + std::to_string(dim) + " is not divisible by num_heads " +
                             std::to_string(num_heads));
  query = register_module("query", torch::nn::Linear(dim, dim));
  key = register_module("key", torch::nn::Linear(dim, dim));
  value = register_module("value", torch::nn::Linear(dim, dim));
  out = register_module("out", torch::nn::Linear(dim, dim));
}

at::Tensor MultiHeadAttentionImpl::forward(const at::Tensor& x, const at::Tensor& mask) {
  const int64_t b = x.size(0), n = x.size(1), c = x.size(2), head_dim = c / num_heads_;
  auto split_heads = [&](const at::Tensor& t) { return t.reshape({b, n, num_heads_, head_dim}).permute({0, 2, 1, 3}); };
  const auto q = split_heads(query(x)), k = split_heads(key(x)), v = split_heads(value(x));
  auto attn = at::matmul(q, k.transpose(-2, -1)) * std::pow(static_cast<double>(head_dim), -0.5);
  // pyiqa sets the logits of pairs involving a padding slot to -1e3 (not -inf) before the softmax.
  const auto pair_valid = mask.view({b, 1, n, 1}).logical_and(mask.view({b, 1, 1, n}));
  attn = attn.masked_fill(pair_valid.logical_not(), -1e3).softmax(-1);
  return out(at::matmul(attn, v).transpose(1, 2).reshape({b, n, c}));
}

MlpImpl::MlpImpl(int64_t dim, int64_t hidden) {
  fc1 = register_module("fc1", torch::nn::Linear(dim, hidden));
  fc2 = register_module("fc2", torch::nn::Linear(hidden, dim));
}

at::Tensor MlpImpl::forward(const at::Tensor& x) { return fc2(at::gelu(fc1(x))); }  // nn.GELU(): exact erf form

namespace {
torch::nn::LayerNorm layer_norm(int64_t dim) {
  return torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim}).eps(1e-6));
}
}  // namespace

EncoderBlockImpl::EncoderBlockImpl(int64_t dim, int64_t mlp_dim, int64_t num_heads) {
  norm1 = register_module("norm1", layer_norm(dim));
  attention = register_module("attention", MultiHeadAttention(dim, num_heads));
  norm2 = register_module("norm2", layer_norm(dim));
  mlp = register_module("mlp", Mlp(dim, mlp_dim));
}

at::Tensor EncoderBlockImpl::forward(const at::Tensor& x, const at::Tensor& mask) {
  const auto y = x + attention(norm1(x), mask);
  return y + mlp(norm2(y));
}

IndexedEmbeddingImpl::IndexedEmbeddingImpl(const std::string& name, std::vector<int64_t> shape) {
  table_ = register_parameter(name, torch::zeros(shape));
}

at::Tensor IndexedEmbeddingImpl::forward(const at::Tensor& inputs, const at::Tensor& index) {
  const auto rows = table_.reshape({-1, table_.size(-1)});  // position_emb.squeeze(0)
  return inputs + rows.index_select(0, index.to(at::kLong).flatten()).view(inputs.sizes());
}

TransformerEncoderImpl::TransformerEncoderImpl(const MusiqArch& arch) {
  const int64_t dim = arch.hidden_size, grid = arch.spatial_pos_grid_size;
  posembed_input =
      register_module("posembed_input", IndexedEmbedding("position_emb", std::vector<int64_t>{1, grid * grid, dim}));
  scaleembed_input =
      register_module("scaleembed_input", IndexedEmbedding("scale_emb", std::vector<int64_t>{arch.num_scales, dim}));
  cls_ = register_parameter("cls", torch::zeros({1, 1, dim}));
  encoder_norm = register_module("encoder_norm", layer_norm(dim));
  // pyiqa keeps the blocks in an nn.ModuleDict named "transformer".
  auto transformer = register_module("transformer", std::make_shared<torch::nn::Module>("ModuleDict"));
  for (int64_t l = 0; l < arch.num_layers; ++l)
    blocks_.push_back(transformer->register_module("encoderblock_" + std::to_string(l),
                                                   EncoderBlock(dim, arch.mlp_dim, arch.num_heads)));
}

at::Tensor TransformerEncoderImpl::forward(const at::Tensor& x, const at::Tensor& spatial_index,
                                           const at::Tensor& scale_index, const at::Tensor& mask) {
  const int64_t n = x.size(0);
  auto h = scaleembed_input(posembed_input(x, spatial_index), scale_index);
  h = at::cat({cls_.expand({n, 1, cls_.size(2)}), h}, 1);
  const auto full_mask = at::cat({at::ones({n, 1}, mask.options()), mask}, 1);  // the CLS token is always valid
  for (auto& block : blocks_) h = block(h, full_mask);
  return encoder_norm(h);
}

}  // namespace musiq

MusiqImpl::MusiqImpl(const MusiqArch& arch, MusiqPatchSettings settings) : arch_(arch), settings_(std::move(settings)) {
  const int64_t used_scales =
      static_cast<int64_t>(settings_.longer_side_lengths.size()) + (settings_.max_seq_len_from_original_res ? 1 : 0);
  if (settings_.patch_size != arch.patch_size || settings_.hash_grid_size != arch.spatial_pos_grid_size ||
      used_scales > arch.num_scales || arch.patch_size % 4 != 0)
    throw std::runtime_error("MUSIQ: patch settings (patch " + std::to_string(settings_.patch_size) + ", hash grid " +
                             std::to_string(settings_.hash_grid_size) + ", " + std::to_string(used_scales) +
                             " scales) do not fit the network (patch " + std::to_string(arch.patch_size) + ", grid " +
                             std::to_string(arch.spatial_pos_grid_size) + ", " + std::to_string(arch.num_scales) +
                             " scale embeddings)");
  const int64_t stem = arch.resnet_token_dim, token_side = arch.patch_size / 4;
  conv_root = register_module("conv_root", musiq::StdConv(3, stem, 7, 2));
  gn_root = register_module("gn_root", torch::nn::GroupNorm(torch::nn::GroupNormOptions(32, stem).eps(1e-6)));
  block1 = register_module("block1", musiq::Bottleneck(stem, 4 * stem));
  embedding = register_module("embedding", torch::nn::Linear(4 * stem * token_side * token_side, arch.hidden_size));
  transformer_encoder = register_module("transformer_encoder", musiq::TransformerEncoder(arch));
  head = register_module("head", torch::nn::Linear(arch.hidden_size, 1));
}

at::Tensor MusiqImpl::embed(const at::Tensor& tokens) {
  const int64_t b = tokens.size(0), length = tokens.size(1), p = arch_.patch_size;
  auto x = tokens.slice(2, 0, tokens.size(2) - 3).reshape({-1, 3, p, p});
  x = gn_root(conv_root(x));
  x = at::max_pool2d(pad_tf_same(at::relu(x), 3, 2), {3, 3}, {2, 2});  // root_pool
  x = block1(x);
  // Channels last, "to match tensorflow channel order".
  return embedding(x.permute({0, 2, 3, 1}).reshape({b, length, -1}));
}

at::Tensor MusiqImpl::encode(const at::Tensor& tokens) {
  const int64_t d = tokens.size(2);
  return transformer_encoder(embed(tokens), tokens.select(2, d - 3), tokens.select(2, d - 2),
                             tokens.select(2, d - 1).to(at::kBool));
}

at::Tensor MusiqImpl::forward(const at::Tensor& tokens) { return head(encode(tokens).select(1, 0)).squeeze(-1); }

c10::Device MusiqImpl::weights_device() const { return head->weight.device(); }

at::Tensor MusiqImpl::score(const at::Tensor& images) {
  check_images(images, "score");
  torch::NoGradGuard no_grad;
  std::vector<at::Tensor> scores;
  for (int64_t i = 0; i < images.size(0); ++i)
    // The patches are cut on the CPU (index arithmetic in float32, as the reference), the network runs where
    // its weights are.
    scores.push_back(
        forward(musiq_multiscale_input(images.slice(0, i, i + 1).cpu(), settings_).tokens.to(weights_device())));
  return at::cat(scores);
}

Musiq load_musiq(const std::string& path, MusiqPatchSettings settings, int64_t num_heads) {
  const auto state = io::read_state_dict(path);
  Musiq model(MusiqArch::infer(state, num_heads, path), std::move(settings));
  io::load_state_dict_strict(*model, state, path);
  model->eval();
  return model;
}

}  // namespace sinsr::metrics
