#include "trainer/sinsr_losses.h"

#include <torch/torch.h>

namespace sinsr::train {

namespace {

at::Tensor mse_per_sample(const at::Tensor& target, const at::Tensor& pred) {
  return (target - pred).pow(2).mean({1, 2, 3});
}

}  // namespace

LossTerms sinsr_losses(nn::UNetModelSwinImpl& student, const Diffusion& diffusion, const at::Tensor& x_T,
                       const at::Tensor& z_teacher, const at::Tensor& z_gt, const at::Tensor& lq, const LossWeights& w) {
  const int64_t T = diffusion.last_timestep();
  auto at_t = [&](int64_t t) { return at::full({x_T.size(0)}, t, x_T.options().dtype(at::kLong)); };
  // Every call scales its input with the t = T-1 standard deviation, whatever timestep it passes.
  auto f = [&](const at::Tensor& x, int64_t t) { return student.forward(diffusion.scale_input(x, T), at_t(t), lq); };

  LossTerms l;
  l.distill = mse_per_sample(z_teacher, f(x_T, T));
  l.inverse = mse_per_sample(x_T, f(z_teacher, 0));
  at::Tensor x_T_of_gt;
  {
    torch::NoGradGuard no_grad;  // the reference's stop-gradient
    x_T_of_gt = f(z_gt, 0);
  }
  l.gt = mse_per_sample(z_gt, f(x_T_of_gt, T));
  l.per_sample = w.distill * l.distill + w.inverse * l.inverse + w.gt * l.gt;
  return l;
}

}  // namespace sinsr::train
