// The ResShift/SinSR eta schedule (docs/method.md §3.1) and every array derived from it, in float64 exactly as
// numpy computes them in the reference. Lookups cast to float32 at the point of use, like the reference's
// _extract_into_tensor; the DDIM coefficients k, m, j are computed in float32 from those casts.
#pragma once
#include <cstdint>
#include <vector>

#include "core/diffusion/diffusion_config.h"

namespace sinsr {

struct EtaSchedule {
  explicit EtaSchedule(const DiffusionConfig& cfg);

  int64_t num_timesteps = 0;
  double kappa = 0;
  std::vector<double> sqrt_etas, etas, etas_prev, alpha;
  std::vector<double> posterior_variance, posterior_variance_clipped, posterior_log_variance_clipped;
  std::vector<double> posterior_mean_coef1, posterior_mean_coef2;
  std::vector<double> etas_prev_clipped, ddim_coef1, ddim_coef2, weight_loss_mse;
  std::vector<double> k_t, m_t, j_t;  // deterministic sampler, float64
  // As the reference computes them at run time (float32 tensor ops on float32-cast coefficients).
  std::vector<float> k_t_f32, m_t_f32, j_t_f32;
  std::vector<float> posterior_std_f32;  // exp(0.5 * log_variance_clipped)
  std::vector<float> input_std_f32;      // sqrt(eta_t * kappa^2 + 1): the UNet input is x_t / this
  float prior_std_f32 = 0;               // kappa * sqrt(eta_{T-1})
};

}  // namespace sinsr
