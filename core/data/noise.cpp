#include "core/data/noise.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

namespace sinsr::data {

namespace {

float clamp01(float v) { return std::min(std::max(v, 0.f), 1.f); }

uint8_t level_of(float v) {  // clamp(round(v * 255), 0, 255), half to even like torch.round
  return static_cast<uint8_t>(std::min(std::max(std::nearbyint(v * 255.f), 0.f), 255.f));
}

// Poisson(level / 255 * vals) / vals - level / 255 for quantised levels. The inputs take at most 256
// values, so each level used gets a table of its Poisson CDF on first use, and a draw inverts the CDF
// starting from a guide table (Chen & Asau: guide[j] = first k with cdf[k] > j / n), one or two steps on
// average. The table ends where the terms fall below 1e-18.
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
    Table& t = tables_[level];
    if (t.cdf.empty()) t = make_table(static_cast<double>(img_q) * vals_);
    const double u = rng_.uniform();
    const size_t last = t.cdf.size() - 1;
    size_t k = t.guide[static_cast<size_t>(u * static_cast<double>(t.guide.size()))];
    while (k < last && t.cdf[k] <= u) ++k;
    return static_cast<float>(static_cast<double>(k) / vals_) - img_q;
  }

 private:
  SampleRng& rng_;
  double vals_ = 1;
  struct Table {
    std::vector<double> cdf;
    std::vector<uint32_t> guide;
  };
  std::array<Table, 256> tables_;

  static Table make_table(double mean) {
    Table t;
    double p = std::exp(-mean), acc = 0;  // mean <= 256: e^-256 is still a normal double
    for (int k = 0;; ++k) {
      acc += p;
      t.cdf.push_back(acc);
      if (k > mean && p < 1e-18) break;  // past the mode the terms only shrink
      p *= mean / (k + 1);
    }
    const size_t n = t.cdf.size();
    t.guide.resize(n);
    size_t k = 0;
    for (size_t j = 0; j < n; ++j) {
      while (k + 1 < n && t.cdf[k] <= static_cast<double>(j) / static_cast<double>(n)) ++k;
      t.guide[j] = static_cast<uint32_t>(k);
    }
    return t;
  }
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
