// ResShift's residual-shifting diffusion and SinSR's samplers (docs/method.md §3), float32 with the reference's
// operation order so results match it to round-off:
//   q_sample        z_t = z_0 + eta_t (z_y - z_0) + kappa sqrt(eta_t) eps
//   prior_sample    x_T = z_y + kappa sqrt(eta_{T-1}) eps
//   denoise         x0  = model(z_t / sqrt(kappa^2 eta_t + 1), t, lq)
//   deterministic   z_{t-1} = k_t x0 + m_t z_t + j_t z_y         (SinSR's teacher F(x_T, y))
//   stochastic      z_{t-1} = c1_t z_t + c2_t x0 + [t>0] sigma_t eps_t   (ResShift's ancestral sampler)
//   one step        x0 = model(x_T / std_{T-1}, T-1, lq)          (the SinSR student)
#pragma once
#include <ATen/core/Tensor.h>

#include <functional>
#include <vector>

#include "core/diffusion/first_stage.h"
#include "core/diffusion/schedule.h"

namespace sinsr {

// The x0-predicting network: (scaled x_t, int64 timesteps [B], LQ image) -> x0.
using Denoiser =
    std::function<at::Tensor(const at::Tensor& x_scaled, const at::Tensor& timesteps, const at::Tensor& lq)>;
// The standard-normal draw a stochastic step uses at loop timestep t (shape of the latent).
using StepNoise = std::function<at::Tensor(int64_t t)>;

struct Trajectory {
  std::vector<at::Tensor> x_t;      // x_T, then the state after each step (kept only when asked)
  std::vector<at::Tensor> pred_x0;  // the network's prediction at each step (kept only when asked)
  std::vector<at::Tensor> mean;     // stochastic sampler: posterior mean at each step (kept only when asked)
  at::Tensor sample;                // the final latent
};

class Diffusion {
 public:
  // Without a first stage: the identity in pixel space, FirstStage::latent_only() in latent space (sampling
  // latents works; encoding and decoding images does not).
  explicit Diffusion(const DiffusionConfig& cfg);
  // With its first stage, which must be of the config's space (diffusion.latent_flag).
  Diffusion(const DiffusionConfig& cfg, FirstStage first_stage);
  const DiffusionConfig& config() const { return cfg_; }
  const FirstStage& first_stage() const { return first_stage_; }
  const EtaSchedule& schedule() const { return schedule_; }
  int64_t last_timestep() const { return schedule_.num_timesteps - 1; }

  at::Tensor scale_input(const at::Tensor& x_t, int64_t t) const;
  at::Tensor q_sample(const at::Tensor& z0, const at::Tensor& z_y, int64_t t, const at::Tensor& noise) const;
  at::Tensor prior_sample(const at::Tensor& z_y, const at::Tensor& noise) const;

  // encode(bicubic x sf of the LQ) (up_sample) or encode(image), times the latent scale factor; no autograd.
  // Pixel space: the (upsampled) image itself.
  at::Tensor encode_first_stage(const at::Tensor& image, bool up_sample) const;
  // decode (quantising first) of latent / scale factor; not clamped. No autograd. Pixel space: z itself.
  at::Tensor decode_first_stage(const at::Tensor& z) const;

  // x0 prediction of the network at timestep t; clamped to [-1, 1] in pixel space (the reference's
  // clip_denoised = autoencoder is None), never in latent space.
  at::Tensor denoise(const Denoiser& model, const at::Tensor& x_t, int64_t t, const at::Tensor& lq) const;
  at::Tensor predict_one_step(const Denoiser& model, const at::Tensor& x_T, const at::Tensor& lq) const {
    return denoise(model, x_T, last_timestep(), lq);
  }
  Trajectory sample_deterministic(const Denoiser& model, const at::Tensor& x_T, const at::Tensor& z_y,
                                  const at::Tensor& lq, bool keep_trajectory = false) const;
  Trajectory sample_stochastic(const Denoiser& model, const at::Tensor& x_T, const at::Tensor& lq,
                               const StepNoise& noise, bool keep_trajectory = false) const;

 private:
  DiffusionConfig cfg_;
  EtaSchedule schedule_;
  FirstStage first_stage_;
  at::Tensor timesteps_like(const at::Tensor& x, int64_t t) const;
};

}  // namespace sinsr
