#include "trainer/teacher_objective.h"

#include <torch/torch.h>

#include "core/data/pair_loader.h"
#include "core/diffusion/first_stage.h"
#include "core/nn/resize.h"
#include "core/nn/unet_swin.h"
#include "core/util/config.h"
#include "core/util/errors.h"
#include "core/util/rng.h"
#include "core/util/seed.h"
#include "core/util/sha256.h"
#include "trainer/sinsr_losses.h"
#include "trainer/validation_psnr.h"

namespace sinsr::train {

namespace {

// Validation pairs come from this far along the stream, where no training run gets.
constexpr int64_t kValidationFirst = int64_t{1} << 40;

at::Tensor to_pm1(const at::Tensor& u8, const c10::Device& device) {
  return (u8.to(device, at::kFloat) / 255.0) * 2 - 1;
}

}  // namespace

TeacherObjective::TeacherObjective(const Config& cfg, const TrainConfig& train, FirstStage first_stage,
                                   const std::string& autoencoder_sha256)
    : synth_(data::PairSynthesizer::from_config(cfg)),
      diffusion_(DiffusionConfig::from_config(cfg), std::move(first_stage)),
      seed_(static_cast<uint64_t>(train.seed)),
      workers_(static_cast<int>(synth_.data_config().workers)),
      val_samples_(train.val_samples),
      identity_("teacher:" + sha256_hex(cfg.to_ini({"diffusion", "degradation", "data"})) + ":" + autoencoder_sha256) {
  if (synth_.degradation_config().sf != diffusion_.config().sf)
    throw UsageError("degradation.sf (" + std::to_string(synth_.degradation_config().sf) + ") and diffusion.sf (" +
                     std::to_string(diffusion_.config().sf) + ") must be the same scale factor");
}

std::string TeacherObjective::describe() const {
  return "ResShift objective in " + std::string(diffusion_.first_stage().is_latent() ? "latent" : "pixel") +
         " space on " + std::to_string(synth_.size()) + " HR photo(s), pairs synthesised online (x" +
         std::to_string(diffusion_.config().sf) + ")";
}

StagedBatch TeacherObjective::stage(int64_t first, int64_t count, const c10::Device& device, bool with_images) {
  data::PairLoader loader(synth_, first, count, {count, workers_ > 0 ? workers_ : 1, 1});
  const data::PairBatch pb = *loader.next();
  at::NoGradGuard no_grad;
  const at::Tensor lq = to_pm1(pb.lq, device), gt = to_pm1(pb.gt, device);
  const at::Tensor z0 = diffusion_.encode_first_stage(gt, /*up_sample=*/false);
  const at::Tensor z_y = diffusion_.encode_first_stage(lq, /*up_sample=*/true);
  // Per sample: t ~ U{0 .. T-1}, eps ~ N(0, I), both from the sample's own generator.
  std::vector<at::Tensor> z_t;
  std::vector<int64_t> ts;
  for (int64_t i = 0; i < count; ++i) {
    at::Generator gen = make_generator(derive_seed(seed_, "teacher_t_eps", static_cast<uint64_t>(first + i)));
    const int64_t t = at::randint(diffusion_.schedule().num_timesteps, {1}, gen, at::kLong).item<int64_t>();
    const at::Tensor eps = at::randn(z0[i].sizes(), gen, at::kFloat).to(device);
    z_t.push_back(diffusion_.q_sample(z0[i], z_y[i], t, eps));
    ts.push_back(t);
  }
  StagedBatch b;
  b.add("z0", z0);
  b.add("z_t", at::stack(z_t));
  b.add("lq", lq);
  const at::Tensor t_host = at::tensor(ts, at::kLong);
  b.add("t", t_host.to(device));
  b.add("t_host", t_host);
  if (with_images) {
    b.add("gt", gt);
    b.add("z_y", z_y);
  }
  return b;
}

StagedBatch TeacherObjective::load(int64_t step, int64_t batch, int rank, int64_t per_rank, const c10::Device& device) {
  return stage((step - 1) * batch + rank * per_rank, per_rank, device);
}

at::Tensor TeacherObjective::losses(nn::UNetModelSwinImpl& net, const StagedBatch& samples) const {
  const at::Tensor& z_t = samples["z_t"];
  const auto t_host = samples["t_host"].accessor<int64_t, 1>();
  std::vector<at::Tensor> scaled;  // each sample scaled by the std of its own t
  for (int64_t i = 0; i < samples.size(); ++i) scaled.push_back(diffusion_.scale_input(z_t[i], t_host[i]));
  const at::Tensor x0 = net.forward(at::stack(scaled), samples["t"], samples["lq"]);
  return mse_per_sample(samples["z0"], x0).unsqueeze(0);
}

Json TeacherObjective::validate(nn::UNetModelSwinImpl& net, int64_t micro) {
  if (val_samples_ < 1) return Json::object();
  const c10::Device device = net.parameters().front().device();
  const Denoiser model = [&](const at::Tensor& x, const at::Tensor& t, const at::Tensor& lq) {
    return net.forward(x, t, lq);
  };
  double loss = 0, psnr_chain = 0, psnr_one = 0, psnr_bicubic = 0;
  for (int64_t first = 0; first < val_samples_; first += micro) {
    const int64_t n = std::min(micro, val_samples_ - first);
    const StagedBatch b = stage(kValidationFirst + first, n, device, /*with_images=*/true);
    const at::Tensor &gt = b["gt"], &z_y = b["z_y"], &lq = b["lq"];
    loss += losses(net, b).sum().item<double>();
    std::vector<at::Tensor> eps;
    for (int64_t i = 0; i < n; ++i) {
      at::Generator gen =
          make_generator(derive_seed(seed_, "x_T", static_cast<uint64_t>(kValidationFirst + first + i)));
      eps.push_back(at::randn(z_y[i].sizes(), gen, at::kFloat));
    }
    const at::Tensor x_T = diffusion_.prior_sample(z_y, at::stack(eps).to(device));
    const at::Tensor chain = diffusion_.sample_deterministic(model, x_T, z_y, lq).sample;
    psnr_chain += summed_psnr(diffusion_.decode_first_stage(chain), gt);
    psnr_one += summed_psnr(diffusion_.decode_first_stage(diffusion_.predict_one_step(model, x_T, lq)), gt);
    psnr_bicubic += summed_psnr(nn::upsample_bicubic(lq, diffusion_.config().sf), gt);
  }
  const auto count = static_cast<double>(val_samples_);
  Json j = Json::object();
  j.set("val_loss", Json::number(loss / count));
  j.set("val_psnr", Json::number(psnr_chain / count));
  j.set("val_psnr_one_step", Json::number(psnr_one / count));
  j.set("bicubic_psnr", Json::number(psnr_bicubic / count));
  return j;
}

}  // namespace sinsr::train
