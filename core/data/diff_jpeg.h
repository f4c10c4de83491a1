// JPEG compression at a real-valued quality, as the reference simulates it: a C++ port of basicsr's
// DiffJPEG(differentiable=False) (docs/method.md §5.3), not libjpeg.
//
// Why not libjpeg (through OpenCV): the reference trains on DiffJPEG's output, and libjpeg differs from it
// in ways the student would learn: it takes integer qualities only (the reference draws U(30, 95)
// continuously), uses the standard tables un-transposed (DiffJPEG stores them transposed), subsamples
// chroma with its own filters and upsamples with "fancy" triangular interpolation (DiffJPEG: 2x2 mean,
// nearest), pads edges by replication (DiffJPEG: zeros to a multiple of 16), and rounds differently in its
// integer DCT. Entropy coding is lossless, so skipping it changes nothing but the run time.
#pragma once
#include <opencv2/core/mat.hpp>

namespace sinsr::data {

// quality in (0, 100) (at 100 DiffJPEG's quantiser divides by zero); image RGB float32 in [0, 1] (CV_32FC3). Returns
// the decoded image, clamped to [0, 1].
cv::Mat diff_jpeg(const cv::Mat& image, double quality);

// The reference's quality_to_factor, in float32: q < 50 ? 50 / q : (200 - 2 q) / 100.
float jpeg_quality_to_factor(float quality);

}  // namespace sinsr::data
