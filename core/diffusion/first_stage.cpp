#include "core/diffusion/first_stage.h"

#include <ATen/ATen.h>

#include <stdexcept>

#include "core/diffusion/diffusion_config.h"
#include "core/io/state_dict.h"
#include "core/nn/model_config.h"
#include "core/nn/parameter_bytes.h"
#include "core/util/config.h"
#include "core/util/errors.h"

namespace sinsr {

namespace {

[[noreturn]] void no_autoencoder() {
  throw std::logic_error("a latent-space diffusion without its autoencoder cannot encode or decode images");
}

}  // namespace

FirstStage FirstStage::autoencoder(nn::VQModelTorch vq) {
  if (vq.is_empty()) throw std::invalid_argument("FirstStage::autoencoder needs an autoencoder");
  vq->eval();
  return FirstStage(Kind::Autoencoder, std::move(vq));
}

int64_t FirstStage::downsample_factor() const {
  if (kind_ == Kind::LatentOnly) no_autoencoder();
  return kind_ == Kind::Identity ? 1 : vq_->config().downsample_factor();
}

int64_t FirstStage::image_resolution_channels() const {
  if (kind_ == Kind::Identity) return 0;
  if (kind_ == Kind::LatentOnly) no_autoencoder();
  return vq_->config().ch * vq_->config().ch_mult.front();
}

int64_t FirstStage::parameter_bytes() const { return kind_ == Kind::Autoencoder ? nn::parameter_bytes(*vq_) : 0; }

at::Tensor FirstStage::encode(const at::Tensor& image) const {
  if (kind_ == Kind::Identity) return image;
  if (kind_ == Kind::LatentOnly) no_autoencoder();
  at::NoGradGuard no_grad;
  return vq_.ptr()->encode(image);
}

at::Tensor FirstStage::decode(const at::Tensor& z) const {
  if (kind_ == Kind::Identity) return z;
  if (kind_ == Kind::LatentOnly) no_autoencoder();
  at::NoGradGuard no_grad;
  return vq_.ptr()->decode(z);
}

void FirstStage::to(const c10::Device& device, Precision precision) const {
  if (kind_ != Kind::Autoencoder) return;
  vq_.ptr()->to(device);
  vq_.ptr()->set_precision(precision);
}

bool is_pixel_space(const Config& cfg) { return !DiffusionConfig::from_config(cfg).latent_flag; }

FirstStage load_first_stage(const Config& cfg, const std::string& path, const c10::Device& device,
                            Precision precision) {
  if (is_pixel_space(cfg)) {
    if (!path.empty())
      throw UsageError("--autoencoder " + path +
                       " given, but the config is a pixel-space model (diffusion.latent_flag = false); drop "
                       "--autoencoder or use a latent-space config");
    return FirstStage::identity();
  }
  if (path.empty())
    throw UsageError(
        "the config is a latent-space model (diffusion.latent_flag = true): give --autoencoder VQ.pth "
        "(autoencoder_vq_f4.pth)");
  nn::VQModelTorch vq(VQConfig::from_config(cfg));
  io::load_weights(*vq, path);
  const FirstStage stage = FirstStage::autoencoder(vq);
  stage.to(device, precision);
  return stage;
}

std::vector<int64_t> latent_shape(const Config& cfg, int64_t image_size) {
  if (is_pixel_space(cfg)) return {3, image_size, image_size};
  const VQConfig vq = VQConfig::from_config(cfg);
  return {vq.embed_dim, image_size / vq.downsample_factor(), image_size / vq.downsample_factor()};
}

}  // namespace sinsr
