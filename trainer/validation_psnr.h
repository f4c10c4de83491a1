// The PSNR the training validations report: images in the networks' range [-1, 1] (the prediction clamped
// first), dB per sample, summed over the batch (callers divide by their sample count).
#pragma once
#include <ATen/ATen.h>

namespace sinsr::train {

inline double summed_psnr(const at::Tensor& prediction, const at::Tensor& target) {
  const at::Tensor mse = ((prediction.clamp(-1, 1) - target) / 2).pow(2).mean({1, 2, 3});
  return (-10.0 * at::log10(mse.clamp_min(1e-12))).sum().item<double>();
}

}  // namespace sinsr::train
