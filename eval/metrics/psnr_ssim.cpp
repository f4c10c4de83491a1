#include "eval/metrics/psnr_ssim.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <regex>
#include <sstream>
#include <stdexcept>

namespace sinsr::metrics {
namespace {

constexpr int64_t kWindowSize = 11;
constexpr double kWindowSigma = 1.5;
// Both libraries use data range 255 for SSIM: C1 = (0.01 * 255)^2, C2 = (0.03 * 255)^2.
constexpr double kSsimC1 = (0.01 * 255) * (0.01 * 255);
constexpr double kSsimC2 = (0.03 * 255) * (0.03 * 255);
// pyiqa and basicsr_pt: 10·log10(1 / (mse + 1e-8)) on [0, 1] data, so identical images give 80 dB.
constexpr double kPsnrEps = 1e-8;

std::string shape_of(const at::Tensor& t) {
  std::ostringstream s;
  s << t.sizes() << " " << t.scalar_type();
  return s.str();
}

bool is_basicsr(PsnrSsimLibrary library) { return library != PsnrSsimLibrary::Pyiqa; }

void check_variant(const PsnrSsimVariant& v) {
  if (v.crop_border < 0) throw std::invalid_argument("psnr_ssim: crop_border must be >= 0");
  if (!is_basicsr(v.library) && v.crop_border != 0)
    throw std::invalid_argument("psnr_ssim: the pyiqa variants have no border crop (crop_border must be 0)");
  if (is_basicsr(v.library) && v.channels == PsnrSsimChannels::YiqY)
    throw std::invalid_argument("psnr_ssim: BasicSR has no YIQ luma; use Y (BT.601) or RGB");
}

void check_images(const at::Tensor& dist, const at::Tensor& ref, const PsnrSsimVariant& v) {
  for (const at::Tensor* image : {&dist, &ref})
    if (image->scalar_type() != at::kByte || image->dim() != 3 || image->size(2) != 3)
      throw std::invalid_argument("psnr_ssim: images must be uint8 [H, W, 3] RGB tensors, got " + shape_of(*image));
  if (dist.sizes() != ref.sizes())
    throw std::invalid_argument("psnr_ssim: the distorted and the reference image differ in size: " + shape_of(dist) +
                                " vs " + shape_of(ref));
  // SSIM filters with a valid 11 x 11 window, so it needs at least that much image after the crop.
  const int64_t min_side = v.measure == QualityMeasure::Ssim ? kWindowSize : 1;
  if (std::min(dist.size(0), dist.size(1)) - 2 * v.crop_border < min_side)
    throw std::invalid_argument("psnr_ssim: " + variant_name(v) + " needs images of at least " +
                                std::to_string(min_side + 2 * v.crop_border) + " pixels per side, got " +
                                shape_of(dist));
}

// x[..., c:-c, c:-c] over the last two dimensions (BasicSR's `if crop_border != 0` slicing).
at::Tensor crop_last_two_dims(const at::Tensor& x, int64_t crop) {
  const int64_t h = x.size(-2), w = x.size(-1);
  return x.slice(-2, crop, h - crop).slice(-1, crop, w - crop);
}

// w[0]·x_0 + w[1]·x_1 + w[2]·x_2 over dimension `dim` (kept, size 1), in x's dtype, each product and sum
// rounded in this order. It is what the references' BLAS matmul / np.dot computed on the fixture machine (no
// FMA), spelled out so that the result does not depend on the BLAS kernel this CPU selects: an FMA kernel
// changes the last bit of a quarter of the Y values, and that bit decides how 255·Y rounds in pyiqa's SSIM.
at::Tensor weighted_channel_sum(const at::Tensor& x, const std::vector<double>& weights, int64_t dim) {
  at::Tensor sum = x.select(dim, 0) * weights[0];
  for (size_t c = 1; c < weights.size(); ++c) sum = sum + x.select(dim, static_cast<int64_t>(c)) * weights[c];
  return sum.unsqueeze(dim);
}

// BT.601 Y of [N, 3, H, W] RGB in [0, 1]: (x · [65.481, 128.553, 24.966] + 16) / 255, in x's dtype (pyiqa
// rgb2ycbcr channel 0, basicsr rgb2ycbcr_pt(y_only=True)).
at::Tensor ycbcr_luma(const at::Tensor& x) {
  return (weighted_channel_sum(x, psnr_ssim_detail::luma_weights(PsnrSsimChannels::YcbcrY), 1) + 16.0) / 255.0;
}

// ---- SSIM ----

using Filter = std::function<at::Tensor(const at::Tensor&)>;

// The local statistics both SSIM formulas combine, in the reference's operation order (σ² = E[x²] - μ²).
struct LocalMoments {
  at::Tensor mu1_sq, mu2_sq, mu1_mu2, sigma1_sq, sigma2_sq, sigma12;
};

LocalMoments local_moments(const at::Tensor& x, const at::Tensor& y, const Filter& filter) {
  const at::Tensor mu1 = filter(x), mu2 = filter(y);
  LocalMoments m;
  m.mu1_sq = mu1.pow(2);
  m.mu2_sq = mu2.pow(2);
  m.mu1_mu2 = mu1 * mu2;
  m.sigma1_sq = filter(x * x) - m.mu1_sq;
  m.sigma2_sq = filter(y * y) - m.mu2_sq;
  m.sigma12 = filter(x * y) - m.mu1_mu2;
  return m;
}

// pyiqa ssim() / basicsr _ssim_pth(): luminance term times contrast-structure term; pyiqa clamps cs at 0
// ("force the ssim response to be nonnegative"), BasicSR does not.
at::Tensor ssim_map_luminance_times_cs(const LocalMoments& m, bool clamp_cs) {
  at::Tensor cs = (2 * m.sigma12 + kSsimC2) / (m.sigma1_sq + m.sigma2_sq + kSsimC2);
  if (clamp_cs) cs = at::relu(cs);
  return ((2 * m.mu1_mu2 + kSsimC1) / (m.mu1_sq + m.mu2_sq + kSsimC1)) * cs;
}

// Valid depthwise correlation of [N, C, H, W] with a 2-D window (F.conv2d(..., groups=C), no padding).
Filter depthwise_valid_filter(const at::Tensor& window, int64_t channels, at::ScalarType dtype) {
  const at::Tensor weight = window.to(dtype).view({1, 1, kWindowSize, kWindowSize}).repeat({channels, 1, 1, 1});
  return [weight, channels](const at::Tensor& x) {
    return at::conv2d(x, weight, at::Tensor(), /*stride=*/at::IntArrayRef{1, 1}, /*padding=*/at::IntArrayRef{0, 0},
                      /*dilation=*/at::IntArrayRef{1, 1}, /*groups=*/channels);
  };
}

// cv2.filter2D(plane, -1, window)[5:-5, 5:-5] on every float64 [H, W] plane of a [..., H, W] tensor: OpenCV's
// own filter (a DFT for this kernel size), so the valid part agrees with BasicSR's numpy code to the last bits.
Filter opencv_valid_filter(const at::Tensor& window) {
  const at::Tensor w = window.to(at::kDouble).contiguous();
  return [w](const at::Tensor& x) {
    const at::Tensor planes = x.reshape({-1, x.size(-2), x.size(-1)}).contiguous();
    const int rows = static_cast<int>(planes.size(1)), cols = static_cast<int>(planes.size(2));
    const cv::Mat kernel(kWindowSize, kWindowSize, CV_64F, w.data_ptr<double>());
    at::Tensor out = at::empty_like(planes);
    for (int64_t p = 0; p < planes.size(0); ++p) {
      const cv::Mat src(rows, cols, CV_64F, planes[p].data_ptr<double>());
      cv::Mat dst(rows, cols, CV_64F, out[p].data_ptr<double>());  // same size and type: filled in place
      cv::filter2D(src, dst, -1, kernel);
    }
    return crop_last_two_dims(out.view(x.sizes()), kWindowSize / 2);
  };
}

// ---- pyiqa (float32, NCHW in [0, 1]) ----

double pyiqa_psnr(const at::Tensor& x, const at::Tensor& y, PsnrSsimChannels channels) {
  const bool luma = channels != PsnrSsimChannels::Rgb;
  const at::Tensor a = luma ? psnr_ssim_detail::pyiqa_luma(x, channels) : x;
  const at::Tensor b = luma ? psnr_ssim_detail::pyiqa_luma(y, channels) : y;
  const at::Tensor mse = (a - b).pow(2).mean({1, 2, 3});
  // data_range**2 / (mse + eps) with data_range 1: Tensor.__rtruediv__ is reciprocal() * 1.
  return (10 * at::log10(at::reciprocal(mse + kPsnrEps))).item<double>();
}

double pyiqa_ssim(const at::Tensor& x, const at::Tensor& y, PsnrSsimChannels channels) {
  return psnr_ssim_detail::pyiqa_ssim_map(psnr_ssim_detail::pyiqa_ssim_input(x, channels),
                                          psnr_ssim_detail::pyiqa_ssim_input(y, channels))
      .mean({1, 2, 3})
      .item<double>();
}

// ---- BasicSR numpy (BGR uint8 HWC, float64) ----

// The [H, W, C] float64 planes calculate_psnr / calculate_ssim compare: BGR u8 cropped, or its Y.
at::Tensor basicsr_numpy_planes(const at::Tensor& rgb_u8, bool luma, int64_t crop) {
  const at::Tensor cropped = rgb_u8.slice(0, crop, rgb_u8.size(0) - crop).slice(1, crop, rgb_u8.size(1) - crop);
  return (luma ? psnr_ssim_detail::basicsr_luma(cropped) : cropped.flip({2})).to(at::kDouble);
}

double basicsr_numpy_psnr(const at::Tensor& a, const at::Tensor& b) {
  const double mse = (a - b).pow(2).mean().item<double>();
  if (mse == 0) return std::numeric_limits<double>::infinity();
  return 10. * std::log10(255. * 255. / mse);
}

// calculate_ssim: _ssim per channel (in BGR order), then the mean over channels.
double basicsr_numpy_ssim(const at::Tensor& a, const at::Tensor& b) {
  const Filter filter = opencv_valid_filter(psnr_ssim_detail::basicsr_gaussian_window());
  double sum = 0;
  for (int64_t c = 0; c < a.size(2); ++c) {
    const LocalMoments m = local_moments(a.select(2, c), b.select(2, c), filter);
    // _ssim's single fraction (no clamp): ((2μxy + c1)(2σxy + c2)) / ((μx² + μy² + c1)(σx² + σy² + c2)).
    const at::Tensor map = ((2 * m.mu1_mu2 + kSsimC1) * (2 * m.sigma12 + kSsimC2)) /
                           ((m.mu1_sq + m.mu2_sq + kSsimC1) * (m.sigma1_sq + m.sigma2_sq + kSsimC2));
    sum += map.mean().item<double>();
  }
  return sum / static_cast<double>(a.size(2));
}

// ---- BasicSR torch (float32 NCHW in [0, 1] -> float64) ----

// calculate_*_pt: crop first, Y in float32 (rgb2ycbcr_pt), then float64.
at::Tensor basicsr_torch_planes(const at::Tensor& x, bool luma, int64_t crop) {
  const at::Tensor cropped = crop_last_two_dims(x, crop);
  return (luma ? ycbcr_luma(cropped) : cropped).to(at::kDouble);
}

double basicsr_torch_psnr(const at::Tensor& a, const at::Tensor& b) {
  const at::Tensor mse = (a - b).pow(2).mean({1, 2, 3});
  return (10. * at::log10(at::reciprocal(mse + kPsnrEps))).item<double>();
}

// _ssim_pth filters with F.conv2d (valid, float64). LibTorch runs float64 convolutions through an unvectorised
// im2col path (~0.2 s per 11 x 11 filter of a 256² plane, ten per channel); OpenCV's filter2D computes the same
// valid correlation 30x faster and within 2e-13 of it (README-metrics: 1.9e-13 between the two), far inside the
// 1e-10 tolerance.
double basicsr_torch_ssim(const at::Tensor& a, const at::Tensor& b) {
  const Filter filter = opencv_valid_filter(psnr_ssim_detail::basicsr_gaussian_window());
  const LocalMoments m = local_moments(a * 255., b * 255., filter);
  return ssim_map_luminance_times_cs(m, /*clamp_cs=*/false).mean({1, 2, 3}).item<double>();
}

struct ProtocolEntry {
  const char* name;
  PsnrSsimLibrary library;
  PsnrSsimChannels channels;
};
const ProtocolEntry kProtocols[] = {
    {"pyiqa-ycbcr", PsnrSsimLibrary::Pyiqa, PsnrSsimChannels::YcbcrY},
    {"pyiqa-yiq", PsnrSsimLibrary::Pyiqa, PsnrSsimChannels::YiqY},
    {"pyiqa-rgb", PsnrSsimLibrary::Pyiqa, PsnrSsimChannels::Rgb},
    {"basicsr-y", PsnrSsimLibrary::BasicsrNumpy, PsnrSsimChannels::YcbcrY},
    {"basicsr-rgb", PsnrSsimLibrary::BasicsrNumpy, PsnrSsimChannels::Rgb},
    {"basicsr-pt-y", PsnrSsimLibrary::BasicsrTorch, PsnrSsimChannels::YcbcrY},
    {"basicsr-pt-rgb", PsnrSsimLibrary::BasicsrTorch, PsnrSsimChannels::Rgb},
};

}  // namespace

namespace psnr_ssim_detail {

std::vector<double> luma_weights(PsnrSsimChannels channels) {
  switch (channels) {
    case PsnrSsimChannels::YcbcrY: return {65.481, 128.553, 24.966};
    case PsnrSsimChannels::YiqY: return {0.299, 0.587, 0.114};
    case PsnrSsimChannels::Rgb: break;
  }
  throw std::invalid_argument("psnr_ssim: RGB has no luma weights");
}

at::Tensor to_unit_float(const at::Tensor& rgb_u8) {
  return rgb_u8.permute({2, 0, 1}).unsqueeze(0).to(at::kFloat).contiguous() / 255.0f;
}

at::Tensor pyiqa_luma(const at::Tensor& x, PsnrSsimChannels channels) {
  // Y = channel 0 of rgb2yiq / rgb2ycbcr, computed in float32 with float32 constants like pyiqa; its rounding
  // to 255·Y decides ties, so exact arithmetic would round differently (README-metrics "Rounding of Y").
  if (channels == PsnrSsimChannels::YcbcrY) return ycbcr_luma(x);
  if (channels == PsnrSsimChannels::YiqY) return weighted_channel_sum(x, luma_weights(channels), 1);
  throw std::invalid_argument("psnr_ssim: pyiqa_luma needs a luma channel setting");
}

at::Tensor pyiqa_ssim_input(const at::Tensor& x, PsnrSsimChannels channels) {
  // preprocess_rgb(x, test_y_channel, data_range=255): 255·Y or 255·x, rounded half to even "to make the
  // results comparable with matlab".
  const at::Tensor scaled = channels == PsnrSsimChannels::Rgb ? x * 255 : pyiqa_luma(x, channels) * 255;
  return scaled.round();
}

at::Tensor pyiqa_ssim_map(const at::Tensor& x255, const at::Tensor& y255) {
  const Filter filter = depthwise_valid_filter(pyiqa_gaussian_window(), x255.size(1), x255.scalar_type());
  return ssim_map_luminance_times_cs(local_moments(x255, y255, filter), /*clamp_cs=*/true);
}

at::Tensor basicsr_luma(const at::Tensor& rgb_u8) {
  // to_y_channel: y = float32(u8) / 255; bgr2ycbcr(y_only): float64 dot with [24.966, 128.553, 65.481] on BGR,
  // + 16, / 255, back to float32; then * 255 in float32 (unrounded).
  const at::Tensor bgr = rgb_u8.flip({2}).to(at::kFloat) / 255.0f;
  std::vector<double> bgr_weights = luma_weights(PsnrSsimChannels::YcbcrY);
  std::reverse(bgr_weights.begin(), bgr_weights.end());
  const at::Tensor y = (weighted_channel_sum(bgr.to(at::kDouble), bgr_weights, 2) + 16.0) / 255.0;
  return y.to(at::kFloat) * 255.0f;
}

at::Tensor pyiqa_gaussian_window() {
  // matlab_utils.fspecial(11, 1.5): exp(-(x² + y²) / (2σ²)) on the grid [-5, 5]², values below eps·max zeroed,
  // normalised to sum 1 in float64, then float32.
  const double half = (kWindowSize - 1) / 2.0;
  const at::Tensor r = at::arange(-half, half + 1, at::kDouble);
  const at::Tensor x = r.view({1, kWindowSize}), y = r.view({kWindowSize, 1});
  at::Tensor h = at::exp(-(x * x + y * y) / (2. * kWindowSigma * kWindowSigma));
  h.masked_fill_(h < std::numeric_limits<double>::epsilon() * h.max(), 0.0);
  return (h / h.sum()).to(at::kFloat);
}

at::Tensor basicsr_gaussian_window() {
  cv::Mat k = cv::getGaussianKernel(kWindowSize, kWindowSigma, CV_64F);
  const at::Tensor g = at::from_blob(k.ptr<double>(), {kWindowSize}, at::kDouble).clone();
  return g.view({kWindowSize, 1}) * g.view({1, kWindowSize});  // np.outer(kernel, kernel.T)
}

}  // namespace psnr_ssim_detail

bool operator==(const PsnrSsimVariant& a, const PsnrSsimVariant& b) {
  return a.library == b.library && a.measure == b.measure && a.channels == b.channels && a.crop_border == b.crop_border;
}

std::string variant_name(const PsnrSsimVariant& v) {
  check_variant(v);
  static const char* const kLibrary[] = {"pyiqa", "basicsr", "basicsr_pt"};
  std::string name = kLibrary[static_cast<int>(v.library)];
  name += v.measure == QualityMeasure::Psnr ? "_psnr" : "_ssim";
  switch (v.channels) {
    case PsnrSsimChannels::Rgb: name += "_rgb"; break;
    case PsnrSsimChannels::YcbcrY: name += is_basicsr(v.library) ? "_y" : "_y_ycbcr"; break;
    case PsnrSsimChannels::YiqY: name += "_y_yiq"; break;
  }
  if (is_basicsr(v.library)) name += "_crop" + std::to_string(v.crop_border);
  return name;
}

PsnrSsimVariant parse_psnr_ssim_variant(const std::string& name) {
  static const std::regex kPattern("(pyiqa|basicsr_pt|basicsr)_(psnr|ssim)_(rgb|y_ycbcr|y_yiq|y)(?:_crop([0-9]+))?");
  const auto invalid = [&] {
    return std::invalid_argument("psnr_ssim: unknown variant '" + name +
                                 "'; expected pyiqa_{psnr,ssim}_{y_ycbcr,y_yiq,rgb} or "
                                 "basicsr[_pt]_{psnr,ssim}_{y,rgb}_crop<pixels>");
  };
  std::smatch m;
  if (!std::regex_match(name, m, kPattern)) throw invalid();
  PsnrSsimVariant v;
  v.library = m[1] == "pyiqa"     ? PsnrSsimLibrary::Pyiqa
              : m[1] == "basicsr" ? PsnrSsimLibrary::BasicsrNumpy
                                  : PsnrSsimLibrary::BasicsrTorch;
  v.measure = m[2] == "psnr" ? QualityMeasure::Psnr : QualityMeasure::Ssim;
  v.channels = m[3] == "rgb"     ? PsnrSsimChannels::Rgb
               : m[3] == "y_yiq" ? PsnrSsimChannels::YiqY
                                 : PsnrSsimChannels::YcbcrY;
  // One spelling per variant: the round trip rejects e.g. "pyiqa_psnr_y", "basicsr_psnr_y_ycbcr_crop4", a
  // BasicSR name without its crop or a pyiqa name with one (check_variant throws for the last).
  try {
    if (m[4].matched) v.crop_border = std::stoi(m[4]);
    if (variant_name(v) == name) return v;
  } catch (const std::logic_error&) {  // std::invalid_argument, or std::out_of_range from stoi
  }
  throw invalid();
}

std::vector<PsnrSsimVariant> psnr_ssim_variants(int basicsr_crop_border) {
  std::vector<PsnrSsimVariant> variants;
  for (QualityMeasure measure : {QualityMeasure::Psnr, QualityMeasure::Ssim})
    for (PsnrSsimChannels channels : {PsnrSsimChannels::YcbcrY, PsnrSsimChannels::Rgb, PsnrSsimChannels::YiqY})
      variants.push_back({PsnrSsimLibrary::Pyiqa, measure, channels, 0});
  for (PsnrSsimLibrary library : {PsnrSsimLibrary::BasicsrNumpy, PsnrSsimLibrary::BasicsrTorch})
    for (QualityMeasure measure : {QualityMeasure::Psnr, QualityMeasure::Ssim})
      for (PsnrSsimChannels channels : {PsnrSsimChannels::YcbcrY, PsnrSsimChannels::Rgb})
        variants.push_back({library, measure, channels, basicsr_crop_border});
  return variants;
}

double compute_psnr_ssim(const at::Tensor& dist_rgb_u8, const at::Tensor& ref_rgb_u8, const PsnrSsimVariant& v) {
  check_variant(v);
  check_images(dist_rgb_u8, ref_rgb_u8, v);
  c10::InferenceMode no_grad;
  const bool psnr = v.measure == QualityMeasure::Psnr;
  const bool luma = v.channels != PsnrSsimChannels::Rgb;
  switch (v.library) {
    case PsnrSsimLibrary::Pyiqa: {
      // SinSR calls metric(sr, gt): the distorted image is pyiqa's X, the reference its Y.
      const at::Tensor x = psnr_ssim_detail::to_unit_float(dist_rgb_u8);
      const at::Tensor y = psnr_ssim_detail::to_unit_float(ref_rgb_u8);
      return psnr ? pyiqa_psnr(x, y, v.channels) : pyiqa_ssim(x, y, v.channels);
    }
    case PsnrSsimLibrary::BasicsrNumpy: {
      const at::Tensor a = basicsr_numpy_planes(dist_rgb_u8, luma, v.crop_border);
      const at::Tensor b = basicsr_numpy_planes(ref_rgb_u8, luma, v.crop_border);
      return psnr ? basicsr_numpy_psnr(a, b) : basicsr_numpy_ssim(a, b);
    }
    case PsnrSsimLibrary::BasicsrTorch: {
      const at::Tensor a = basicsr_torch_planes(psnr_ssim_detail::to_unit_float(dist_rgb_u8), luma, v.crop_border);
      const at::Tensor b = basicsr_torch_planes(psnr_ssim_detail::to_unit_float(ref_rgb_u8), luma, v.crop_border);
      return psnr ? basicsr_torch_psnr(a, b) : basicsr_torch_ssim(a, b);
    }
  }
  throw std::logic_error("psnr_ssim: unhandled library");
}

const std::vector<std::string>& psnr_ssim_protocol_names() {
  static const std::vector<std::string> kNames = [] {
    std::vector<std::string> names;
    for (const ProtocolEntry& p : kProtocols) names.emplace_back(p.name);
    return names;
  }();
  return kNames;
}

PsnrSsimProtocol parse_psnr_ssim_protocol(const std::string& name, int basicsr_crop_border) {
  for (const ProtocolEntry& p : kProtocols) {
    if (name != p.name) continue;
    const int crop = is_basicsr(p.library) ? basicsr_crop_border : 0;
    return {{p.library, QualityMeasure::Psnr, p.channels, crop}, {p.library, QualityMeasure::Ssim, p.channels, crop}};
  }
  std::string known;
  for (const std::string& n : psnr_ssim_protocol_names()) known += (known.empty() ? "" : ", ") + n;
  throw std::invalid_argument("psnr_ssim: unknown protocol '" + name + "'; known: " + known);
}

PsnrSsimScores compute_psnr_and_ssim(const at::Tensor& dist_rgb_u8, const at::Tensor& ref_rgb_u8,
                                     const PsnrSsimProtocol& protocol) {
  return {compute_psnr_ssim(dist_rgb_u8, ref_rgb_u8, protocol.psnr),
          compute_psnr_ssim(dist_rgb_u8, ref_rgb_u8, protocol.ssim)};
}

}  // namespace sinsr::metrics
