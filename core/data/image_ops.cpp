#include "core/data/image_ops.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

namespace sinsr::data {

namespace {

void check_rgb_float(const cv::Mat& image, const char* what) {
  if (image.type() != CV_32FC3 || image.empty())
    throw std::invalid_argument(std::string(what) + ": expected a non-empty CV_32FC3 image");
}

// Drops all-zero outer rings of a centred odd kernel (the reference pads smaller kernels with zeros).
cv::Mat trim_zero_border(const cv::Mat& kernel) {
  cv::Mat k = kernel;
  while (k.rows > 1 && k.rows == k.cols) {
    const int n = k.rows;
    if (cv::countNonZero(k.row(0)) || cv::countNonZero(k.row(n - 1)) || cv::countNonZero(k.col(0)) ||
        cv::countNonZero(k.col(n - 1)))
      break;
    k = k(cv::Rect(1, 1, n - 2, n - 2));
  }
  return k;
}

// For each output index along one axis, the input indices it reads and their weights.
struct AxisTaps {
  int taps_per_output = 0;  // fixed stride into idx/weight (area: the widest bin; unused slots weigh 0)
  std::vector<int> idx;
  std::vector<float> weight;
};

// torch's area_pixel_compute_scale / compute_scales_value: 1/s when a scale factor was given, else in/out.
float coordinate_scale(int in, int out, double scale_factor) {
  return scale_factor > 0 ? static_cast<float>(1.0 / scale_factor) : static_cast<float>(in) / static_cast<float>(out);
}

AxisTaps area_taps(int in, int out) {
  // adaptive_avg_pool: bin [floor(i*in/out), ceil((i+1)*in/out)).
  auto start = [&](int i) { return static_cast<int>(std::floor(static_cast<float>(int64_t{i} * in) / out)); };
  auto end = [&](int i) { return static_cast<int>(std::ceil(static_cast<float>(int64_t{i + 1} * in) / out)); };
  AxisTaps t;
  for (int i = 0; i < out; ++i) t.taps_per_output = std::max(t.taps_per_output, end(i) - start(i));
  t.idx.assign(static_cast<size_t>(out) * t.taps_per_output, 0);
  t.weight.assign(t.idx.size(), 0.f);
  for (int i = 0; i < out; ++i) {
    const int s = start(i), n = end(i) - s;
    for (int k = 0; k < n; ++k) {
      t.idx[static_cast<size_t>(i) * t.taps_per_output + k] = s + k;
      t.weight[static_cast<size_t>(i) * t.taps_per_output + k] = 1.f / static_cast<float>(n);
    }
  }
  return t;
}

AxisTaps bilinear_taps(int in, int out, double scale_factor) {
  AxisTaps t;
  t.taps_per_output = 2;
  t.idx.resize(2 * static_cast<size_t>(out));
  t.weight.resize(t.idx.size());
  const float scale = coordinate_scale(in, out, scale_factor);
  for (int i = 0; i < out; ++i) {
    int i0 = i, i1 = i;
    float l1 = 0.f;
    if (in != out) {  // torch copies rows when the sizes agree
      const float src = std::max(scale * (static_cast<float>(i) + 0.5f) - 0.5f, 0.f);
      i0 = std::min(static_cast<int>(std::floor(src)), in - 1);
      l1 = std::min(std::max(src - static_cast<float>(i0), 0.f), 1.f);
      i1 = i0 + (i0 < in - 1 ? 1 : 0);
    }
    t.idx[2 * i] = i0;
    t.idx[2 * i + 1] = i1;
    t.weight[2 * i] = 1.f - l1;
    t.weight[2 * i + 1] = l1;
  }
  return t;
}

AxisTaps bicubic_taps(int in, int out, double scale_factor) {
  constexpr float A = -0.75f;
  auto conv1 = [](float x) { return ((A + 2) * x - (A + 3)) * x * x + 1; };        // |x| <= 1
  auto conv2 = [](float x) { return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A; };  // 1 < |x| < 2
  AxisTaps t;
  t.taps_per_output = 4;
  t.idx.resize(4 * static_cast<size_t>(out));
  t.weight.resize(t.idx.size());
  const float scale = coordinate_scale(in, out, scale_factor);
  for (int i = 0; i < out; ++i) {
    const float src = scale * (static_cast<float>(i) + 0.5f) - 0.5f;  // not clamped for cubic
    const float fl = std::floor(src);
    const int base = static_cast<int>(fl);
    const float x = src - fl;
    const float x2 = 1.f - x;
    const float w[4] = {conv2(x + 1.f), conv1(x), conv1(x2), conv2(x2 + 1.f)};
    for (int k = 0; k < 4; ++k) {
      t.idx[4 * i + k] = std::min(std::max(base - 1 + k, 0), in - 1);  // border: clamped reads
      t.weight[4 * i + k] = w[k];
    }
  }
  return t;
}

AxisTaps axis_taps(int in, int out, double scale_factor, ResizeMode mode) {
  switch (mode) {
    case ResizeMode::Area: return area_taps(in, out);
    case ResizeMode::Bilinear: return bilinear_taps(in, out, scale_factor);
    case ResizeMode::Bicubic: return bicubic_taps(in, out, scale_factor);
  }
  throw std::logic_error("unknown resize mode");
}

// Separable resampling: along the width first, then along the height (the order torch's 2-D kernels nest
// their sums in).
cv::Mat resample(const cv::Mat& image, int out_h, int out_w, double scale_factor, ResizeMode mode) {
  check_rgb_float(image, "resize");
  if (out_h < 1 || out_w < 1) throw std::invalid_argument("resize: output size must be at least 1x1");
  const int in_h = image.rows, in_w = image.cols;
  const AxisTaps tx = axis_taps(in_w, out_w, scale_factor, mode);
  const AxisTaps ty = axis_taps(in_h, out_h, scale_factor, mode);

  cv::Mat rows(in_h, out_w, CV_32FC3);
  for (int y = 0; y < in_h; ++y) {
    const float* src = image.ptr<float>(y);
    float* dst = rows.ptr<float>(y);
    for (int x = 0; x < out_w; ++x) {
      float acc[3] = {0.f, 0.f, 0.f};
      for (int k = 0; k < tx.taps_per_output; ++k) {
        const size_t j = static_cast<size_t>(x) * tx.taps_per_output + k;
        const float w = tx.weight[j];
        const float* p = src + 3 * tx.idx[j];
        acc[0] += w * p[0];
        acc[1] += w * p[1];
        acc[2] += w * p[2];
      }
      dst[3 * x] = acc[0];
      dst[3 * x + 1] = acc[1];
      dst[3 * x + 2] = acc[2];
    }
  }
  cv::Mat out = cv::Mat::zeros(out_h, out_w, CV_32FC3);
  const int n = 3 * out_w;
  for (int y = 0; y < out_h; ++y) {
    float* dst = out.ptr<float>(y);
    for (int k = 0; k < ty.taps_per_output; ++k) {
      const size_t j = static_cast<size_t>(y) * ty.taps_per_output + k;
      const float w = ty.weight[j];
      if (w == 0.f && mode == ResizeMode::Area) continue;  // padding slot of a narrower bin
      const float* src = rows.ptr<float>(ty.idx[j]);
      for (int i = 0; i < n; ++i) dst[i] += w * src[i];
    }
  }
  return out;
}

}  // namespace

cv::Mat filter2d(const cv::Mat& image, const cv::Mat& kernel) {
  check_rgb_float(image, "filter2d");
  if (kernel.rows != kernel.cols || kernel.rows % 2 == 0)
    throw std::invalid_argument("filter2d: the kernel must be square with an odd size");
  cv::Mat k;
  trim_zero_border(kernel).convertTo(k, CV_32F);
  cv::Mat out;
  cv::filter2D(image, out, CV_32F, k, cv::Point(-1, -1), 0.0, cv::BORDER_REFLECT_101);
  return out;
}

const char* resize_mode_name(ResizeMode mode) {
  switch (mode) {
    case ResizeMode::Area: return "area";
    case ResizeMode::Bilinear: return "bilinear";
    case ResizeMode::Bicubic: return "bicubic";
  }
  return "?";
}

ResizeMode parse_resize_mode(const std::string& name) {
  if (name == "area") return ResizeMode::Area;
  if (name == "bilinear") return ResizeMode::Bilinear;
  if (name == "bicubic") return ResizeMode::Bicubic;
  throw std::invalid_argument("unknown resize mode '" + name + "' (area, bilinear or bicubic)");
}

cv::Mat resize_by_scale(const cv::Mat& image, double scale, ResizeMode mode) {
  const int out_h = static_cast<int>(std::floor(image.rows * scale));
  const int out_w = static_cast<int>(std::floor(image.cols * scale));
  return resample(image, out_h, out_w, scale, mode);
}

cv::Mat resize_to(const cv::Mat& image, int height, int width, ResizeMode mode) {
  return resample(image, height, width, 0.0, mode);
}

cv::Mat usm_sharpen(const cv::Mat& image, double weight, double threshold, int radius) {
  check_rgb_float(image, "usm_sharpen");
  if (radius % 2 == 0) ++radius;
  const cv::Mat g = cv::getGaussianKernel(radius, 0, CV_64F);
  const cv::Mat kernel = g * g.t();
  const cv::Mat residual = image - filter2d(image, kernel);
  cv::Mat mask;
  cv::compare(cv::abs(residual) * 255.0, threshold, mask, cv::CMP_GT);  // 255 where true, per channel
  mask.convertTo(mask, CV_32FC3, 1.0 / 255.0);
  const cv::Mat soft_mask = filter2d(mask, kernel);
  cv::Mat sharp = image + weight * residual;
  cv::max(sharp, 0.0, sharp);
  cv::min(sharp, 1.0, sharp);
  return soft_mask.mul(sharp) + (cv::Scalar::all(1.0) - soft_mask).mul(image);
}

cv::Mat quantize_to_u8(const cv::Mat& image) {
  check_rgb_float(image, "quantize");
  cv::Mat out(image.rows, image.cols, CV_8UC3);
  for (int y = 0; y < image.rows; ++y) {
    const float* src = image.ptr<float>(y);
    uint8_t* dst = out.ptr<uint8_t>(y);
    for (int i = 0; i < 3 * image.cols; ++i) {
      if (!std::isfinite(src[i])) throw std::domain_error("non-finite value in a degraded image");
      dst[i] = static_cast<uint8_t>(std::min(std::max(std::nearbyint(src[i] * 255.f), 0.f), 255.f));
    }
  }
  return out;
}

}  // namespace sinsr::data
