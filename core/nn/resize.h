// Bicubic upsampling by an integer factor, as the reference does it everywhere (F.interpolate(scale_factor=sf,
// mode='bicubic', align_corners=False)): the LR input of the diffusion (z_y), bicubic baselines and the enlarged
// LR crops of reports. Values are not clamped.
#pragma once
#include <ATen/core/Tensor.h>

#include <cstdint>

namespace sinsr::nn {

// [B, C, H, W] -> [B, C, sf H, sf W], or [C, H, W] -> [C, sf H, sf W].
at::Tensor upsample_bicubic(const at::Tensor& images, int64_t sf);

}  // namespace sinsr::nn
