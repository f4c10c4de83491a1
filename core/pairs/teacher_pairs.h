// The latents of a batch of training pairs (docs/method.md §4.3, computed once instead of at every training
// step): z_y = E(bicubic x sf of y), z_gt = E(gt), x_T = z_y + kappa sqrt(eta_T) eps with eps keyed by
// (seed, index), and the teacher's deterministic 15-step output F(x_T, y). No autograd. In pixel space
// the "latents" are the images themselves (the diffusion's first stage is the identity).
#pragma once
#include <ATen/core/Tensor.h>

#include "core/data/pair_loader.h"
#include "core/diffusion/diffusion.h"
#include "core/nn/cuda_graph.h"
#include "core/nn/unet_swin.h"

namespace sinsr::pairs {

struct PairLatents {
  at::Tensor x_T, z_teacher, z_y, z_gt;  // float32 [B, C, h, w], CPU
};

class TeacherPairs {
 public:
  // `diffusion` with its first stage.
  TeacherPairs(nn::UNetModelSwin teacher, const Diffusion& diffusion, uint64_t seed);
  PairLatents compute(const data::PairBatch& batch);

 private:
  nn::UNetModelSwin teacher_;
  Diffusion diffusion_;
  uint64_t seed_;
  // The deterministic chain {x_T, z_y, y} -> z_teacher, replayed as a CUDA graph for full batches on a GPU.
  nn::GraphedComputation chain_;
};

}  // namespace sinsr::pairs
