#include "core/data/kernels.h"

#include <opencv2/core.hpp>

#include <cmath>
#include <stdexcept>

namespace sinsr::data {

namespace {

// S^-1 of the covariance as (a, b, c): Q = a x^2 + b x y + c y^2 (b already holds both off-diagonals).
struct InverseCovariance {
  double a, b, c;
};

InverseCovariance inverse_covariance(double sig_x, double sig_y, double theta, bool isotropic) {
  double s00, s01, s11;
  if (isotropic) {
    s00 = s11 = sig_x * sig_x;
    s01 = 0;
  } else {
    const double ct = std::cos(theta), st = std::sin(theta);
    const double dx = sig_x * sig_x, dy = sig_y * sig_y;
    s00 = ct * ct * dx + st * st * dy;  // R diag(dx, dy) R'
    s01 = ct * st * (dx - dy);
    s11 = st * st * dx + ct * ct * dy;
  }
  const double det = s00 * s11 - s01 * s01;
  return {s11 / det, -2.0 * s01 / det, s00 / det};
}

void check_odd(int size) {
  if (size < 1 || size % 2 == 0)
    throw std::invalid_argument("blur kernel size must be odd, got " + std::to_string(size));
}

// Evaluates f(Q) on the grid and normalises to sum 1.
template <typename F>
cv::Mat kernel_from_quadratic_form(int size, const InverseCovariance& inv, F f) {
  check_odd(size);
  cv::Mat k(size, size, CV_64F);
  const int half = size / 2;
  double sum = 0;
  for (int row = 0; row < size; ++row) {
    const double y = row - half;
    for (int col = 0; col < size; ++col) {
      const double x = col - half;
      const double v = f(inv.a * x * x + inv.b * x * y + inv.c * y * y);
      k.at<double>(row, col) = v;
      sum += v;
    }
  }
  return k / sum;
}

int draw_odd_size(SampleRng& rng, int pad_size) {
  // range(3, pad_size, 2): 3, 5, ..., pad_size - 2
  const int count = (pad_size - 3) / 2;
  if (count < 1)
    throw std::invalid_argument("blur kernel pad size must be at least 5, got " + std::to_string(pad_size));
  return 3 + 2 * static_cast<int>(rng.randint(0, count - 1));
}

// The reference's beta rule: with probability 1/2 from [low, 1), else from [1, high).
double draw_beta(SampleRng& rng, double low, double high) {
  return rng.uniform() < 0.5 ? rng.uniform(low, 1.0) : rng.uniform(1.0, high);
}

}  // namespace

cv::Mat bivariate_gaussian(int size, double sig_x, double sig_y, double theta, bool isotropic) {
  return kernel_from_quadratic_form(size, inverse_covariance(sig_x, sig_y, theta, isotropic),
                                    [](double q) { return std::exp(-0.5 * q); });
}

cv::Mat bivariate_generalized_gaussian(int size, double sig_x, double sig_y, double theta, double beta,
                                       bool isotropic) {
  return kernel_from_quadratic_form(size, inverse_covariance(sig_x, sig_y, theta, isotropic),
                                    [beta](double q) { return std::exp(-0.5 * std::pow(q, beta)); });
}

cv::Mat bivariate_plateau(int size, double sig_x, double sig_y, double theta, double beta, bool isotropic) {
  return kernel_from_quadratic_form(size, inverse_covariance(sig_x, sig_y, theta, isotropic),
                                    [beta](double q) { return 1.0 / (std::pow(q, beta) + 1.0); });
}

cv::Mat circular_lowpass_kernel(double cutoff, int size, int pad_to) {
  check_odd(size);
  cv::Mat k(size, size, CV_64F);
  const double c = (size - 1) / 2.0;
  double sum = 0;
  for (int row = 0; row < size; ++row)
    for (int col = 0; col < size; ++col) {
      const double r = std::hypot(row - c, col - c);
      const double v =
          r == 0 ? cutoff * cutoff / (4 * M_PI) : cutoff * std::cyl_bessel_j(1.0, cutoff * r) / (2 * M_PI * r);
      k.at<double>(row, col) = v;
      sum += v;
    }
  k /= sum;
  return pad_kernel(k, pad_to);
}

cv::Mat pulse_kernel(int size) {
  check_odd(size);
  cv::Mat k = cv::Mat::zeros(size, size, CV_64F);
  k.at<double>(size / 2, size / 2) = 1.0;
  return k;
}

cv::Mat pad_kernel(const cv::Mat& kernel, int size) {
  if (size <= kernel.rows) return kernel;
  const int pad = (size - kernel.rows) / 2;
  cv::Mat out = cv::Mat::zeros(kernel.rows + 2 * pad, kernel.cols + 2 * pad, CV_64F);
  kernel.copyTo(out(cv::Rect(pad, pad, kernel.cols, kernel.rows)));
  return out;
}

const char* kernel_type_name(KernelType type) {
  switch (type) {
    case KernelType::Iso: return "iso";
    case KernelType::Aniso: return "aniso";
    case KernelType::GeneralizedIso: return "generalized_iso";
    case KernelType::GeneralizedAniso: return "generalized_aniso";
    case KernelType::PlateauIso: return "plateau_iso";
    case KernelType::PlateauAniso: return "plateau_aniso";
    case KernelType::Sinc: return "sinc";
    case KernelType::Pulse: return "pulse";
  }
  return "?";
}

DrawnKernel draw_blur_kernel(SampleRng& rng, const BlurKernelConfig& cfg) {
  const int size = draw_odd_size(rng, cfg.pad_size);
  if (rng.uniform() < cfg.sinc_prob) {
    const double cutoff = size < 13 ? rng.uniform(M_PI / 3, M_PI) : rng.uniform(M_PI / 5, M_PI);
    return {circular_lowpass_kernel(cutoff, size, cfg.pad_size), KernelType::Sinc, size};
  }
  const auto type = static_cast<KernelType>(rng.choice(cfg.type_probs));
  const bool iso = type == KernelType::Iso || type == KernelType::GeneralizedIso || type == KernelType::PlateauIso;
  // random_bivariate_*: sigma_x, then (anisotropic only) sigma_y and the rotation, then beta.
  const double sig_x = rng.uniform(cfg.sigma_low, cfg.sigma_high);
  double sig_y = sig_x, theta = 0;
  if (!iso) {
    sig_y = rng.uniform(cfg.sigma_low, cfg.sigma_high);
    theta = rng.uniform(-M_PI, M_PI);
  }
  cv::Mat k;
  switch (type) {
    case KernelType::Iso:
    case KernelType::Aniso: k = bivariate_gaussian(size, sig_x, sig_y, theta, iso); break;
    case KernelType::GeneralizedIso:
    case KernelType::GeneralizedAniso:
      k = bivariate_generalized_gaussian(size, sig_x, sig_y, theta, draw_beta(rng, cfg.betag_low, cfg.betag_high), iso);
      break;
    default:
      k = bivariate_plateau(size, sig_x, sig_y, theta, draw_beta(rng, cfg.betap_low, cfg.betap_high), iso);
      break;
  }
  return {pad_kernel(k, cfg.pad_size), type, size};
}

DrawnKernel draw_final_sinc_kernel(SampleRng& rng, double prob, int pad_size) {
  if (rng.uniform() < prob) {
    const int size = draw_odd_size(rng, pad_size);
    return {circular_lowpass_kernel(rng.uniform(M_PI / 3, M_PI), size, pad_size), KernelType::Sinc, size};
  }
  return {pulse_kernel(pad_size), KernelType::Pulse, pad_size};
}

}  // namespace sinsr::data
