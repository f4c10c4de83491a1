#include "core/nn/vq_autoencoder.h"

#include <torch/nn/functional/upsampling.h>

#include <algorithm>
#include <cmath>

#include "core/nn/conv1x1.h"
#include "core/nn/conv3x3.h"

namespace sinsr::nn::vq {

namespace {

namespace F = torch::nn::functional;
using torch::nn::Conv2dOptions;

torch::nn::GroupNorm normalize(int64_t channels) {
  // The autoencoder's Normalize: plain GroupNorm, eps 1e-6 (the UNet's GroupNorm32 uses 1e-5).
  return torch::nn::GroupNorm(torch::nn::GroupNormOptions(32, channels).eps(1e-6));
}

torch::nn::Conv2d conv(int64_t in, int64_t out, int64_t k, int64_t stride = 1, int64_t padding = 0) {
  return torch::nn::Conv2d(Conv2dOptions(in, out, k).stride(stride).padding(padding));
}

// A Normalize layer applied to activations of any precision. Half-precision activations (train/datagen/
// infer precision bf16 or fp16) are normalised in float32: LibTorch 1.13's CPU GroupNorm is wrong for bf16
// channels-last input (relative error 0.28 against float32, measured; 0.005 in NCHW), and a float32 norm
// is what the UNet's GroupNorm32 does for range anyway.
torch::Tensor group_norm(torch::nn::GroupNorm& norm, const torch::Tensor& x) {
  if (x.scalar_type() == at::kFloat) return norm->forward(x);
  const auto& o = norm->options;
  return torch::group_norm(x.to(at::kFloat), o.num_groups(), norm->weight.to(at::kFloat), norm->bias.to(at::kFloat),
                           o.eps())
      .to(x.scalar_type());
}

torch::Tensor silu_inplace(torch::Tensor t) { return torch::silu_(t); }

// Attention weights computed at once (elements, 4 bytes each): 8 MB, cache-sized.
constexpr int64_t kChunkElements = int64_t{1} << 21;
// Distance rows per quantisation chunk: 256 x 8192 distances = 8 MB, small enough to stay in cache
// between the addmm that writes them and the argmin that reads them.
constexpr int64_t kQuantizeRows = 256;

}  // namespace

ResnetBlockImpl::ResnetBlockImpl(int64_t in_channels, int64_t out_channels, double p) {
  norm1 = register_module("norm1", normalize(in_channels));
  conv1 = register_module("conv1", conv(in_channels, out_channels, 3, 1, 1));
  norm2 = register_module("norm2", normalize(out_channels));
  dropout = register_module("dropout", torch::nn::Dropout(p));
  conv2 = register_module("conv2", conv(out_channels, out_channels, 3, 1, 1));
  if (in_channels != out_channels) nin_shortcut = register_module("nin_shortcut", conv(in_channels, out_channels, 1));
}

// The autoencoder is frozen and always runs without autograd (as in the reference), so activations are
// updated in place: at 256x256x128 every avoided temporary saves a 32 MB allocation and its page faults.
// In-place and out-of-place give identical values (x + h == h + x in IEEE arithmetic).
torch::Tensor ResnetBlockImpl::forward(const torch::Tensor& x) {
  auto h = conv3x3(conv1, silu_inplace(group_norm(norm1, x)));
  h = conv3x3(conv2, dropout->forward(silu_inplace(group_norm(norm2, h))));
  return h.add_(nin_shortcut ? conv1x1(nin_shortcut, x) : x);
}

AttnBlockImpl::AttnBlockImpl(int64_t channels) {
  norm = register_module("norm", normalize(channels));
  q = register_module("q", conv(channels, channels, 1));
  k = register_module("k", conv(channels, channels, 1));
  v = register_module("v", conv(channels, channels, 1));
  proj_out = register_module("proj_out", conv(channels, channels, 1));
}

torch::Tensor AttnBlockImpl::forward(const torch::Tensor& x) {
  auto h = group_norm(norm, x);
  const int64_t b = x.size(0), c = x.size(1), hw = x.size(2) * x.size(3);
  // Token-major [b, hw, c] views of the 1x1 convs' outputs: free for channels-last ones (the decoder's).
  const auto tokens = [&](const torch::nn::Conv2d& conv) {
    return conv1x1(conv, h).permute({0, 2, 3, 1}).reshape({b, hw, c}).contiguous();
  };
  auto qs = tokens(q);                                       // [b, hw, c]
  auto ks = conv1x1(k, h).reshape({b, c, hw}).contiguous();  // [b, c, hw]
  const double scale = std::pow(static_cast<double>(c), -0.5);
  // softmax((q k) * c^-0.5) row by row, in chunks of query positions: rows do not depend on each other, and
  // a chunk of kChunkElements weights stays in cache between the bmm, the scaling and the softmax.
  const int64_t rows = std::min(hw, std::max<int64_t>(1, kChunkElements / std::max<int64_t>(1, b * hw)));
  if (at::GradMode::is_enabled()) {
    // Differentiable form (gradients through the frozen autoencoder, e.g. in tests).
    auto vs = conv1x1(v, h).reshape({b, c, hw});  // [b, c, hw]
    std::vector<at::Tensor> parts;
    for (int64_t s = 0; s < hw; s += rows) {
      auto w = torch::softmax(torch::bmm(qs.narrow(1, s, std::min(rows, hw - s)), ks) * scale, 2);
      parts.push_back(torch::bmm(vs, w.permute({0, 2, 1})));
    }
    return conv1x1(proj_out, torch::cat(parts, 2).reshape(x.sizes())).add_(x);
  }
  // Inference: one reused buffer, everything in place (fresh multi-MB buffers cost more in page faults than the
  // arithmetic), and every matmul operand contiguous as it is read. oneDNN's bf16 matmul copies a strided
  // operand on every call: ks and vs as strided views of the channels-last convs cost 12.7 of 48 s of a 512-px
  // encode + decode in bf16 (they were copied once per chunk); OpenBLAS (fp32) reads them either way.
  auto vs = tokens(v);  // [b, hw, c]
  at::Tensor out = at::empty({b, hw, c}, vs.options());
  at::Tensor buffer = at::empty({b * rows * hw}, vs.options());
  for (int64_t s = 0; s < hw; s += rows) {
    const int64_t n = std::min(rows, hw - s);
    at::Tensor w = buffer.narrow(0, 0, b * n * hw).view({b, n, hw});
    at::bmm_out(w, qs.narrow(1, s, n), ks);
    w.mul_(scale);
    at::_softmax_out(w, w, 2, /*half_to_float=*/false);
    at::Tensor block = out.narrow(1, s, n);  // contiguous for one image: written in place
    if (b == 1)
      at::bmm_out(block, w, vs);
    else
      block.copy_(at::bmm(w, vs));
  }
  // [b, hw, c] is [b, c, H, W] in channels-last: no copy before the projection.
  auto y = out.view({b, x.size(2), x.size(3), c}).permute({0, 3, 1, 2});
  return conv1x1(proj_out, y).add_(x);
}

DownsampleImpl::DownsampleImpl(int64_t channels) {
  conv = register_module("conv", vq::conv(channels, channels, 3, 2, 0));
}

torch::Tensor DownsampleImpl::forward(const torch::Tensor& x) {
  return conv->forward(F::pad(x, F::PadFuncOptions({0, 1, 0, 1}).mode(torch::kConstant).value(0)));
}

UpsampleImpl::UpsampleImpl(int64_t channels) { conv = register_module("conv", vq::conv(channels, channels, 3, 1, 1)); }

torch::Tensor UpsampleImpl::forward(const torch::Tensor& x) {
  return conv3x3(
      conv,
      F::interpolate(x, F::InterpolateFuncOptions().scale_factor(std::vector<double>{2.0, 2.0}).mode(torch::kNearest)));
}

LevelImpl::LevelImpl() {
  block = register_module("block", torch::nn::ModuleList());
  attn = register_module("attn", torch::nn::ModuleList());
}

torch::Tensor LevelImpl::forward(torch::Tensor h) {
  for (size_t i = 0; i < block->size(); ++i) {
    h = block[i]->as<ResnetBlockImpl>()->forward(h);
    if (i < attn->size()) h = attn[i]->as<AttnBlockImpl>()->forward(h);
  }
  if (downsample) h = downsample->forward(h);
  if (upsample) h = upsample->forward(h);
  return h;
}

MidImpl::MidImpl(int64_t channels, double dropout) {
  block_1 = register_module("block_1", ResnetBlock(channels, channels, dropout));
  attn_1 = register_module("attn_1", AttnBlock(channels));
  block_2 = register_module("block_2", ResnetBlock(channels, channels, dropout));
}

torch::Tensor MidImpl::forward(const torch::Tensor& x) {
  return block_2->forward(attn_1->forward(block_1->forward(x)));
}

EncoderImpl::EncoderImpl(const VQConfig& c) {
  const int64_t levels = static_cast<int64_t>(c.ch_mult.size());
  conv_in = register_module("conv_in", conv(c.in_channels, c.ch, 3, 1, 1));
  down = register_module("down", torch::nn::ModuleList());
  int64_t resolution = c.resolution, block_in = c.ch;
  for (int64_t i = 0; i < levels; ++i) {
    Level level;
    block_in = c.ch * (i == 0 ? 1 : c.ch_mult[i - 1]);
    const int64_t block_out = c.ch * c.ch_mult[i];
    for (int64_t j = 0; j < c.num_res_blocks; ++j) {
      level->block->push_back(ResnetBlock(block_in, block_out, c.dropout));
      block_in = block_out;
      if (std::count(c.attn_resolutions.begin(), c.attn_resolutions.end(), resolution))
        level->attn->push_back(AttnBlock(block_in));
    }
    if (i != levels - 1) {
      level->downsample = level->register_module("downsample", Downsample(block_in));
      resolution /= 2;
    }
    down->push_back(level);
  }
  mid = register_module("mid", Mid(block_in, c.dropout));
  norm_out = register_module("norm_out", normalize(block_in));
  conv_out = register_module("conv_out", conv(block_in, c.z_channels, 3, 1, 1));
}

torch::Tensor EncoderImpl::forward(const torch::Tensor& x) {
  auto h = conv_in->forward(x);
  for (const auto& level : *down) h = level->as<LevelImpl>()->forward(h);
  h = mid->forward(h);
  return conv3x3(conv_out, silu_inplace(group_norm(norm_out, h)));
}

DecoderImpl::DecoderImpl(const VQConfig& c) {
  const int64_t levels = static_cast<int64_t>(c.ch_mult.size());
  int64_t block_in = c.ch * c.ch_mult.back();
  int64_t resolution = c.resolution >> (levels - 1);
  conv_in = register_module("conv_in", conv(c.z_channels, block_in, 3, 1, 1));
  mid = register_module("mid", Mid(block_in, c.dropout));
  std::vector<Level> built(static_cast<size_t>(levels), Level(nullptr));
  for (int64_t i = levels - 1; i >= 0; --i) {
    Level level;
    const int64_t block_out = c.ch * c.ch_mult[i];
    for (int64_t j = 0; j <= c.num_res_blocks; ++j) {
      level->block->push_back(ResnetBlock(block_in, block_out, c.dropout));
      block_in = block_out;
      if (std::count(c.attn_resolutions.begin(), c.attn_resolutions.end(), resolution))
        level->attn->push_back(AttnBlock(block_in));
    }
    if (i != 0) {
      level->upsample = level->register_module("upsample", Upsample(block_in));
      resolution *= 2;
    }
    built[static_cast<size_t>(i)] = level;
  }
  up = register_module("up", torch::nn::ModuleList());
  for (const Level& level : built) up->push_back(level);
  norm_out = register_module("norm_out", normalize(block_in));
  conv_out = register_module("conv_out", conv(block_in, c.out_ch, 3, 1, 1));
}

torch::Tensor DecoderImpl::forward(const torch::Tensor& z) {
  auto h = mid->forward(conv_in->forward(z));
  for (size_t i = up->size(); i-- > 0;) h = up[i]->as<LevelImpl>()->forward(h);
  return conv3x3(conv_out, silu_inplace(group_norm(norm_out, h)));
}

VectorQuantizerImpl::VectorQuantizerImpl(int64_t n_embed, int64_t embed_dim) {
  embedding = register_module("embedding", torch::nn::Embedding(n_embed, embed_dim));
}

Quantized VectorQuantizerImpl::forward(const torch::Tensor& z_nchw) {
  auto z = z_nchw.permute({0, 2, 3, 1}).contiguous();
  auto flat = z.view({-1, z.size(3)});
  const auto& e = embedding->weight;
  auto e_sq = torch::sum(e * e, 1);
  // Nearest codebook entry with the reference's expression, |z|^2 + |e|^2 - 2 z.e, and argmin's
  // first-index tie rule. Rows are independent, so they are done in bounded chunks.
  const int64_t n = flat.size(0);
  const int64_t rows = kQuantizeRows;
  auto indices = torch::empty({n}, torch::kLong);
  for (int64_t s = 0; s < n; s += rows) {
    auto part = flat.narrow(0, s, std::min(rows, n - s));
    // addmm computes (|z|^2 + |e|^2) + (-2) z.e^T in one pass; scaling by -2 is exact, so the result
    // equals the reference's (|z|^2 + |e|^2) - 2 (z.e^T).
    auto d = torch::addmm(torch::sum(part * part, 1, true) + e_sq, part, e.t(), 1.0, -2.0);
    indices.narrow(0, s, part.size(0)).copy_(torch::argmin(d, 1));
  }
  auto z_q = e.index_select(0, indices.to(e.device())).view(z.sizes());
  z_q = z + (z_q - z).detach();
  return {z_q.permute({0, 3, 1, 2}).contiguous(), indices.view({z.size(0), z.size(1), z.size(2)})};
}

}  // namespace sinsr::nn::vq

namespace sinsr::nn {

VQModelTorchImpl::VQModelTorchImpl(const VQConfig& cfg) : cfg_(cfg) {
  cfg_.validate();
  encoder = register_module("encoder", vq::Encoder(cfg));
  decoder = register_module("decoder", vq::Decoder(cfg));
  quantize = register_module("quantize", vq::VectorQuantizer(cfg.n_embed, cfg.embed_dim));
  quant_conv =
      register_module("quant_conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(cfg.z_channels, cfg.embed_dim, 1)));
  post_quant_conv =
      register_module("post_quant_conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(cfg.embed_dim, cfg.z_channels, 1)));
  // Channels-last (NHWC) for every conv: oneDNN runs them natively in that layout, 2x faster than NCHW at
  // these channel counts (loading weights with copy_ keeps the layout). Same values either way.
  torch::NoGradGuard no_grad;
  for (auto& p : parameters())
    if (p.dim() == 4) p.set_data(p.contiguous(at::MemoryFormat::ChannelsLast));
}

void VQModelTorchImpl::set_precision(Precision p) {
  dtype_ = first_stage_dtype(p, parameters().front().device());
  to(dtype_);
}

torch::Tensor VQModelTorchImpl::encode(const torch::Tensor& x) {
  const auto in = x.to(dtype_).contiguous(at::MemoryFormat::ChannelsLast);
  return conv1x1(quant_conv, encoder->forward(in)).contiguous().to(at::kFloat);
}

torch::Tensor VQModelTorchImpl::decode(const torch::Tensor& h, bool force_not_quantize) {
  const auto in = h.to(dtype_);
  auto quant = force_not_quantize ? in : quantize->forward(in).z_q;
  return decoder->forward(conv1x1(post_quant_conv, quant.contiguous(at::MemoryFormat::ChannelsLast)))
      .contiguous()
      .to(at::kFloat);
}

}  // namespace sinsr::nn
