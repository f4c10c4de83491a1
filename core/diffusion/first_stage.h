// The diffusion's first stage (docs/method.md §2.5): the VQ-f4 autoencoder of latent-space models, or the identity
// of pixel-space ones (the reference's autoencoder=None). One value for both, owned by Diffusion, so no caller
// branches on which: encode, decode and the downsampling factor mean the same either way.
// [diffusion] latent_flag says which a model needs, so that it cannot be run in the wrong space because a
// command-line flag was forgotten. (The reference has two switches, `autoencoder is None` and `latent_flag`;
// every sensible config sets them together, so here one decides.)
#pragma once
#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/nn/precision.h"
#include "core/nn/vq_autoencoder.h"

namespace sinsr {

class Config;

class FirstStage {
 public:
  // Pixel space: encode and decode are the identity.
  static FirstStage identity() { return FirstStage(Kind::Identity, nn::VQModelTorch{nullptr}); }
  // Latent space with the autoencoder (in eval mode from here on).
  static FirstStage autoencoder(nn::VQModelTorch vq);
  // Latent space without it: enough to sample latents (trainer validation in latents only); encode and
  // decode throw std::logic_error.
  static FirstStage latent_only() { return FirstStage(Kind::LatentOnly, nn::VQModelTorch{nullptr}); }

  bool is_latent() const { return kind_ != Kind::Identity; }
  // Whether encode/decode can run (false only for latent_only).
  bool can_code() const { return kind_ != Kind::LatentOnly; }
  // Image pixels per state pixel: the VQ's downsampling (4 for VQ-f4), 1 in pixel space.
  int64_t downsample_factor() const;
  // Channels the decoder computes at the image's resolution (its widest activations per pixel: what an image's
  // memory grows with); 0 for the identity.
  int64_t image_resolution_channels() const;
  // Bytes of the autoencoder's parameters; 0 for the identity.
  int64_t parameter_bytes() const;
  // No autograd. The diffusion's latent scale factor is applied by Diffusion, not here.
  at::Tensor encode(const at::Tensor& image) const;
  at::Tensor decode(const at::Tensor& z) const;
  // Moves the autoencoder and sets its precision; nothing to do for the identity.
  void to(const c10::Device& device, Precision precision) const;

 private:
  enum class Kind { Identity, Autoencoder, LatentOnly };
  FirstStage(Kind kind, nn::VQModelTorch vq) : kind_(kind), vq_(std::move(vq)) {}
  Kind kind_;
  nn::VQModelTorch vq_;
};

bool is_pixel_space(const Config& cfg);

// Latent space: the autoencoder loaded from `path` onto `device`, computing at `precision` (UsageError when
// `path` is empty). Pixel space: the identity (UsageError when a path is given: it would be ignored).
FirstStage load_first_stage(const Config& cfg, const std::string& path, const c10::Device& device,
                            Precision precision = Precision::Fp32);

// The diffusion state of a size^2 image: [embed_dim, size / 4, size / 4], or [3, size, size] in pixel space.
std::vector<int64_t> latent_shape(const Config& cfg, int64_t image_size);

}  // namespace sinsr
