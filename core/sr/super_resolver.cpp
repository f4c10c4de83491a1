#include "core/sr/super_resolver.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>
#include <torch/nn/functional/padding.h>

#include <chrono>
#include <numeric>

#include "core/diffusion/first_stage.h"
#include "core/dist/device_memory.h"
#include "core/nn/parameter_bytes.h"
#include "core/util/errors.h"
#include "core/util/rng.h"
#include "core/util/stopwatch.h"

namespace sinsr::sr {

namespace {

at::Tensor pad_axis(const at::Tensor& x, int64_t pad, int dim) {
  namespace F = torch::nn::functional;
  at::Tensor y = x;
  while (pad > 0) {
    const int64_t size = y.size(dim);
    const int64_t step = size > 1 ? std::min(pad, size - 1) : pad;
    std::vector<int64_t> p = dim == 3 ? std::vector<int64_t>{0, step, 0, 0} : std::vector<int64_t>{0, 0, 0, step};
    auto options = F::PadFuncOptions(p);
    if (size > 1)
      options.mode(torch::kReflect);
    else
      options.mode(torch::kReplicate);
    y = F::pad(y, options);
    pad -= step;
  }
  return y;
}

// Peak memory of one image, measured on the CPU with the paper's networks (fp32, 1 and 2 threads, bench_infer, one
// tile per image; README "Tile memory"). LibTorch's direct convolutions: 1.52-1.64 GB at 64^2 LQ, 3.42-3.68 GB
// at 128^2, 10.0 GB at 256^2; Winograd's (core/nn/conv3x3.h; in bands, so less at large tiles): 1.52-1.75,
// 2.86-3.15 and 7.9 GB. Modelled as the weights (counted: 696 MB) + 400 MB of runtime + 176 KB per LQ pixel of
// the tile: 1.82, 4.00 and 12.7 GB, at or above every measurement (a budget is a limit, so the model errs
// high). The per-pixel part is the decoder's activations at the output resolution, so it is kept per
// channel-value there (the paper's 128 channels x 4^2 output pixels per LQ pixel) and scales with other
// networks. On a GPU, and in bf16, the model is an overestimate: the caching allocator's peak holds no runtime,
// half precision halves the activations.
constexpr double kBytesPerActivation = 176e3 / (128 * 16);
constexpr double kRuntimeBytes = 400e6;

TileMemoryModel estimate_memory(const nn::UNetModelSwin& unet, const FirstStage& first_stage, int64_t sf) {
  const int64_t weights = first_stage.parameter_bytes() + nn::parameter_bytes(*unet);
  // Pixel space: the UNet runs at the output resolution, with its first level's channels.
  const int64_t channels = first_stage.is_latent()
                               ? first_stage.image_resolution_channels()
                               : unet->config().model_channels * unet->config().channel_mult.front();
  TileMemoryModel m;
  m.fixed_bytes = kRuntimeBytes + static_cast<double>(weights);
  m.bytes_per_tile_pixel = kBytesPerActivation * static_cast<double>(channels * sf * sf);
  // The whole image's blend accumulators (4 floats per output pixel) and the output's few temporaries.
  m.bytes_per_image_pixel = 16.0 * 4 * static_cast<double>(sf * sf);
  return m;
}

}  // namespace

at::Tensor pad_reflect(const at::Tensor& x, int64_t pad_bottom, int64_t pad_right) {
  return pad_axis(pad_axis(x, pad_right, 3), pad_bottom, 2);
}

SuperResolver::SuperResolver(nn::UNetModelSwin unet, const Diffusion& diffusion, const SuperResolveOptions& options)
    : unet_(std::move(unet)), diffusion_(diffusion), options_(options) {
  const int64_t T = diffusion_.schedule().num_timesteps;
  if (options_.steps != 1 && options_.steps != T)
    throw UsageError("steps must be 1 (one network call, SinSR) or " + std::to_string(T) +
                     " (the full chain = [diffusion] steps); got " + std::to_string(options_.steps));
  if (options_.chop_size < 0 ||
      (options_.chop_size > 0 && (options_.chop_stride <= 0 || options_.chop_stride > options_.chop_size)))
    throw UsageError("need 0 < chop stride <= chop size (got size " + std::to_string(options_.chop_size) + ", stride " +
                     std::to_string(options_.chop_stride) + ")");
  if (options_.max_memory < 0) throw UsageError("the memory budget must be positive");
  // Latent multiple for the UNet: 8x8 windows (or the configured size) at the coarsest of its levels.
  const auto& u = unet_->config();
  const int64_t latent_multiple = u.window_size << (u.channel_mult.size() - 1);
  const int64_t vq_down = diffusion_.first_stage().downsample_factor();  // pixel space: 1
  const int64_t sf = diffusion_.config().sf;
  // m LQ pixels -> m*sf image pixels -> m*sf/vq_down latent pixels, which must be a multiple of latent_multiple.
  const int64_t need = vq_down * latent_multiple;
  pad_multiple_ = need / std::gcd(sf, need);
  memory_model_ = estimate_memory(unet_, diffusion_.first_stage(), sf);
  if (options_.max_memory == 0) {
    const auto device = unet_->parameters().front().device();
    options_.max_memory = dist::total_memory_bytes(device) * default_budget_fraction(device);
  }
  unet_->eval();
  // Captures copies of the handles, not `this`: a SuperResolver may be moved after construction.
  sampler_ = std::make_shared<nn::GraphedComputation>(
      "infer sampler", [unet = unet_, diffusion = diffusion_,
                        one_step = options_.steps == 1](const std::vector<at::Tensor>& in) mutable {
        const Denoiser model = [&](const at::Tensor& x, const at::Tensor& t, const at::Tensor& lq) {
          return unet->forward(x, t, lq);
        };
        return one_step ? diffusion.predict_one_step(model, in[0], in[2])
                        : diffusion.sample_deterministic(model, in[0], in[1], in[2]).sample;
      });
}

at::Tensor SuperResolver::sample_tile(const at::Tensor& y, at::Generator& gen) {
  const int64_t h = y.size(2), w = y.size(3), m = pad_multiple_, sf = scale();
  const at::Tensor yp = pad_reflect(y, (m - h % m) % m, (m - w % m) % m);

  auto t0 = Clock::now();
  const at::Tensor z_y = diffusion_.encode_first_stage(yp, /*up_sample=*/true);
  times_.encode += seconds_since(t0);

  auto randn = [&](const at::Tensor& like) { return at::randn(like.sizes(), gen, at::kFloat).to(like.device()); };
  const at::Tensor x_T = diffusion_.prior_sample(z_y, randn(z_y));
  const Denoiser model = [&](const at::Tensor& x, const at::Tensor& t, const at::Tensor& lq) {
    return unet_->forward(x, t, lq);
  };
  t0 = Clock::now();
  at::Tensor z0;
  if (options_.steps == 1 || options_.sampler == SamplerKind::Deterministic)
    z0 = (*sampler_)({x_T, z_y, yp});
  else  // draws noise at every step: not a graph
    z0 = diffusion_.sample_stochastic(model, x_T, yp, [&](int64_t) { return randn(x_T); }).sample;
  times_.unet += seconds_since(t0);

  t0 = Clock::now();
  at::Tensor img = diffusion_.decode_first_stage(z0);
  times_.decode += seconds_since(t0);
  return img.narrow(2, 0, h * sf).narrow(3, 0, w * sf).clamp(-1, 1);
}

TilePlan SuperResolver::tile_plan(int64_t height, int64_t width) const {
  if (options_.chop_size > 0) return {options_.chop_size, options_.chop_stride, true};
  return plan_tiles(height, width, pad_multiple_, options_.max_memory, memory_model_);
}

at::Tensor SuperResolver::upscale(const at::Tensor& lq, uint64_t noise_seed) {
  c10::InferenceMode inference;
  const int64_t H = lq.size(1), W = lq.size(2), sf = scale();
  const auto device = unet_->parameters().front().device();
  const at::Tensor y = (lq.to(device, at::kFloat) * 2 - 1).unsqueeze(0);
  at::Generator gen = make_generator(noise_seed);

  const TilePlan plan = tile_plan(H, W);
  const int64_t P = plan.size, S = plan.stride;
  const auto rows = tile_starts(H, P, S), cols = tile_starts(W, P, S);
  if (rows.size() == 1 && cols.size() == 1) return (sample_tile(y, gen)[0] * 0.5 + 0.5).clamp(0, 1).to(at::kCPU);

  at::Tensor acc = at::zeros({3, H * sf, W * sf}, y.options());
  at::Tensor weight = at::zeros({1, H * sf, W * sf}, y.options());
  for (int64_t r : rows)
    for (int64_t c : cols) {
      const int64_t th = std::min(P, H - r), tw = std::min(P, W - c);
      const at::Tensor out = sample_tile(y.narrow(2, r, th).narrow(3, c, tw), gen)[0];
      const at::Tensor wt =
          blend_weights(options_.blend, r * sf, c * sf, th * sf, tw * sf, H * sf, W * sf, (P - S) * sf)
              .to(device)
              .unsqueeze(0);
      acc.narrow(1, r * sf, th * sf).narrow(2, c * sf, tw * sf).add_(out * wt);
      weight.narrow(1, r * sf, th * sf).narrow(2, c * sf, tw * sf).add_(wt);
    }
  return (acc / weight * 0.5 + 0.5).clamp(0, 1).to(at::kCPU);
}

}  // namespace sinsr::sr
