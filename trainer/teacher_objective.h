// The ResShift teacher objective (docs/method.md §4.8), for training teachers of new domains and scales:
// per sample t ~ U{0 .. T-1} and eps ~ N(0, I), z_0 = E(gt), z_y = E(bicubic x sf of y),
// z_t = q_sample(z_0, z_y, t, eps), loss = mean (z_0 - f(z_t / std_t, t, y))^2 (x0 prediction, unweighted).
// Latent space (VQ encoder) or pixel space (E = identity). Training pairs are synthesised online from HR
// photos ([data], [degradation]); sample i of step s is pair (s-1) B + i of the stream, and its t and eps
// are drawn from (train.seed, i), so a run is the same on any number of ranks and after a resume.
#pragma once
#include "core/data/pair_synthesizer.h"
#include "core/diffusion/diffusion.h"
#include "trainer/objective.h"
#include "trainer/train_config.h"

namespace sinsr {
class Config;
}

namespace sinsr::train {

class TeacherObjective final : public Objective {
 public:
  // `first_stage` on the training device (the identity in pixel space). [data] [degradation] [diffusion]
  // [train] of `cfg`; `autoencoder_sha256` goes into the run's identity.
  TeacherObjective(const Config& cfg, const TrainConfig& train, FirstStage first_stage,
                   const std::string& autoencoder_sha256);
  std::vector<std::string> terms() const override { return {"loss"}; }
  std::string identity() const override { return identity_; }
  std::string describe() const override;
  StagedBatch load(int64_t step, int64_t batch, int rank, int64_t per_rank, const c10::Device& device) override;
  at::Tensor losses(nn::UNetModelSwinImpl& net, const StagedBatch& samples) const override;
  // On train.val_samples fixed pairs outside the training stream: the loss, and the PSNR against the GT
  // of the 15-step deterministic sample, of the one-step prediction and of bicubic upsampling.
  Json validate(nn::UNetModelSwinImpl& net, int64_t micro) override;

 private:
  data::PairSynthesizer synth_;
  Diffusion diffusion_;
  uint64_t seed_;
  int workers_;
  int64_t val_samples_;
  std::string identity_;

  // Samples [first, first + count) of the stream with their drawn t and eps: z0, z_t, lq and t on the device,
  // t_host (the same timesteps on the CPU, for the per-sample input scaling without a device sync); with
  // `with_images` also gt and z_y, for validation.
  StagedBatch stage(int64_t first, int64_t count, const c10::Device& device, bool with_images = false);
};

}  // namespace sinsr::train
