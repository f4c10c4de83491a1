#include "core/data/degradation.h"

#include <opencv2/core.hpp>

#include <stdexcept>

#include "core/data/diff_jpeg.h"
#include "core/data/noise.h"
#include "core/util/errors.h"

namespace sinsr::data {

namespace {

constexpr ResizeMode kModes[] = {ResizeMode::Area, ResizeMode::Bilinear, ResizeMode::Bicubic};

void clamp01(cv::Mat& image) {
  cv::max(image, 0.0, image);
  cv::min(image, 1.0, image);
}

ResizeMode draw_mode(SampleRng& rng) { return kModes[rng.randint(0, 2)]; }

// Up, down or keep, and the scale (the reference's updown_type / scale draws).
double draw_scale(SampleRng& rng, const ResizeStageConfig& cfg, int& type) {
  type = static_cast<int>(rng.choice(cfg.probs));
  if (type == 0) return rng.uniform(1.0, cfg.up_high);
  if (type == 1) return rng.uniform(cfg.down_low, 1.0);
  return 1.0;
}

cv::Mat add_noise(const cv::Mat& image, const NoiseStageConfig& cfg, SampleRng& rng, bool& gaussian, bool& gray,
                  double& amount) {
  gaussian = rng.uniform() < cfg.gaussian_prob;
  if (gaussian) {
    amount = rng.uniform(cfg.sigma_low, cfg.sigma_high);
    gray = rng.uniform() < cfg.gray_prob;
    return add_gaussian_noise(image, amount, gray, rng);
  }
  amount = rng.uniform(cfg.poisson_low, cfg.poisson_high);
  gray = rng.uniform() < cfg.gray_prob;
  return add_poisson_noise(image, amount, gray, rng);
}

// The reference draws the quality as float32 (tensor.uniform_).
double draw_quality(SampleRng& rng, double low, double high) { return static_cast<float>(rng.uniform(low, high)); }

// The blur of one order from its keys; `suffix` ("" or "2") names the keys in errors.
BlurKernelConfig blur_config(const DegradationOrder& k, const std::string& suffix) {
  const std::string s = "degradation.";
  BlurKernelConfig b;
  b.pad_size = static_cast<int>(k.blur_kernel_size);
  if (b.pad_size % 2 == 0) throw UsageError("config key " + s + "blur_kernel_size" + suffix + " must be odd");
  // kernel_list names the types kernel_prob weighs, as in the reference's YAML.
  if (k.kernel_list.size() != k.kernel_prob.size() || k.kernel_list.empty())
    throw UsageError("config keys " + s + "kernel_list" + suffix + " and kernel_prob" + suffix +
                     " must have the same, non-zero length");
  b.type_probs.assign(6, 0.0);
  for (size_t i = 0; i < k.kernel_list.size(); ++i) {
    int type = -1;
    for (int t = 0; t < 6; ++t)
      if (k.kernel_list[i] == kernel_type_name(static_cast<KernelType>(t))) type = t;
    if (type < 0)
      throw UsageError("config key " + s + "kernel_list" + suffix + ": unknown kernel type '" + k.kernel_list[i] +
                       "' (iso, aniso, generalized_iso, generalized_aniso, plateau_iso, plateau_aniso)");
    b.type_probs[static_cast<size_t>(type)] += k.kernel_prob[i];
  }
  b.sinc_prob = k.sinc_prob;
  b.sigma_low = k.blur_sigma[0], b.sigma_high = k.blur_sigma[1];
  b.betag_low = k.betag_range[0], b.betag_high = k.betag_range[1];
  b.betap_low = k.betap_range[0], b.betap_high = k.betap_range[1];
  return b;
}

ResizeStageConfig resize_config(const DegradationOrder& k, const std::string& suffix) {
  const std::string s = "degradation.";
  if (k.resize_prob.size() != 3)
    throw UsageError("config key " + s + "resize_prob" + suffix + " needs 3 weights: up, down, keep");
  const std::vector<double>& range = k.resize_range;
  if (range[0] <= 0 || range[0] > 1 || range[1] < 1)
    throw UsageError("config key " + s + "resize_range" + suffix + " must be 'low, high' with 0 < low <= 1 <= high");
  return ResizeStageConfig{k.resize_prob, range[0], range[1]};
}

NoiseStageConfig noise_config(const DegradationOrder& k) {
  return NoiseStageConfig{k.gaussian_noise_prob,    k.noise_range[0],         k.noise_range[1],
                          k.poisson_scale_range[0], k.poisson_scale_range[1], k.gray_noise_prob};
}

}  // namespace

DegradationConfig DegradationConfig::from_settings(const DegradationSettings& k) {
  DegradationConfig d;
  d.sf = static_cast<int>(k.sf);
  d.blur1 = blur_config(k.first, "");
  d.blur2 = blur_config(k.second, "2");
  d.final_sinc_prob = k.final_sinc_prob;
  d.resize1 = resize_config(k.first, "");
  d.resize2 = resize_config(k.second, "2");
  d.noise1 = noise_config(k.first);
  d.noise2 = noise_config(k.second);
  if (k.jpeg_range[1] >= 100 || k.jpeg_range2[1] >= 100)
    throw UsageError(
        "config keys degradation.jpeg_range/jpeg_range2: qualities must lie in (0, 100) (DiffJPEG's "
        "quantiser is 0 at quality 100)");
  d.jpeg_low1 = k.jpeg_range[0], d.jpeg_high1 = k.jpeg_range[1];
  d.jpeg_low2 = k.jpeg_range2[0], d.jpeg_high2 = k.jpeg_range2[1];
  d.second_order_prob = k.second_order_prob;
  d.second_blur_prob = k.second_blur_prob;
  d.use_sharp = k.use_sharp;
  return d;
}

DegradationConfig DegradationConfig::from_config(const Config& cfg) {
  return from_settings(DegradationSettings::from_config(cfg));
}

cv::Mat degrade(const cv::Mat& gt, const DegradationConfig& cfg, SampleRng& rng, DegradationTrace* trace) {
  if (gt.rows % cfg.sf || gt.cols % cfg.sf)
    throw std::invalid_argument("degrade: GT sides must be divisible by the scale factor");
  DegradationTrace t;
  // The dataset's kernels (RealESRGANDataset.__getitem__), then the trainer's batch pipeline (prepare_data).
  const DrawnKernel k1 = draw_blur_kernel(rng, cfg.blur1);
  const DrawnKernel k2 = draw_blur_kernel(rng, cfg.blur2);
  const DrawnKernel sinc = draw_final_sinc_kernel(rng, cfg.final_sinc_prob, cfg.blur2.pad_size);
  t.kernel1 = k1.type, t.kernel1_size = k1.size, t.kernel2 = k2.type, t.kernel2_size = k2.size;
  t.sinc = sinc.type, t.sinc_size = sinc.size;
  const int lr_h = gt.rows / cfg.sf, lr_w = gt.cols / cfg.sf;

  // First order: blur, resize by a scale factor, noise, JPEG.
  cv::Mat out = filter2d(gt, k1.kernel);
  t.scale1 = draw_scale(rng, cfg.resize1, t.resize1_type);
  t.mode1 = draw_mode(rng);
  out = resize_by_scale(out, t.scale1, t.mode1);
  out = add_noise(out, cfg.noise1, rng, t.gaussian1, t.gray1, t.noise1);
  t.jpeg1 = draw_quality(rng, cfg.jpeg_low1, cfg.jpeg_high1);
  out = diff_jpeg(out, t.jpeg1);  // noise already clamped to [0, 1]

  // Second order (sometimes): blur (sometimes), resize to a size relative to the final LR size, noise.
  t.second_order = rng.uniform() < cfg.second_order_prob;
  if (t.second_order) {
    t.second_blur = rng.uniform() < cfg.second_blur_prob;
    if (t.second_blur) out = filter2d(out, k2.kernel);
    t.scale2 = draw_scale(rng, cfg.resize2, t.resize2_type);
    t.mode2 = draw_mode(rng);
    // int(ori / sf * scale) in Python floats.
    out = resize_to(out, static_cast<int>(static_cast<double>(gt.rows) / cfg.sf * t.scale2),
                    static_cast<int>(static_cast<double>(gt.cols) / cfg.sf * t.scale2), t.mode2);
    out = add_noise(out, cfg.noise2, rng, t.gaussian2, t.gray2, t.noise2);
  }

  // Final: [resize to the LR size + sinc] and JPEG, in either order.
  t.final_resize_first = rng.uniform() < 0.5;
  t.mode_final = draw_mode(rng);
  t.jpeg2 = draw_quality(rng, cfg.jpeg_low2, cfg.jpeg_high2);
  if (t.final_resize_first) {
    out = filter2d(resize_to(out, lr_h, lr_w, t.mode_final), sinc.kernel);
    clamp01(out);
    out = diff_jpeg(out, t.jpeg2);
  } else {
    clamp01(out);
    out = filter2d(resize_to(diff_jpeg(out, t.jpeg2), lr_h, lr_w, t.mode_final), sinc.kernel);
  }
  if (trace) *trace = t;
  return quantize_to_u8(out);
}

}  // namespace sinsr::data
