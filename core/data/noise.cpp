#include "core/data/noise.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <optional>
#include <random>
#include <vector>

namespace sinsr::data {

namespace {

float clamp01(float v) { return std::min(std::max(v, 0.f), 1.f); }

uint8_t level_of(float v) {  // clamp(round(v * 255), 0, 255), half to even like torch.round
  return static_cast<uint8_t>(std::min(std::max(std::nearbyint(v * 255.f), 0.f), 255.f));
}

// Poisson(level / 255 * vals) / vals - level / 255 for quantised levels. The inputs take at most 256
// values, so one distribution per level is built on first use.
class LevelPoisson {
 public:
  LevelPoisson(const std::vector<uint8_t>& levels, SampleRng& rng) : rng_(rng) {
    std::array<bool, 256> seen{};
    for (uint8_t l : levels) seen[l] = true;
    const auto distinct = std::count(seen.begin(), seen.end(), true);
    vals_ = std::exp2(std::ceil(std::log2(static_cast<double>(distinct))));
  }
  float noise(uint8_t level) {
    const float img_q = static_cast<float>(level) / 255.f;
    const double mean = static_cast<double>(img_q) * vals_;
    if (mean <= 0) return 0.f;  // Poisson(0) = 0
    auto& dist = dists_[level];
    if (!dist) dist.emplace(mean);
    return static_cast<float>((*dist)(rng_.engine()) / vals_) - img_q;
  }

 private:
  SampleRng& rng_;
  double vals_ = 1;
  std::array<std::optional<std::poisson_distribution<int64_t>>, 256> dists_;
};

}  // namespace

cv::Mat add_gaussian_noise(const cv::Mat& image, double sigma_255, bool gray, SampleRng& rng) {
  const float sigma = static_cast<float>(sigma_255 / 255.0);
  cv::Mat out(image.size(), CV_32FC3);
  for (int y = 0; y < image.rows; ++y) {
    const float* src = image.ptr<float>(y);
    float* dst = out.ptr<float>(y);
    for (int x = 0; x < image.cols; ++x) {
      if (gray) {
        const float n = rng.normal() * sigma;
        for (int c = 0; c < 3; ++c) dst[3 * x + c] = clamp01(src[3 * x + c] + n);
      } else {
        for (int c = 0; c < 3; ++c) dst[3 * x + c] = clamp01(src[3 * x + c] + rng.normal() * sigma);
      }
    }
  }
  return out;
}

cv::Mat add_poisson_noise(const cv::Mat& image, double scale, bool gray, SampleRng& rng) {
  const size_t pixels = image.total();
  const cv::Mat img = image.isContinuous() ? image : image.clone();
  const float* src = img.ptr<float>();
  // The quantised values the noise is drawn on: one per pixel (gray) or one per element (colour).
  std::vector<uint8_t> levels(gray ? pixels : 3 * pixels);
  if (gray) {
    for (size_t p = 0; p < pixels; ++p)
      levels[p] = level_of(0.2989f * src[3 * p] + 0.587f * src[3 * p + 1] + 0.114f * src[3 * p + 2]);
  } else {
    for (size_t i = 0; i < levels.size(); ++i) levels[i] = level_of(src[i]);
  }
  LevelPoisson poisson(levels, rng);
  const float s = static_cast<float>(scale);
  cv::Mat out(image.size(), CV_32FC3);
  float* dst = out.ptr<float>();
  for (size_t p = 0; p < pixels; ++p) {
    if (gray) {
      const float n = poisson.noise(levels[p]) * s;
      for (int c = 0; c < 3; ++c) dst[3 * p + c] = clamp01(src[3 * p + c] + n);
    } else {
      for (int c = 0; c < 3; ++c) dst[3 * p + c] = clamp01(src[3 * p + c] + poisson.noise(levels[3 * p + c]) * s);
    }
  }
  return out;
}

}  // namespace sinsr::data
