// Super-resolution of whole images with the diffusion model: pad to the network's multiple, tile large
// images with overlap, sample each tile (one step, or the full deterministic/stochastic chain), decode,
// blend (docs/method.md §6). Randomness comes from one generator per image, so an image's result depends only
// on (seed, its key), never on what was processed before it.
#pragma once
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <memory>

#include "core/diffusion/diffusion.h"
#include "core/nn/cuda_graph.h"
#include "core/nn/unet_swin.h"
#include "core/sr/tile_plan.h"
#include "core/sr/tiling.h"

namespace sinsr::sr {

enum class SamplerKind { Deterministic, Stochastic };

struct SuperResolveOptions {
  int64_t steps = 1;  // 1: one network call at t = T-1 (SinSR); T: the full chain (ResShift teacher)
  SamplerKind sampler = SamplerKind::Deterministic;
  // Tiles: chop_size > 0 forces that size (LQ pixels) with chop_stride (overlap = size - stride); 0 plans them
  // per image from max_memory (plan_tiles): the whole image when it fits.
  int64_t chop_size = 0;
  int64_t chop_stride = 0;
  double max_memory = 0;  // bytes of peak memory for planned tiles; 0: the device's default budget
  Blend blend = Blend::Smooth;
};

// Where the time went, summed over calls (seconds).
struct StageTimes {
  double encode = 0, unet = 0, decode = 0;
};

class SuperResolver {
 public:
  // `diffusion` with its first stage (the autoencoder, or the identity of a pixel-space model).
  SuperResolver(nn::UNetModelSwin unet, const Diffusion& diffusion, const SuperResolveOptions& options);

  // lq: float [3, H, W] in [0, 1] -> float [3, sf*H, sf*W] in [0, 1] on the CPU, computed on the UNet's device.
  // `noise_seed` keys every random draw (drawn on the CPU: the same noise on every device).
  at::Tensor upscale(const at::Tensor& lq, uint64_t noise_seed);

  // LQ sizes are padded to a multiple of this: the UNet needs window * 2^(levels-1) latent pixels, the
  // VQ its downsampling factor.
  int64_t pad_multiple() const { return pad_multiple_; }
  int64_t scale() const { return diffusion_.config().sf; }
  const StageTimes& times() const { return times_; }
  // The tiles an H x W LQ image is cut into, and the memory model and budget that planned them.
  TilePlan tile_plan(int64_t height, int64_t width) const;
  const TileMemoryModel& memory_model() const { return memory_model_; }
  double memory_budget() const { return options_.max_memory; }

 private:
  nn::UNetModelSwin unet_;
  Diffusion diffusion_;
  SuperResolveOptions options_;
  int64_t pad_multiple_;
  StageTimes times_;
  TileMemoryModel memory_model_;
  // The UNet part of a tile ({x_T, z_y, lq} -> z_0: one step, or the deterministic chain), replayed as a CUDA
  // graph for same-size tiles on a GPU; shared by copies, which compute the same thing.
  std::shared_ptr<nn::GraphedComputation> sampler_;

  // One tile, [1, 3, h, w] in [-1, 1] -> [1, 3, sf*h, sf*w] clamped to [-1, 1].
  at::Tensor sample_tile(const at::Tensor& y, at::Generator& gen);
};

// Right/bottom padding by reflection (the reference's F.pad(mode='reflect')); when the pad exceeds what
// one reflection can give (images smaller than the pad), it reflects repeatedly, and replicates 1-pixel axes.
at::Tensor pad_reflect(const at::Tensor& x, int64_t pad_bottom, int64_t pad_right);

}  // namespace sinsr::sr
