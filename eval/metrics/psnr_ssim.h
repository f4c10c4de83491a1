// PSNR and SSIM exactly as the reference libraries compute them, in every variant the evaluation may need:
// pyiqa 0.1.6.4 (what SinSR's evaluate.py reports), BasicSR 1.4.2's numpy functions (calculate_psnr/ssim) and
// its torch functions (calculate_psnr_pt/ssim_pt). The variants differ in colour handling, rounding, border
// crop, precision and constants, so each one is named after its reference call (see
// tests/fixtures/parity/README-metrics.md, section 1).
//
// Every variant is defined from the 8-bit image, so the input is the uint8 RGB image itself: an at::Tensor
// of dtype kByte and shape [H, W, 3]. pyiqa and basicsr_pt see it as float32(u8) / 255 (what SinSR's imread
// returns), BasicSR numpy as the BGR uint8 array cv2.imread returns.
#pragma once
#include <ATen/core/Tensor.h>

#include <string>
#include <vector>

namespace sinsr::metrics {

// Which reference implementation a variant reproduces.
enum class PsnrSsimLibrary {
  Pyiqa,         // pyiqa 0.1.6.4 create_metric('psnr' | 'ssim', ...): float32, [0, 1] input, pyiqa_* names
  BasicsrNumpy,  // basicsr.metrics.calculate_psnr / calculate_ssim on BGR uint8: float64, basicsr_* names
  BasicsrTorch,  // basicsr.metrics.calculate_psnr_pt / calculate_ssim_pt on [0, 1] float32: basicsr_pt_*
};
enum class QualityMeasure { Psnr, Ssim };
// The plane(s) compared: all three RGB channels, or the luma of BT.601 YCbCr (pyiqa 'ycbcr', BasicSR's only
// Y) or of YIQ (pyiqa's default color_space).
enum class PsnrSsimChannels { Rgb, YcbcrY, YiqY };

struct PsnrSsimVariant {
  PsnrSsimLibrary library = PsnrSsimLibrary::Pyiqa;
  QualityMeasure measure = QualityMeasure::Psnr;
  PsnrSsimChannels channels = PsnrSsimChannels::YcbcrY;
  int crop_border = 0;  // pixels removed on every side first (BasicSR only; pyiqa variants use 0)
};
bool operator==(const PsnrSsimVariant& a, const PsnrSsimVariant& b);

// The fixture / report name: "pyiqa_psnr_y_ycbcr", "pyiqa_ssim_rgb", "basicsr_ssim_y_crop4",
// "basicsr_pt_psnr_rgb_crop4", ...
std::string variant_name(const PsnrSsimVariant& variant);
// The inverse of variant_name; throws std::invalid_argument naming the accepted forms.
PsnrSsimVariant parse_psnr_ssim_variant(const std::string& name);
// Every variant: the six pyiqa ones, then BasicSR numpy and torch PSNR/SSIM on Y and RGB with the given crop.
std::vector<PsnrSsimVariant> psnr_ssim_variants(int basicsr_crop_border);

// The value of one variant for a distorted (e.g. super-resolved) image and its reference, both [H, W, 3]
// uint8 RGB of the same size. PSNR in dB, SSIM unitless. pyiqa values are the float32 the reference returns
// (identical images: PSNR 10·log10(1/1e-8) = 80 dB, SSIM 1); BasicSR numpy PSNR is +inf for identical images.
// Throws std::invalid_argument for a wrong dtype/shape, differing sizes, or an image too small for the crop
// and the 11 x 11 SSIM window.
double compute_psnr_ssim(const at::Tensor& dist_rgb_u8, const at::Tensor& ref_rgb_u8, const PsnrSsimVariant& variant);

// A PSNR and an SSIM variant reported together. "pyiqa-ycbcr" is the SinSR paper's protocol
// (pyiqa_psnr_y_ycbcr + pyiqa_ssim_y_ycbcr: BT.601 Y of the whole image, no crop).
struct PsnrSsimProtocol {
  PsnrSsimVariant psnr;
  PsnrSsimVariant ssim;
};
inline constexpr const char* kSinsrPsnrSsimProtocol = "pyiqa-ycbcr";
// "pyiqa-ycbcr", "pyiqa-yiq", "pyiqa-rgb", "basicsr-y", "basicsr-rgb", "basicsr-pt-y", "basicsr-pt-rgb".
const std::vector<std::string>& psnr_ssim_protocol_names();
// basicsr_crop_border applies to the basicsr* protocols only (BasicSR's convention: the SR scale).
// Throws std::invalid_argument listing the known names.
PsnrSsimProtocol parse_psnr_ssim_protocol(const std::string& name, int basicsr_crop_border = 4);

struct PsnrSsimScores {
  double psnr;
  double ssim;
};
PsnrSsimScores compute_psnr_and_ssim(const at::Tensor& dist_rgb_u8, const at::Tensor& ref_rgb_u8,
                                     const PsnrSsimProtocol& protocol);

// The building blocks, exposed so that the parity test can compare the reference's intermediates.
namespace psnr_ssim_detail {

// [H, W, 3] uint8 -> [1, 3, H, W] float32 u8 / 255 (correctly rounded float32 division).
at::Tensor to_unit_float(const at::Tensor& rgb_u8);
// pyiqa to_y_channel(x, 1.0, colour space): the luma of [N, 3, H, W] RGB in [0, 1] as [N, 1, H, W] float32,
// not rounded (what pyiqa's Y PSNR compares). channels must be YcbcrY or YiqY.
at::Tensor pyiqa_luma(const at::Tensor& x, PsnrSsimChannels channels);
// What pyiqa's SSIM filters: round(255 * Y) (half to even), or round(255 * x) per channel for Rgb.
at::Tensor pyiqa_ssim_input(const at::Tensor& x, PsnrSsimChannels channels);
// pyiqa's ssim map of two such inputs (valid 11 x 11 filtering, cs clamped at 0): [N, C, H - 10, W - 10].
at::Tensor pyiqa_ssim_map(const at::Tensor& x255, const at::Tensor& y255);
// BasicSR to_y_channel of an [H, W, 3] uint8 RGB image (used as BGR): [H, W, 1] float32 in [0, 255], unrounded.
at::Tensor basicsr_luma(const at::Tensor& rgb_u8);
// pyiqa fspecial(11, 1.5) (float32) and the outer product of cv2.getGaussianKernel(11, 1.5) (float64), [11, 11].
at::Tensor pyiqa_gaussian_window();
at::Tensor basicsr_gaussian_window();
// The luma weights applied to (R, G, B): BT.601 [65.481, 128.553, 24.966] (then +16, /255) and YIQ
// [0.299, 0.587, 0.114].
std::vector<double> luma_weights(PsnrSsimChannels channels);

}  // namespace psnr_ssim_detail
}  // namespace sinsr::metrics
