// SinSR distillation as a training objective (docs/method.md §4.3): pairs from datagen's shards or computed
// online, the three losses of sinsr_losses.h, validation of the one-step student on held-out pairs.
#pragma once
#include <memory>

#include "core/diffusion/diffusion.h"
#include "trainer/objective.h"
#include "trainer/pair_source.h"
#include "trainer/sinsr_losses.h"

namespace sinsr::train {

class DistillObjective final : public Objective {
 public:
  // The validation PSNR decodes with `diffusion`'s first stage; without one that can (a latent-space run given
  // no autoencoder) validation stays in latent space.
  DistillObjective(std::unique_ptr<PairSource> data, const Diffusion& diffusion, const LossWeights& weights,
                   uint64_t seed);
  std::vector<std::string> terms() const override { return {"loss", "distill", "inverse", "gt"}; }
  std::string identity() const override { return data_->identity(); }
  std::string describe() const override { return data_->describe(); }
  StagedBatch load(int64_t step, int64_t batch, int rank, int64_t per_rank, const c10::Device& device) override;
  at::Tensor losses(nn::UNetModelSwinImpl& net, const StagedBatch& samples) const override;
  Json validate(nn::UNetModelSwinImpl& net, int64_t micro) override;

 private:
  std::unique_ptr<PairSource> data_;
  Diffusion diffusion_;
  LossWeights weights_;
  uint64_t seed_;
  bool decode_;
};

}  // namespace sinsr::train
