#include "core/diffusion/schedule.h"

#include <ATen/ATen.h>

#include <cmath>

namespace sinsr {

EtaSchedule::EtaSchedule(const DiffusionConfig& cfg) : num_timesteps(cfg.steps), kappa(cfg.kappa) {
  const int64_t T = cfg.steps;
  const auto n = static_cast<size_t>(T);
  // get_named_eta_schedule('exponential'): sqrt_eta_t = etas_start * increaser ** ((t/(T-1))**power * (T-1)).
  // SinSR caps etas_start at sqrt(0.001); ResShift does not (equal for the shipped configs).
  const double etas_start = std::min({cfg.min_noise_level / cfg.kappa, cfg.min_noise_level, std::sqrt(0.001)});
  const double increaser = std::exp(1.0 / static_cast<double>(T - 1) * std::log(cfg.etas_end / etas_start));
  sqrt_etas.resize(n);
  for (size_t t = 0; t < n; ++t) {
    // np.linspace(0, 1, T): start + t*step, the last point exactly 1.
    const double lin = t + 1 == n ? 1.0 : static_cast<double>(t) * (1.0 / static_cast<double>(T - 1));
    const double p = std::pow(lin, cfg.power) * static_cast<double>(T - 1);
    sqrt_etas[t] = std::pow(increaser, p) * etas_start;
  }
  etas.resize(n);
  etas_prev.resize(n);
  alpha.resize(n);
  for (size_t t = 0; t < n; ++t) {
    etas[t] = sqrt_etas[t] * sqrt_etas[t];
    etas_prev[t] = t == 0 ? 0.0 : sqrt_etas[t - 1] * sqrt_etas[t - 1];
    alpha[t] = etas[t] - etas_prev[t];
  }
  const double k2 = cfg.kappa * cfg.kappa;
  posterior_variance.resize(n);
  posterior_mean_coef1.resize(n);
  posterior_mean_coef2.resize(n);
  ddim_coef1.resize(n);
  ddim_coef2.resize(n);
  for (size_t t = 0; t < n; ++t) {
    posterior_variance[t] = k2 * etas_prev[t] / etas[t] * alpha[t];
    posterior_mean_coef1[t] = etas_prev[t] / etas[t];
    posterior_mean_coef2[t] = alpha[t] / etas[t];
    ddim_coef1[t] = etas_prev[t] * etas[t];
    ddim_coef2[t] = etas_prev[t] / etas[t];
  }
  posterior_variance_clipped = posterior_variance;
  posterior_variance_clipped[0] = posterior_variance[1];
  etas_prev_clipped = etas_prev;
  etas_prev_clipped[0] = etas_prev[1];
  posterior_log_variance_clipped.resize(n);
  weight_loss_mse.resize(n);
  k_t.resize(n);
  m_t.resize(n);
  j_t.resize(n);
  for (size_t t = 0; t < n; ++t) {
    posterior_log_variance_clipped[t] = std::log(posterior_variance_clipped[t]);
    const double r = alpha[t] / etas[t];
    weight_loss_mse[t] = 0.5 / posterior_variance_clipped[t] * (r * r);  // START_X
    k_t[t] = 1 - etas_prev[t] + std::sqrt(ddim_coef1[t]) - std::sqrt(ddim_coef2[t]);
    m_t[t] = std::sqrt(ddim_coef2[t]);
    j_t[t] = etas_prev[t] - std::sqrt(ddim_coef1[t]);
  }

  // The run-time float32 values, with the reference's op order (p_mean_variance, p_sample, _scale_input).
  auto f32 = [](const std::vector<double>& v) {
    return at::tensor(v, at::TensorOptions().dtype(at::kDouble)).to(at::kFloat);
  };
  auto to_vec = [](const at::Tensor& t) {
    auto c = t.contiguous();
    return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
  };
  // Square roots and + - * one float32 operation at a time in scalar C++: IEEE-exact, so the same bits on every
  // CPU. at::sqrt is not: LibTorch 2.x with MKL computes it through VML, which on an AMD Zen 4 rounded these
  // coefficients up to 8 ulp away from the reference's (ScheduleParity failed there, passed on Intel).
  k_t_f32.resize(n);
  m_t_f32.resize(n);
  j_t_f32.resize(n);
  input_std_f32.resize(n);
  for (size_t t = 0; t < n; ++t) {
    const auto c1 = static_cast<float>(ddim_coef1[t]), c2 = static_cast<float>(ddim_coef2[t]),
               ep = static_cast<float>(etas_prev[t]), e = static_cast<float>(etas[t]);
    k_t_f32[t] = 1.0f - ep + std::sqrt(c1) - std::sqrt(c2);
    m_t_f32[t] = std::sqrt(c2);
    j_t_f32[t] = ep - std::sqrt(c1);
    input_std_f32[t] = std::sqrt(e * static_cast<float>(k2) + 1.0f);
  }
  posterior_std_f32 = to_vec(at::exp(0.5 * f32(posterior_log_variance_clipped)));
  prior_std_f32 = static_cast<float>(cfg.kappa * sqrt_etas[n - 1]);
}

}  // namespace sinsr
