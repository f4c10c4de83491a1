// The latents of a batch of training pairs (SPEC.md §4.3, computed once instead of at every training
// step): z_y = E(bicubic x sf of y), z_gt = E(gt), x_T = z_y + kappa sqrt(eta_T) eps with eps keyed by
// (seed, index), and the teacher's deterministic 15-step output F(x_T, y). No autograd. In pixel space
// (an empty `vq`) the "latents" are the images themselves.
#pragma once
#include <ATen/core/Tensor.h>

#include "core/data/pair_loader.h"
#include "core/diffusion/diffusion.h"
#include "core/nn/cuda_graph.h"
#include "core/nn/unet_swin.h"
#include "core/nn/vq_autoencoder.h"

namespace sinsr::datagen {

struct PairLatents {
  at::Tensor x_T, z_teacher, z_y, z_gt;  // float32 [B, C, h, w], CPU
};

class TeacherPairs {
 public:
  TeacherPairs(nn::UNetModelSwin teacher, nn::VQModelTorch vq, const Diffusion& diffusion, uint64_t seed);
  PairLatents compute(const data::PairBatch& batch);

 private:
  nn::UNetModelSwin teacher_;
  nn::VQModelTorch vq_;
  Diffusion diffusion_;
  uint64_t seed_;
  // The deterministic chain {x_T, z_y, y} -> z_teacher, replayed as a CUDA graph for full batches on a GPU.
  nn::GraphedComputation chain_;
};

}  // namespace sinsr::datagen
