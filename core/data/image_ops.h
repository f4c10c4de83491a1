// The deterministic image operations of the degradation pipeline, on RGB float32 images in [0, 1]
// (cv::Mat CV_32FC3, H x W), reproducing what the reference computes with PyTorch on the GPU.
#pragma once
#include <opencv2/core/mat.hpp>

#include <cstdint>
#include <string>

namespace sinsr::data {

// basicsr filter2D: reflect padding (PyTorch 'reflect' = OpenCV REFLECT_101) of k/2, then
// cross-correlation with an odd K x K kernel (any float depth). Zero rows/columns around the kernel are
// trimmed first: they cannot change the result and cost time.
cv::Mat filter2d(const cv::Mat& image, const cv::Mat& kernel);

// F.interpolate modes (align_corners = False, no antialias; bicubic with A = -0.75).
enum class ResizeMode { Area, Bilinear, Bicubic };
const char* resize_mode_name(ResizeMode mode);
ResizeMode parse_resize_mode(const std::string& name);  // throws std::invalid_argument

// F.interpolate(x, scale_factor=s): output floor(in * s), and bilinear/bicubic map output to input
// coordinates with 1/s itself (torch 1.13 without recompute_scale_factor), not with in/out.
cv::Mat resize_by_scale(const cv::Mat& image, double scale, ResizeMode mode);
// F.interpolate(x, size=(h, w)): coordinates map with in/out.
cv::Mat resize_to(const cv::Mat& image, int height, int width, ResizeMode mode);

// basicsr USMSharp: blur with the radius x radius Gaussian of cv2.getGaussianKernel(radius, 0) (an even
// radius is made odd), residual = img - blur, a soft mask (the same blur of |residual| * 255 > threshold),
// and mask * clip(img + weight * residual, 0, 1) + (1 - mask) * img.
cv::Mat usm_sharpen(const cv::Mat& image, double weight = 0.5, double threshold = 10, int radius = 50);

// clamp(round(x * 255), 0, 255) with round half to even, as uint8 (CV_8UC3). Throws std::domain_error on
// NaN or Inf, so that non-finite values never leave the pipeline.
cv::Mat quantize_to_u8(const cv::Mat& image);

}  // namespace sinsr::data
