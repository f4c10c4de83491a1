// One SinSR training step against loss_*.h5 (the reference trainer's real training_step): the latents it
// trains on, each loss term, the total, every gradient, and the parameters after one AdamW step; then the
// EMA update and the learning-rate schedule.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <set>

#include "core/diffusion/diffusion.h"
#include "core/io/state_dict.h"
#include "core/nn/unet_swin.h"
#include "core/nn/vq_autoencoder.h"
#include "core/util/json.h"
#include "tests/support/fixtures.h"
#include "trainer/ema.h"
#include "trainer/lr_schedule.h"
#include "trainer/sinsr_losses.h"

namespace sinsr::test {
namespace {

constexpr double kTolerance = 1e-4;  // relative error (issue #6)

void check(const std::string& what, const at::Tensor& ours, const at::Tensor& ref, double& worst) {
  const double e = max_rel_error(ours, ref.to(ours.scalar_type()));
  worst = std::max(worst, e);
  EXPECT_LE(e, kTolerance) << what;
}

TEST(TrainStepParity, LatentsLossesGradientsAndOneAdamWStep) {
  for (const std::string& path : fixture_files("loss_")) {
    SCOPED_TRACE(path);
    io::H5Reader h5(path);
    const Json cfg = Json::parse(h5.attr_string("/", "config"));
    const std::string dir = std::filesystem::path(path).parent_path().string();
    io::H5Reader teacher_h5(dir + "/" + cfg["teacher_file"].as_string()), vq_h5(dir + "/" + cfg["vq_file"].as_string());
    EXPECT_EQ(teacher_h5.attr_string("/", "state_dict_sha256"), h5.attr_string("/", "teacher_state_dict_sha256"));

    nn::UNetModelSwin teacher(UNetConfig::from_json(cfg["unet"])), student(UNetConfig::from_json(cfg["unet"]));
    nn::VQModelTorch vq(VQConfig::from_json(cfg["vq"]));
    io::load_state_dict_strict(*teacher, read_state_dict_group(teacher_h5), teacher_h5.path());
    io::load_state_dict_strict(*vq, read_state_dict_group(vq_h5), vq_h5.path());
    io::load_state_dict_strict(*student, read_state_dict_group(h5, "state_dict_before"), path + ":state_dict_before");
    const Diffusion diffusion(DiffusionConfig::from_json(cfg["diffusion"]), FirstStage::autoencoder(vq));

    // The latents the step trains on (what datagen stores, here from the fixture's own noise).
    const at::Tensor gt = h5.read("inputs/gt"), lq = h5.read("inputs/lq"), noise = h5.read("inputs/noise");
    at::Tensor z_y, x_T, z_teacher, z_gt;
    {
      torch::NoGradGuard no_grad;
      z_y = diffusion.encode_first_stage(lq, /*up_sample=*/true);
      x_T = diffusion.prior_sample(z_y, noise);
      const Denoiser model = [&](const at::Tensor& x, const at::Tensor& t, const at::Tensor& y) {
        return teacher->forward(x, t, y);
      };
      z_teacher = diffusion.sample_deterministic(model, x_T, z_y, lq).sample;
      z_gt = diffusion.encode_first_stage(gt, /*up_sample=*/false);
    }
    double worst = 0;
    check("z_y", z_y, h5.read("intermediates/z_y"), worst);
    check("x_T", x_T, h5.read("intermediates/z_t"), worst);
    check("z_teacher", z_teacher, h5.read("intermediates/z0_teacher"), worst);
    check("z_gt", z_gt, h5.read("intermediates/z_gt"), worst);
    std::cout << "  latents: max relative error " << worst << "\n";

    // Losses and gradients; the reference trains the student in train() mode (no dropout here).
    student->train();
    const train::LossWeights w{1.0, 1.0, h5.attr_double("/", "finetune_use_gt")};
    const auto accumulate = static_cast<int64_t>(h5.attr_double("/", "num_grad_accumulate"));
    const int64_t micro = static_cast<int64_t>(h5.attr_double("/", "microbatch"));
    std::vector<at::Tensor> distill, inverse, gt_terms, per_sample;
    double total = 0;
    for (int64_t s = 0; s < gt.size(0); s += micro) {
      auto sl = [&](const at::Tensor& t) { return t.narrow(0, s, std::min(micro, gt.size(0) - s)); };
      const train::LossTerms l = train::sinsr_losses(*student, diffusion, sl(x_T), sl(z_teacher), sl(z_gt), sl(lq), w);
      const at::Tensor loss = l.per_sample.mean() / static_cast<double>(accumulate);
      loss.backward();
      total += loss.item<double>();
      distill.push_back(l.distill.detach()), inverse.push_back(l.inverse.detach()), gt_terms.push_back(l.gt.detach());
      per_sample.push_back(l.per_sample.detach());
    }
    worst = 0;
    check("mse", at::cat(distill), h5.read("losses/mse"), worst);
    check("mse_xT", at::cat(inverse), h5.read("losses/mse_xT"), worst);
    check("mse_gt", at::cat(gt_terms), h5.read("losses/mse_gt"), worst);
    check("loss", at::cat(per_sample), h5.read("losses/loss"), worst);
    const double ref_total = h5.read("losses/total").item<double>();
    EXPECT_LE(std::fabs(total - ref_total) / std::fabs(ref_total), kTolerance);
    std::cout << "  loss terms: max relative error " << worst << ", total " << total << " vs " << ref_total << "\n";

    // Gradients: every parameter, except those whose reference gradient is pure float32 round-off
    // (analytically zero: the fixture lists them), which must merely stay tiny.
    std::set<std::string> roundoff;
    const Json listed = Json::parse(h5.attr_string("/", "roundoff_only_grad_params"));
    for (const Json& k : listed.as_array()) roundoff.insert(k.as_string());
    worst = 0;
    int checked = 0;
    for (const auto& p : student->named_parameters()) {
      const at::Tensor ref = h5.read("grads/" + p.key());
      ASSERT_TRUE(p.value().grad().defined()) << p.key();
      if (roundoff.count(p.key())) {
        EXPECT_LT(p.value().grad().abs().max().item<double>(), 1e-6) << p.key();
        continue;
      }
      check("grad " + p.key(), p.value().grad(), ref, worst);
      ++checked;
    }
    std::cout << "  gradients of " << checked << " parameters: max relative error " << worst << " (" << roundoff.size()
              << " round-off-only ones checked to be < 1e-6)\n";

    // One AdamW step at the fixture's lr. Where |grad| <= 1e-6 the first Adam step is lr * sign(grad)-ish
    // and round-off decides the sign; there the bound is the step size itself.
    train::Ema ema(*student, 0.999);
    const double lr = h5.attr_double("/", "lr");
    torch::optim::AdamW opt(
        student->parameters(),
        torch::optim::AdamWOptions(lr).betas({0.9, 0.999}).eps(1e-8).weight_decay(0).amsgrad(false));
    opt.step();
    worst = 0;
    double worst_small = 0;
    for (const auto& p : student->named_parameters()) {
      const at::Tensor ref = h5.read("state_dict_after/" + p.key()), g = h5.read("grads/" + p.key()).abs();
      const at::Tensor diff = (p.value().detach() - ref).abs();
      const double scale = std::max(ref.abs().max().item<double>(), 1e-30);
      const at::Tensor big = g > 1e-6;
      if (big.any().item<bool>()) worst = std::max(worst, diff.masked_select(big).max().item<double>() / scale);
      if (big.logical_not().any().item<bool>())
        worst_small = std::max(worst_small, diff.masked_select(big.logical_not()).max().item<double>());
    }
    EXPECT_LE(worst, kTolerance);
    EXPECT_LE(worst_small, 2.0 * lr * 1.0001);
    std::cout << "  parameters after AdamW: max relative error " << worst << " (|grad| > 1e-6), max abs " << worst_small
              << " where |grad| <= 1e-6 (bound 2 lr)\n";

    // EMA after the step: 0.999 * before + 0.001 * after, relative_position_index untouched.
    ema.update(*student);
    const io::TensorDict before = read_state_dict_group(h5, "state_dict_before");
    for (size_t i = 0; i < before.size(); ++i) {
      const auto& [key, t] = ema.state()[i];
      ASSERT_EQ(key, before[i].first);
      if (key.find("relative_position_index") != std::string::npos) {
        EXPECT_TRUE(t.equal(before[i].second)) << key;
        continue;
      }
      const at::Tensor expected = before[i].second * 0.999 + io::module_state_dict(*student)[i].second.detach() * 0.001;
      EXPECT_LE((t - expected).abs().max().item<double>(), 1e-6) << key;
    }
  }
}

TEST(LrSchedule, TheReferenceWarmupWithItsFirstIterationQuirk) {
  const train::LrSchedule s{5e-5, 5000, {500000}};
  EXPECT_DOUBLE_EQ(s.at(1), 5e-5);  // the optimizer's initial rate
  EXPECT_DOUBLE_EQ(s.at(2), 1.0 / 5000 * 5e-5);
  EXPECT_DOUBLE_EQ(s.at(3), 2.0 / 5000 * 5e-5);
  EXPECT_DOUBLE_EQ(s.at(5001), 5e-5);
  EXPECT_DOUBLE_EQ(s.at(5002), 5e-5);
  EXPECT_DOUBLE_EQ(s.at(500000), 5e-5);
  EXPECT_DOUBLE_EQ(s.at(500001), 2.5e-5);  // adjust_lr(500000) halved it
}

}  // namespace
}  // namespace sinsr::test
