// The metrics one evaluation reports, built from the [eval] config: PSNR/SSIM in the configured variants,
// LPIPS per backbone, CLIPIQA, MUSIQ. A neural metric whose weight files are not configured is left out
// with a note saying which key to set, never faked; reference metrics are left out without a reference.
#pragma once
#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <functional>
#include <string>
#include <vector>

#include "eval/eval_config.h"

namespace sinsr::eval {

struct MetricColumn {
  std::string metric;   // psnr, ssim, lpips, clipiqa, musiq
  std::string variant;  // pyiqa-ycbcr, basicsr-y, alex, rn50, koniq, ...
  bool higher_is_better = true;
};

class MetricSuite {
 public:
  // `metrics` and `psnr_ssim_variants` as in eval.metrics / eval.psnr_ssim_variants (a benchmark may
  // override them); weight files and settings from [eval]. The metric networks run on `device`; PSNR and
  // SSIM stay on the CPU (float64, as the reference computes them). Throws UsageError for an unknown name
  // and std::runtime_error (naming the file) for a weight file that does not load.
  MetricSuite(const EvalConfig& eval, const std::vector<std::string>& metrics,
              const std::vector<std::string>& psnr_ssim_variants, bool have_reference,
              const c10::Device& device = c10::kCPU);

  const std::vector<MetricColumn>& columns() const { return columns_; }
  // One line per metric that was asked for but is not computed, with what to do about it.
  const std::vector<std::string>& notes() const { return notes_; }

  // One value per column for an output image and its reference (undefined when there is none), both
  // uint8 [H, W, 3] RGB. Throws std::runtime_error when the sizes differ.
  std::vector<double> score(const at::Tensor& pred_u8, const at::Tensor& ref_u8);

 private:
  struct Images {
    const at::Tensor &pred_u8, &ref_u8;
    at::Tensor pred01, ref01;  // [1, 3, H, W] float32 u8 / 255
  };
  std::vector<MetricColumn> columns_;
  std::vector<std::function<double(const Images&)>> scorers_;
  std::vector<std::string> notes_;
  void add(MetricColumn column, std::function<double(const Images&)> scorer);
};

}  // namespace sinsr::eval
