// Blur kernels of the Real-ESRGAN degradation (basicsr/data/degradations.py; docs/method.md §5.2). Kernels are
// float64 K x K cv::Mats, row = y, column = x, normalised to sum 1, like the reference's numpy arrays.
#pragma once
#include <opencv2/core/mat.hpp>

#include <string>
#include <vector>

#include "core/data/sample_rng.h"

namespace sinsr::data {

// Gaussian exp(-Q/2), Q = g' S^-1 g on the grid g = (x, y) in [-(K-1)/2, (K-1)/2]^2. Isotropic kernels
// use S = sig_x^2 I and ignore sig_y and theta; anisotropic ones S = R diag(sig_x^2, sig_y^2) R'.
cv::Mat bivariate_gaussian(int size, double sig_x, double sig_y, double theta, bool isotropic);
// exp(-Q^beta / 2): the power of the quadratic form itself, as the reference computes it.
cv::Mat bivariate_generalized_gaussian(int size, double sig_x, double sig_y, double theta, double beta, bool isotropic);
// 1 / (Q^beta + 1).
cv::Mat bivariate_plateau(int size, double sig_x, double sig_y, double theta, double beta, bool isotropic);
// Circular low-pass (2-D sinc / jinc): cutoff J1(cutoff r) / (2 pi r), centre cutoff^2 / (4 pi), zero-padded
// to pad_to when pad_to > size.
cv::Mat circular_lowpass_kernel(double cutoff, int size, int pad_to = 0);
// A delta of size x size.
cv::Mat pulse_kernel(int size);
// Zero-pads a kernel symmetrically to size x size (no-op when it is not smaller).
cv::Mat pad_kernel(const cv::Mat& kernel, int size);

// The reference's random_mixed_kernels types, in its kernel_list order.
enum class KernelType { Iso, Aniso, GeneralizedIso, GeneralizedAniso, PlateauIso, PlateauAniso, Sinc, Pulse };
const char* kernel_type_name(KernelType type);

// One blur stage's settings ([degradation] blur_kernel_size, kernel_prob, sinc_prob, blur_sigma,
// betag_range, betap_range, or their '2' twins).
struct BlurKernelConfig {
  int pad_size = 21;               // kernels are padded to this; sizes are drawn from {3, 5, ..., pad_size - 2}
  std::vector<double> type_probs;  // 6 weights in KernelType order Iso..PlateauAniso
  double sinc_prob = 0.1;
  double sigma_low = 0.2, sigma_high = 3.0;
  double betag_low = 0.5, betag_high = 4.0;
  double betap_low = 1.0, betap_high = 2.0;
};

struct DrawnKernel {
  cv::Mat kernel;  // pad_size x pad_size, float64
  KernelType type;
  int size;  // before padding
};

// A first- or second-order blur kernel (RealESRGANDataset.__getitem__): size uniform from the range; with
// sinc_prob a sinc with cutoff U(pi/3, pi) (U(pi/5, pi) from size 13 up), else a random mixed kernel.
DrawnKernel draw_blur_kernel(SampleRng& rng, const BlurKernelConfig& cfg);
// The final sinc filter: with `prob` a sinc of size from {3, ..., pad_size - 2}, cutoff U(pi/3, pi); else a
// pulse. Padded to pad_size.
DrawnKernel draw_final_sinc_kernel(SampleRng& rng, double prob, int pad_size);

}  // namespace sinsr::data
