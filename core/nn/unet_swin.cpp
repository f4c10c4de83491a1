#include "core/nn/unet_swin.h"

#include <torch/nn/functional/upsampling.h>

#include <algorithm>

#include "core/nn/swin.h"

namespace sinsr::nn {

namespace {

bool contains(const std::vector<int64_t>& v, int64_t x) { return std::find(v.begin(), v.end(), x) != v.end(); }

}  // namespace

UNetModelSwinImpl::UNetModelSwinImpl(const UNetConfig& cfg) : cfg_(cfg) {
  cfg_.validate();
  const int64_t mc = cfg.model_channels, emb_dim = mc * 4;
  time_embed = register_module("time_embed", torch::nn::Sequential(torch::nn::Linear(mc, emb_dim), torch::nn::SiLU(),
                                                                   torch::nn::Linear(emb_dim, emb_dim)));

  auto res_block = [&](int64_t in, int64_t out, bool up = false, bool down = false) {
    return ResBlock(ResBlockOptions{in, emb_dim, out, cfg.dropout, cfg.use_scale_shift_norm, up, down});
  };
  auto swin_layer = [&](int64_t channels, int64_t resolution) {
    return BasicLayer(BasicLayerOptions{channels, cfg.swin_embed_dim, cfg.swin_heads(), cfg.window_size, cfg.swin_depth,
                                        resolution, cfg.mlp_ratio, cfg.patch_norm});
  };

  // Registration order = the reference's state_dict order: input_blocks, middle_block, output_blocks, out.
  input_blocks = register_module("input_blocks", torch::nn::ModuleList());

  int64_t ch = cfg.channel_mult[0] * mc;
  const int64_t input_ch = ch;
  {
    TimestepEmbedSequential first;
    first->append(torch::nn::Conv2d(torch::nn::Conv2dOptions(cfg.in_channels, ch, 3).padding(1)));
    input_blocks->push_back(first);
  }
  std::vector<int64_t> input_block_chans{ch};
  int64_t ds = cfg.image_size;
  const size_t levels = cfg.channel_mult.size();
  for (size_t level = 0; level < levels; ++level) {
    for (int64_t jj = 0; jj < cfg.num_res_blocks[level]; ++jj) {
      TimestepEmbedSequential layers;
      const int64_t out_ch = cfg.channel_mult[level] * mc;
      layers->append(res_block(ch, out_ch));
      ch = out_ch;
      // A Swin layer follows only the first ResBlock of a level that is in attention_resolutions.
      if (jj == 0 && contains(cfg.attention_resolutions, ds)) layers->append(swin_layer(ch, ds));
      input_blocks->push_back(layers);
      input_block_chans.push_back(ch);
    }
    if (level + 1 != levels) {
      TimestepEmbedSequential down;
      if (cfg.resblock_updown)
        down->append(res_block(ch, ch, false, true));
      else
        down->append(Downsample(ch, cfg.conv_resample));
      input_blocks->push_back(down);
      input_block_chans.push_back(ch);
      ds /= 2;
    }
  }

  middle_block = register_module("middle_block", TimestepEmbedSequential());
  middle_block->append(res_block(ch, ch));
  middle_block->append(swin_layer(ch, ds));  // always present, whatever attention_resolutions says
  middle_block->append(res_block(ch, ch));

  output_blocks = register_module("output_blocks", torch::nn::ModuleList());
  for (size_t level = levels; level-- > 0;) {
    for (int64_t i = 0; i <= cfg.num_res_blocks[level]; ++i) {
      const int64_t ich = input_block_chans.back();
      input_block_chans.pop_back();
      TimestepEmbedSequential layers;
      const int64_t out_ch = cfg.channel_mult[level] * mc;
      layers->append(res_block(ch + ich, out_ch));
      ch = out_ch;
      if (i == 0 && contains(cfg.attention_resolutions, ds)) layers->append(swin_layer(ch, ds));
      if (level > 0 && i == cfg.num_res_blocks[level]) {
        if (cfg.resblock_updown)
          layers->append(res_block(ch, ch, true, false));
        else
          layers->append(Upsample(ch, cfg.conv_resample));
        ds *= 2;
      }
      output_blocks->push_back(layers);
    }
  }

  out = register_module(
      "out",
      torch::nn::Sequential(GroupNorm32(ch), torch::nn::SiLU(),
                            torch::nn::Conv2d(torch::nn::Conv2dOptions(input_ch, cfg.out_channels, 3).padding(1))));
}

void UNetModelSwinImpl::set_inference_precision(Precision p) {
  set_precision(p);
  if (p == Precision::Fp32) return;
  const auto dtype = autocast_dtype(p);
  torch::NoGradGuard no_grad;
  // Weights only: a linear layer on a 3-D input adds its bias after the matmul, in float32 when the bias is
  // float32, so a rounded bias would change results; conv biases are tiny and cast per call at no cost.
  for (const auto& m : modules(/*include_self=*/false)) {
    if (auto* conv = m->as<torch::nn::Conv2dImpl>()) conv->weight.set_data(conv->weight.to(dtype));
    if (auto* linear = m->as<torch::nn::LinearImpl>()) linear->weight.set_data(linear->weight.to(dtype));
  }
}

torch::Tensor UNetModelSwinImpl::forward(const torch::Tensor& x, const torch::Tensor& timesteps,
                                         const torch::Tensor& lq) {
  if (precision_ == Precision::Fp32) return compute(x, timesteps, lq);
  Autocast autocast(x.device(), precision_);
  return compute(x, timesteps, lq).to(at::kFloat);
}

torch::Tensor UNetModelSwinImpl::compute(const torch::Tensor& x, const torch::Tensor& timesteps,
                                         const torch::Tensor& lq_in) {
  auto emb = time_embed->forward(timestep_embedding(timesteps, cfg_.model_channels));
  torch::Tensor h = x;
  if (lq_in.defined()) {
    TORCH_CHECK(cfg_.cond_lq, "this UNet was built with cond_lq=false but was given an LQ image");
    torch::Tensor lq = lq_in;
    // The reference's resizing rule for LQ sizes different from the latent (e.g. x2 latent models): a larger
    // LQ is pixel-unshuffled by 2; a smaller one is nearest-upsampled, in the reference by a fixed x4 (the
    // pixel-space x4 case), here to the state's size: identical for x4 (nearest picks pixel floor(i / 4)
    // either way), and it makes pixel-space x2 models work, where x4 would overshoot.
    if (lq.size(2) != x.size(2) || lq.size(3) != x.size(3)) {
      if (lq.size(2) > x.size(2))
        lq = torch::pixel_unshuffle(lq, 2);
      else
        lq = torch::nn::functional::interpolate(lq, torch::nn::functional::InterpolateFuncOptions()
                                                        .size(std::vector<int64_t>{x.size(2), x.size(3)})
                                                        .mode(torch::kNearest));
    }
    TORCH_CHECK(lq.size(2) == x.size(2) && lq.size(3) == x.size(3), "the LQ image (", lq_in.size(2), "x", lq_in.size(3),
                ") does not fit the diffusion state (", x.size(2), "x", x.size(3),
                "): diffusion.sf and the autoencoder's downsampling do not match this model (it takes an LQ of the "
                "state's size, twice it, or smaller)");
    h = torch::cat({x, lq}, 1);
  }
  std::vector<torch::Tensor> hs;
  hs.reserve(input_blocks->size());
  for (const auto& m : *input_blocks) {
    h = m->as<TimestepEmbedSequentialImpl>()->forward(h, emb);
    hs.push_back(h);
  }
  h = middle_block->forward(h, emb);
  for (const auto& m : *output_blocks) {
    h = m->as<TimestepEmbedSequentialImpl>()->forward(torch::cat({h, hs.back()}, 1), emb);
    hs.pop_back();
  }
  return out->forward(h);
}

}  // namespace sinsr::nn
