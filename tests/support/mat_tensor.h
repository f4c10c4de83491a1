// Conversions between the data pipeline's images (cv::Mat HWC) and the fixtures' tensors (CHW).
#pragma once
#include <ATen/core/Tensor.h>
#include <opencv2/core/mat.hpp>

namespace sinsr::test {

// [3, H, W] float -> CV_32FC3 (RGB order kept).
cv::Mat chw_to_mat(const at::Tensor& chw);
// CV_32FC3 or CV_8UC3 -> [3, H, W] float32 (uint8 values unscaled).
at::Tensor mat_to_chw(const cv::Mat& hwc);
// [K, K] -> CV_64F.
cv::Mat tensor_to_kernel(const at::Tensor& kk);

}  // namespace sinsr::test
