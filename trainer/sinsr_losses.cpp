#include "trainer/sinsr_losses.h"

#include <torch/torch.h>

namespace sinsr::train {

at::Tensor mse_per_sample(const at::Tensor& target, const at::Tensor& pred) {
  return (target - pred).pow(2).mean({1, 2, 3});
}

LossTerms sinsr_losses(nn::UNetModelSwinImpl& student, const Diffusion& diffusion, const at::Tensor& x_T,
                       const at::Tensor& z_teacher, const at::Tensor& z_gt, const at::Tensor& lq,
                       const LossWeights& w) {
  const int64_t T = diffusion.last_timestep(), B = x_T.size(0);
  auto at_t = [&](int64_t t) { return at::full({B}, t, x_T.options().dtype(at::kLong)); };
  // Every call scales its input with the t = T-1 standard deviation, whatever timestep it passes.
  at::Tensor x_T_of_gt;
  {
    torch::NoGradGuard no_grad;  // the reference's stop-gradient
    x_T_of_gt = student.forward(diffusion.scale_input(z_gt, T), at_t(0), lq);
  }
  // The three differentiated calls as one batch of 3B (timesteps T-1, 0, T-1): the network treats samples
  // independently, so this is the reference's three calls, but one forward and one backward over a larger
  // batch run several times faster on CPU than three small ones (tools/bench: bench_networks --only step).
  const at::Tensor out = student.forward(diffusion.scale_input(at::cat({x_T, z_teacher, x_T_of_gt}), T),
                                         at::cat({at_t(T), at_t(0), at_t(T)}), at::cat({lq, lq, lq}));
  LossTerms l;
  l.distill = mse_per_sample(z_teacher, out.narrow(0, 0, B));
  l.inverse = mse_per_sample(x_T, out.narrow(0, B, B));
  l.gt = mse_per_sample(z_gt, out.narrow(0, 2 * B, B));
  l.per_sample = w.distill * l.distill + w.inverse * l.inverse + w.gt * l.gt;
  return l;
}

}  // namespace sinsr::train
