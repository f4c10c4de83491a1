#include "trainer/distill_objective.h"

#include <torch/torch.h>

#include "trainer/validation_psnr.h"

namespace sinsr::train {

namespace {

// Batches are read on the CPU; the step runs where the network lives.
pairs::PairRows on_device(const pairs::PairRows& b, const c10::Device& device) {
  auto move = [&](const at::Tensor& t) { return t.defined() ? t.to(device, /*non_blocking=*/true) : t; };
  return {move(b.x_T), move(b.z_teacher), move(b.z_gt), move(b.lq), b.index, move(b.gt)};
}

}  // namespace

DistillObjective::DistillObjective(std::unique_ptr<PairSource> data, const Diffusion& diffusion,
                                   const LossWeights& weights, uint64_t seed)
    : data_(std::move(data)),
      diffusion_(diffusion),
      weights_(weights),
      seed_(seed),
      decode_(diffusion_.first_stage().can_code()) {}

StagedBatch DistillObjective::load(int64_t step, int64_t batch, int rank, int64_t per_rank, const c10::Device& device) {
  const std::vector<int64_t> all = data_->step_indices(step, batch, seed_);
  const std::vector<int64_t> mine(all.begin() + rank * per_rank, all.begin() + (rank + 1) * per_rank);
  const pairs::PairRows rows = on_device(data_->load(mine), device);
  StagedBatch b;
  b.add("x_T", rows.x_T);
  b.add("z_teacher", rows.z_teacher);
  b.add("z_gt", rows.z_gt);
  b.add("lq", rows.lq);
  return b;
}

at::Tensor DistillObjective::losses(nn::UNetModelSwinImpl& net, const StagedBatch& samples) const {
  const LossTerms l =
      sinsr_losses(net, diffusion_, samples["x_T"], samples["z_teacher"], samples["z_gt"], samples["lq"], weights_);
  return at::stack({l.per_sample, l.distill, l.inverse, l.gt});
}

// The student's one-step prediction on held-out pairs against the teacher's output and the GT (latent
// MSE), and, when images can be had (pixel space, or latent space with the autoencoder), against the GT
// image (PSNR; the teacher's own PSNR alongside as the bar to reach).
Json DistillObjective::validate(nn::UNetModelSwinImpl& net, int64_t micro) {
  const std::vector<int64_t> held = data_->held_out();
  if (held.empty()) return Json::object();
  double mse_teacher = 0, mse_gt = 0, psnr = 0, teacher_psnr = 0;
  for (size_t i = 0; i < held.size(); i += static_cast<size_t>(micro)) {
    const std::vector<int64_t> chunk(
        held.begin() + static_cast<std::ptrdiff_t>(i),
        held.begin() + static_cast<std::ptrdiff_t>(std::min(held.size(), i + static_cast<size_t>(micro))));
    const pairs::PairRows b = on_device(data_->load(chunk, decode_), net.parameters().front().device());
    const at::Tensor x0 = diffusion_.predict_one_step(
        [&](const at::Tensor& x, const at::Tensor& t, const at::Tensor& lq) { return net.forward(x, t, lq); }, b.x_T,
        b.lq);
    mse_teacher += (x0 - b.z_teacher).pow(2).mean({1, 2, 3}).sum().item<double>();
    mse_gt += (x0 - b.z_gt).pow(2).mean({1, 2, 3}).sum().item<double>();
    if (decode_) {
      psnr += summed_psnr(diffusion_.decode_first_stage(x0), b.gt);
      teacher_psnr += summed_psnr(diffusion_.decode_first_stage(b.z_teacher), b.gt);
    }
  }
  const auto n = static_cast<double>(held.size());
  Json j = Json::object();
  j.set("val_mse_teacher", Json::number(mse_teacher / n));
  j.set("val_mse_gt", Json::number(mse_gt / n));
  if (decode_) {
    j.set("val_psnr", Json::number(psnr / n));
    j.set("teacher_psnr", Json::number(teacher_psnr / n));
  }
  return j;
}

}  // namespace sinsr::train
