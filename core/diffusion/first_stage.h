// The diffusion's first stage: the VQ-f4 autoencoder of latent-space models, or none for pixel-space ones
// (the reference's autoencoder=None). [diffusion] latent_flag says which, so that a model cannot be run in
// the wrong space because a command-line flag was forgotten. (The reference has two switches,
// `autoencoder is None` and `latent_flag`; every sensible config sets them together, so here one decides.)
#pragma once
#include <c10/core/Device.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/nn/vq_autoencoder.h"

namespace sinsr {

class Config;

bool is_pixel_space(const Config& cfg);

// Latent space: the autoencoder loaded from `path` onto `device`, in eval mode, computing at `precision`
// (UsageError when `path` is empty). Pixel space: an empty holder (UsageError when a path is given: it
// would be ignored).
nn::VQModelTorch load_first_stage(const Config& cfg, const std::string& path, const c10::Device& device,
                                  Precision precision = Precision::Fp32);

// What the diffusion functions take: the autoencoder, or nullptr in pixel space.
inline nn::VQModelTorchImpl* first_stage_ptr(nn::VQModelTorch vq) { return vq.is_empty() ? nullptr : vq.get(); }

// The diffusion state of a size^2 image: [embed_dim, size / 4, size / 4], or [3, size, size] in pixel space.
std::vector<int64_t> latent_shape(const Config& cfg, int64_t image_size);

}  // namespace sinsr
