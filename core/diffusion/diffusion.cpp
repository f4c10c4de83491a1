#include "core/diffusion/diffusion.h"

#include <ATen/ATen.h>

#include <stdexcept>
#include <string>

#include "core/nn/resize.h"

namespace sinsr {

namespace {
// Schedule values are float64; the reference casts each to float32 where it is used.
double f32(double v) { return static_cast<double>(static_cast<float>(v)); }
}  // namespace

Diffusion::Diffusion(const DiffusionConfig& cfg)
    : Diffusion(cfg, cfg.latent_flag ? FirstStage::latent_only() : FirstStage::identity()) {}

Diffusion::Diffusion(const DiffusionConfig& cfg, FirstStage first_stage)
    : cfg_(cfg), schedule_(cfg), first_stage_(std::move(first_stage)) {
  if (first_stage_.is_latent() != cfg_.latent_flag)
    throw std::invalid_argument(std::string("a ") + (cfg_.latent_flag ? "latent" : "pixel") +
                                "-space diffusion (diffusion.latent_flag) given a first stage of the other space");
}

at::Tensor Diffusion::timesteps_like(const at::Tensor& x, int64_t t) const {
  return at::full({x.size(0)}, t, at::TensorOptions().dtype(at::kLong).device(x.device()));
}

at::Tensor Diffusion::scale_input(const at::Tensor& x_t, int64_t t) const {
  if (!cfg_.normalize_input) return x_t;
  const auto i = static_cast<size_t>(t);
  if (cfg_.latent_flag) return x_t / static_cast<double>(schedule_.input_std_f32[i]);
  // Pixel-space models: x / (3 kappa sqrt(eta_t) + 1), the float32 ops of the reference.
  const float max = static_cast<float>(schedule_.sqrt_etas[i]) * static_cast<float>(cfg_.kappa) * 3.0f + 1.0f;
  return x_t / static_cast<double>(max);
}

at::Tensor Diffusion::q_sample(const at::Tensor& z0, const at::Tensor& z_y, int64_t t, const at::Tensor& noise) const {
  const auto i = static_cast<size_t>(t);
  return f32(schedule_.etas[i]) * (z_y - z0) + z0 + f32(schedule_.sqrt_etas[i] * cfg_.kappa) * noise;
}

at::Tensor Diffusion::prior_sample(const at::Tensor& z_y, const at::Tensor& noise) const {
  return z_y + static_cast<double>(schedule_.prior_std_f32) * noise;
}

at::Tensor Diffusion::encode_first_stage(const at::Tensor& image, bool up_sample) const {
  at::NoGradGuard no_grad;
  const at::Tensor y = up_sample ? nn::upsample_bicubic(image, cfg_.sf) : image;
  return first_stage_.is_latent() ? first_stage_.encode(y) * cfg_.scale_factor : y;
}

at::Tensor Diffusion::decode_first_stage(const at::Tensor& z) const {
  return first_stage_.is_latent() ? first_stage_.decode(1.0 / cfg_.scale_factor * z) : z;
}

at::Tensor Diffusion::denoise(const Denoiser& model, const at::Tensor& x_t, int64_t t, const at::Tensor& lq) const {
  at::Tensor x0 = model(scale_input(x_t, t), timesteps_like(x_t, t), lq);
  return cfg_.latent_flag ? x0 : x0.clamp(-1, 1);
}

Trajectory Diffusion::sample_deterministic(const Denoiser& model, const at::Tensor& x_T, const at::Tensor& z_y,
                                           const at::Tensor& lq, bool keep) const {
  Trajectory tr;
  at::Tensor z = x_T;
  if (keep) tr.x_t.push_back(z);
  for (int64_t t = last_timestep(); t >= 0; --t) {
    const auto i = static_cast<size_t>(t);
    at::Tensor x0 = denoise(model, z, t, lq);
    // pred*k + m*z + j*z_y, in this order (ddim_sample); at t = 0 k = 1, m = j = 0, so the result is x0.
    z = x0 * static_cast<double>(schedule_.k_t_f32[i]) + static_cast<double>(schedule_.m_t_f32[i]) * z +
        static_cast<double>(schedule_.j_t_f32[i]) * z_y;
    if (keep) {
      tr.pred_x0.push_back(x0);
      tr.x_t.push_back(z);
    }
  }
  tr.sample = z;
  return tr;
}

Trajectory Diffusion::sample_stochastic(const Denoiser& model, const at::Tensor& x_T, const at::Tensor& lq,
                                        const StepNoise& noise, bool keep) const {
  Trajectory tr;
  at::Tensor z = x_T;
  if (keep) tr.x_t.push_back(z);
  for (int64_t t = last_timestep(); t >= 0; --t) {
    const auto i = static_cast<size_t>(t);
    at::Tensor x0 = denoise(model, z, t, lq);
    at::Tensor mean = f32(schedule_.posterior_mean_coef1[i]) * z + f32(schedule_.posterior_mean_coef2[i]) * x0;
    // The reference draws the noise at every step, t = 0 included (where it is multiplied by zero).
    at::Tensor eps = noise(t);
    z = t == 0 ? mean : mean + static_cast<double>(schedule_.posterior_std_f32[i]) * eps;
    if (keep) {
      tr.pred_x0.push_back(x0);
      tr.mean.push_back(mean);
      tr.x_t.push_back(z);
    }
  }
  tr.sample = z;
  return tr;
}

}  // namespace sinsr
