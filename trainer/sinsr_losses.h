// SinSR's three distillation losses (docs/method.md §4.3), all plain per-sample MSEs on VQ latents:
//   L_distill = mean_chw (z_teacher - f(x_T s_T, T-1))^2          the student imitates F(x_T, y)
//   L_inverse = mean_chw (x_T - f(z_teacher s_T, 0))^2            and learns its inverse
//   L_gt      = mean_chw (z_gt - f(f(z_gt s_T, 0) s_T, T-1))^2    GT consistency; the inner call without grad
// with s_T = 1 / sqrt(kappa^2 eta_{T-1} + 1) for every call, also the t = 0 ones (the reference's quirk).
#pragma once
#include <ATen/core/Tensor.h>

#include "core/diffusion/diffusion.h"
#include "core/nn/unet_swin.h"

namespace sinsr::train {

struct LossWeights {
  double distill = 1.0, inverse = 1.0, gt = 1.0;  // train.w_distill / w_inverse / w_gt (paper: 1, 1, 1)
};

struct LossTerms {
  at::Tensor distill, inverse, gt;  // per sample [B], differentiable (gt: through the outer call only)
  at::Tensor per_sample;            // weighted sum [B]
};

// mean_chw (target - pred)^2 per sample [B]: every loss term of both objectives (teacher_objective.h too).
at::Tensor mse_per_sample(const at::Tensor& target, const at::Tensor& pred);

// x_T, z_teacher, z_gt: [B, C, h, w] latents; lq: [B, 3, H, W] in [-1, 1].
LossTerms sinsr_losses(nn::UNetModelSwinImpl& student, const Diffusion& diffusion, const at::Tensor& x_T,
                       const at::Tensor& z_teacher, const at::Tensor& z_gt, const at::Tensor& lq, const LossWeights& w);

}  // namespace sinsr::train
