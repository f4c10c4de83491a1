#include "core/nn/resize.h"

#include <ATen/ATen.h>

namespace sinsr::nn {

at::Tensor upsample_bicubic(const at::Tensor& images, int64_t sf) {
  if (images.dim() == 3) return upsample_bicubic(images.unsqueeze(0), sf)[0];
  // With an integer factor the output size fixes the same scale (H / (sf H) = 1 / sf) that scale_factor gives.
  return at::upsample_bicubic2d(images, {images.size(2) * sf, images.size(3) * sf}, /*align_corners=*/false);
}

}  // namespace sinsr::nn
