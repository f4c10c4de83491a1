#include "tests/support/mat_tensor.h"

#include <ATen/ATen.h>

namespace sinsr::test {

cv::Mat chw_to_mat(const at::Tensor& chw) {
  const at::Tensor hwc = chw.to(at::kFloat).permute({1, 2, 0}).contiguous();
  return cv::Mat(static_cast<int>(hwc.size(0)), static_cast<int>(hwc.size(1)), CV_32FC3, hwc.data_ptr<float>()).clone();
}

at::Tensor mat_to_chw(const cv::Mat& hwc) {
  cv::Mat f;
  hwc.convertTo(f, CV_32FC3);
  const at::Tensor t = at::from_blob(f.data, {f.rows, f.cols, 3}, at::kFloat);
  return t.permute({2, 0, 1}).contiguous();  // copies out of f
}

cv::Mat tensor_to_kernel(const at::Tensor& kk) {
  const at::Tensor k = kk.to(at::kDouble).contiguous();
  return cv::Mat(static_cast<int>(k.size(0)), static_cast<int>(k.size(1)), CV_64F, k.data_ptr<double>()).clone();
}

}  // namespace sinsr::test
