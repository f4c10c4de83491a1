// UNetModelSwin (SinSR models/unet.py): the ResShift teacher / SinSR student. Predicts z_0 from the
// scaled latent, the raw timestep index and the LQ image (concatenated as extra input channels).
#pragma once
#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/container/sequential.h>

#include "core/nn/model_config.h"
#include "core/nn/precision.h"
#include "core/nn/unet_blocks.h"

namespace sinsr::nn {

class UNetModelSwinImpl : public torch::nn::Module {
 public:
  explicit UNetModelSwinImpl(const UNetConfig& cfg);
  // x: [B, C_latent, h, w] (already divided by the timestep's std); timesteps: int64 [B];
  // lq: [B, 3, H, W] in [-1, 1] (same size as x, or twice/quarter of it as the reference allows).
  // Returns float32 at every precision.
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& timesteps, const torch::Tensor& lq = {});
  const UNetConfig& config() const { return cfg_; }
  // Compute under autocast at `p` from now on (weights stay float32: they are the master copy).
  void set_precision(Precision p) { precision_ = p; }
  // For a network that only infers (infer, eval, a teacher): set_precision(p), and below float32 also
  // store the conv and linear weights in autocast's dtype once, where autocast would cast them again on every
  // call (a bf16 forward at 64^2 on one CPU thread: 0.74 -> 0.71 s). Same results: autocast rounds them the
  // same way. One-way: the weights are no longer float32 masters, so a network that trains must not.
  void set_inference_precision(Precision p);
  Precision precision() const { return precision_; }

 private:
  torch::Tensor compute(const torch::Tensor& x, const torch::Tensor& timesteps, const torch::Tensor& lq);
  UNetConfig cfg_;
  Precision precision_ = Precision::Fp32;
  torch::nn::Sequential time_embed{nullptr};
  torch::nn::ModuleList input_blocks{nullptr}, output_blocks{nullptr};
  TimestepEmbedSequential middle_block{nullptr};
  torch::nn::Sequential out{nullptr};
};
TORCH_MODULE(UNetModelSwin);

}  // namespace sinsr::nn
