#include "core/nn/swin.h"

#include <cmath>

#include "core/nn/conv1x1.h"

namespace sinsr::nn {

using torch::indexing::None;
using torch::indexing::Slice;

torch::Tensor reference_shifted_window_mask(int64_t height, int64_t width, int64_t ws, int64_t shift) {
  // Literal transcription of SwinTransformerBlock.calculate_mask(). img_mask is (1, 1, H, W) but is
  // indexed as [:, h, w, :]: the h slices hit the size-1 channel axis (only slice(-shift, None) selects
  // anything) and the w slices select *rows*. Keep it this way: the pretrained weights learnt it.
  auto img_mask = torch::zeros({1, 1, height, width});
  const Slice slices[3] = {Slice(0, -ws), Slice(-ws, -shift), Slice(-shift, None)};
  int64_t cnt = 0;
  for (const Slice& h : slices)
    for (const Slice& w : slices) img_mask.index_put_({Slice(), h, w, Slice()}, static_cast<double>(cnt++));
  // window_partition(img_mask, ws).permute(0, 2, 3, 1): windows come out (nW, ws, ws, 1) and the
  // permute reads them back column-major.
  auto windows = img_mask.view({1, 1, height / ws, ws, width / ws, ws})
                     .permute({0, 2, 4, 3, 5, 1})
                     .reshape({-1, ws, ws, 1})
                     .permute({0, 2, 3, 1})
                     .reshape({-1, ws * ws});
  auto diff = windows.unsqueeze(1) - windows.unsqueeze(2);
  return torch::zeros_like(diff).masked_fill(diff != 0, -100.0);
}

torch::Tensor relative_position_index(int64_t ws) {
  auto coords = torch::arange(ws, torch::kLong);
  auto ih = coords.repeat_interleave(ws);  // row of token a = i*ws + j
  auto jw = coords.repeat({ws});           // column of token a
  auto dh = ih.unsqueeze(1) - ih.unsqueeze(0) + (ws - 1);
  auto dw = jw.unsqueeze(1) - jw.unsqueeze(0) + (ws - 1);
  return dh * (2 * ws - 1) + dw;
}

WindowAttentionImpl::WindowAttentionImpl(int64_t dim, int64_t window_size, int64_t num_heads)
    : dim_(dim), window_size_(window_size), num_heads_(num_heads) {
  scale_ = std::pow(static_cast<double>(dim / num_heads), -0.5);
  relative_position_bias_table = register_parameter(
      "relative_position_bias_table", torch::randn({(2 * window_size - 1) * (2 * window_size - 1), num_heads}) * 0.02);
  relative_position_index = register_buffer("relative_position_index", sinsr::nn::relative_position_index(window_size));
  qkv = register_module("qkv", torch::nn::Linear(dim, dim * 3));
  proj = register_module("proj", torch::nn::Linear(dim, dim));
}

torch::Tensor WindowAttentionImpl::forward(const torch::Tensor& x, const torch::Tensor& mask) {
  const int64_t b_ = x.size(0), n = x.size(1), c = x.size(2);
  auto qkv_out = qkv->forward(x).reshape({b_, n, 3, num_heads_, c / num_heads_}).permute({2, 0, 3, 1, 4});
  auto q = qkv_out[0] * scale_;
  auto k = qkv_out[1];
  auto v = qkv_out[2];
  auto attn = torch::matmul(q, k.transpose(-2, -1));
  auto bias = relative_position_bias_table.index_select(0, relative_position_index.view(-1))
                  .view({n, n, -1})
                  .permute({2, 0, 1});
  attn = attn + bias.unsqueeze(0).to(attn.scalar_type());
  if (mask.defined()) {
    const int64_t nw = mask.size(0);
    attn = (attn.view({b_ / nw, nw, num_heads_, n, n}) + mask.unsqueeze(1).unsqueeze(0)).view({-1, num_heads_, n, n});
  }
  attn = torch::softmax(attn, -1);
  return proj->forward(torch::matmul(attn, v).transpose(1, 2).reshape({b_, n, c}));
}

MlpImpl::MlpImpl(int64_t dim, int64_t hidden) {
  fc1 = register_module("fc1", torch::nn::Conv2d(torch::nn::Conv2dOptions(dim, hidden, 1)));
  fc2 = register_module("fc2", torch::nn::Conv2d(torch::nn::Conv2dOptions(hidden, dim, 1)));
}

torch::Tensor MlpImpl::forward(const torch::Tensor& x) { return conv1x1(fc2, torch::gelu(conv1x1(fc1, x))); }

SwinTransformerBlockImpl::SwinTransformerBlockImpl(SwinBlockOptions o)
    : dim_(o.dim), window_size_(o.window_size), shift_size_(o.shift_size) {
  // The reference decides this once, from the construction-time resolution: small levels use one window
  // covering the whole map and never shift, even when run on larger inputs later.
  if (std::min(o.input_height, o.input_width) <= window_size_) {
    shift_size_ = 0;
    window_size_ = std::min(o.input_height, o.input_width);
  }
  TORCH_CHECK(shift_size_ >= 0 && shift_size_ < window_size_, "shift_size must be in [0, window_size)");
  norm1 = register_module("norm1", GroupNorm32(o.dim));
  attn = register_module("attn", WindowAttention(o.dim, window_size_, o.num_heads));
  norm2 = register_module("norm2", GroupNorm32(o.dim));
  mlp = register_module("mlp", Mlp(o.dim, static_cast<int64_t>(o.dim * o.mlp_ratio)));
  if (shift_size_ > 0)
    attn_mask = register_buffer(
        "attn_mask", reference_shifted_window_mask(o.input_height, o.input_width, window_size_, shift_size_));
}

// Built on the CPU (the reference's loops) once per size and device, then reused: a copy to a GPU per
// forward would make the host wait for the GPU every call.
torch::Tensor SwinTransformerBlockImpl::shifted_window_mask(int64_t h, int64_t w, const at::TensorOptions& options) {
  if (!mask_cache_.defined() || mask_cache_.device() != options.device() ||
      mask_cache_.scalar_type() != options.dtype() || mask_size_ != std::make_pair(h, w)) {
    mask_cache_ = reference_shifted_window_mask(h, w, window_size_, shift_size_)
                      .to(options.device(), options.dtype().toScalarType());
    mask_size_ = {h, w};
  }
  return mask_cache_;
}

torch::Tensor SwinTransformerBlockImpl::forward(const torch::Tensor& x) {
  const int64_t b = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3), ws = window_size_;
  TORCH_CHECK(h % ws == 0 && w % ws == 0, "Swin block: feature map ", h, "x", w,
              " is not a multiple of the window size ", ws,
              " (pad the input: latent sizes must be multiples of 8 * 2^(levels-1))");
  auto shortcut = x;
  auto y = norm1->forward(x);
  if (shift_size_ > 0) y = torch::roll(y, {-shift_size_, -shift_size_}, {2, 3});
  auto windows = y.view({b, c, h / ws, ws, w / ws, ws}).permute({0, 2, 4, 3, 5, 1}).reshape({-1, ws * ws, c});
  // The reference compares a list with a tuple (`self.input_resolution == x_size`), which is never true, so
  // it always recomputes the mask for the current size and never reads the attn_mask buffer. Same here.
  // An unshifted block's recomputed mask is all zeros, i.e. no mask.
  torch::Tensor mask;
  if (shift_size_ > 0) mask = shifted_window_mask(h, w, y.options());
  auto attn_windows = attn->forward(windows, mask);
  y = attn_windows.view({b, h / ws, w / ws, ws, ws, c}).permute({0, 5, 1, 3, 2, 4}).reshape({b, c, h, w});
  if (shift_size_ > 0) y = torch::roll(y, {shift_size_, shift_size_}, {2, 3});
  y = shortcut + y;
  return y + mlp->forward(norm2->forward(y));
}

PatchEmbedImpl::PatchEmbedImpl(int64_t in_chans, int64_t embed_dim, int64_t patch_size, bool patch_norm) {
  proj = register_module(
      "proj", torch::nn::Conv2d(torch::nn::Conv2dOptions(in_chans, embed_dim, patch_size).stride(patch_size)));
  if (patch_norm) norm = register_module("norm", GroupNorm32(embed_dim));
}

torch::Tensor PatchEmbedImpl::forward(const torch::Tensor& x) {
  auto y = conv1x1(proj, x);  // patch_size 1 in the UNet; other sizes fall back to the plain conv
  return norm ? norm->forward(y) : y;
}

PatchUnEmbedImpl::PatchUnEmbedImpl(int64_t out_chans, int64_t embed_dim, bool patch_norm) {
  proj = register_module("proj", torch::nn::Conv2d(torch::nn::Conv2dOptions(embed_dim, out_chans, 1)));
  if (patch_norm) norm = register_module("norm", GroupNorm32(out_chans));
}

torch::Tensor PatchUnEmbedImpl::forward(const torch::Tensor& x) {
  auto y = conv1x1(proj, x);
  return norm ? norm->forward(y) : y;
}

BasicLayerImpl::BasicLayerImpl(const BasicLayerOptions& o) {
  patch_embed = register_module("patch_embed", PatchEmbed(o.in_chans, o.embed_dim, /*patch_size=*/1, o.patch_norm));
  patch_unembed = register_module("patch_unembed", PatchUnEmbed(o.in_chans, o.embed_dim, o.patch_norm));
  blocks = register_module("blocks", torch::nn::ModuleList());
  for (int64_t i = 0; i < o.depth; ++i)
    blocks->push_back(
        SwinTransformerBlock(SwinBlockOptions{o.embed_dim, o.img_size, o.img_size, o.num_heads, o.window_size,
                                              i % 2 == 0 ? 0 : o.window_size / 2, o.mlp_ratio}));
}

torch::Tensor BasicLayerImpl::forward(const torch::Tensor& x) {
  auto y = patch_embed->forward(x);
  for (const auto& blk : *blocks) y = blk->as<SwinTransformerBlockImpl>()->forward(y);
  return patch_unembed->forward(y);
}

}  // namespace sinsr::nn
