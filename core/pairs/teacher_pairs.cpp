#include "core/pairs/teacher_pairs.h"

#include <torch/torch.h>

#include "core/util/rng.h"

namespace sinsr::pairs {

TeacherPairs::TeacherPairs(nn::UNetModelSwin teacher, const Diffusion& diffusion, uint64_t seed)
    : teacher_(std::move(teacher)),
      diffusion_(diffusion),
      seed_(seed),
      chain_("datagen teacher chain", [net = teacher_, diffusion](const std::vector<at::Tensor>& in) mutable {
        const Denoiser model = [&](const at::Tensor& x, const at::Tensor& t, const at::Tensor& lq) {
          return net->forward(x, t, lq);
        };
        return diffusion.sample_deterministic(model, in[0], in[1], in[2]).sample;
      }) {
  teacher_->eval();
}

PairLatents TeacherPairs::compute(const data::PairBatch& batch) {
  c10::InferenceMode inference;
  const auto device = teacher_->parameters().front().device();
  // uint8 -> [-1, 1], what the reference feeds the networks.
  auto to_pm1 = [&](const at::Tensor& u8) { return (u8.to(device, at::kFloat) / 255.0) * 2 - 1; };
  const at::Tensor y = to_pm1(batch.lq), gt = to_pm1(batch.gt);
  PairLatents out;
  out.z_y = diffusion_.encode_first_stage(y, /*up_sample=*/true);
  out.z_gt = diffusion_.encode_first_stage(gt, /*up_sample=*/false);
  std::vector<at::Tensor> eps;
  for (int64_t r = 0; r < batch.index.size(0); ++r) {
    at::Generator gen =
        make_generator(derive_seed(seed_, "x_T", static_cast<uint64_t>(batch.index[r].item<int64_t>())));
    eps.push_back(at::randn(out.z_y[r].sizes(), gen, at::kFloat));
  }
  out.x_T = diffusion_.prior_sample(out.z_y, at::stack(eps).to(device));
  out.z_teacher = chain_({out.x_T, out.z_y, y});
  for (at::Tensor* t : {&out.x_T, &out.z_teacher, &out.z_y, &out.z_gt}) *t = t->to(at::kCPU).contiguous();
  return out;
}

}  // namespace sinsr::pairs
