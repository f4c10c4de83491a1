// The Real-ESRGAN second-order degradation as SinSR/ResShift configure it (docs/method.md §5.2-5.3): from a GT
// crop to its LR image, one sample at a time on the CPU. Every parameter comes from the [degradation]
// config section; every random draw from the sample's own SampleRng.
#pragma once
#include <opencv2/core/mat.hpp>

#include <string>
#include <vector>

#include "core/data/data_config.h"
#include "core/data/image_ops.h"
#include "core/data/kernels.h"
#include "core/data/sample_rng.h"

namespace sinsr::data {

struct ResizeStageConfig {
  std::vector<double> probs;  // up, down, keep
  double down_low = 0.15;     // down: U(down_low, 1)
  double up_high = 1.5;       // up: U(1, up_high)
};

struct NoiseStageConfig {
  double gaussian_prob = 0.5;             // else Poisson
  double sigma_low = 1, sigma_high = 30;  // Gaussian sigma on the 0-255 scale
  double poisson_low = 0.05, poisson_high = 3.0;
  double gray_prob = 0.4;
};

struct DegradationConfig {
  int sf = 4;
  BlurKernelConfig blur1, blur2;
  double final_sinc_prob = 0.8;
  ResizeStageConfig resize1, resize2;
  NoiseStageConfig noise1, noise2;
  double jpeg_low1 = 30, jpeg_high1 = 95, jpeg_low2 = 30, jpeg_high2 = 95;
  double second_order_prob = 0.5;
  double second_blur_prob = 0.8;
  bool use_sharp = false;  // USM-sharpen the GT first (the target too), as Real-ESRGAN can

  // The pipeline's parameters from the [degradation] keys; throws UsageError on inconsistent values.
  static DegradationConfig from_settings(const DegradationSettings& keys);
  static DegradationConfig from_config(const Config& cfg);
};

// What the pipeline drew for one sample (for tests, statistics and debugging).
struct DegradationTrace {
  KernelType kernel1 = KernelType::Pulse, kernel2 = KernelType::Pulse, sinc = KernelType::Pulse;
  int kernel1_size = 0, kernel2_size = 0, sinc_size = 0;
  int resize1_type = 0, resize2_type = 0;  // 0 up, 1 down, 2 keep
  double scale1 = 1, scale2 = 1;
  ResizeMode mode1 = ResizeMode::Area, mode2 = ResizeMode::Area, mode_final = ResizeMode::Area;
  bool gaussian1 = false, gray1 = false, gaussian2 = false, gray2 = false;
  double noise1 = 0, noise2 = 0;  // sigma (0-255 scale) or Poisson scale
  double jpeg1 = 0, jpeg2 = 0;
  bool second_order = false, second_blur = false;
  bool final_resize_first = false;  // order A: resize + sinc, then JPEG; else JPEG first
};

// gt: RGB float32 in [0, 1] (CV_32FC3), sides divisible by sf. Returns the LR image, RGB uint8 (CV_8UC3) of
// size gt / sf, rounded half to even like the reference's final 8-bit quantisation. Throws
// std::domain_error if a non-finite value appears.
cv::Mat degrade(const cv::Mat& gt, const DegradationConfig& cfg, SampleRng& rng, DegradationTrace* trace = nullptr);

}  // namespace sinsr::data
