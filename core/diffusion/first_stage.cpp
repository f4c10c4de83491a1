#include "core/diffusion/first_stage.h"

#include "core/io/state_dict.h"
#include "core/nn/model_config.h"
#include "core/util/config.h"
#include "core/util/errors.h"

namespace sinsr {

bool is_pixel_space(const Config& cfg) { return !cfg.flag("diffusion.latent_flag"); }

nn::VQModelTorch load_first_stage(const Config& cfg, const std::string& path, const c10::Device& device, Precision precision) {
  if (is_pixel_space(cfg)) {
    if (!path.empty())
      throw UsageError("--autoencoder " + path + " given, but the config is a pixel-space model (diffusion.latent_flag = false); drop --autoencoder or use a latent-space config");
    return nn::VQModelTorch{nullptr};
  }
  if (path.empty())
    throw UsageError("the config is a latent-space model (diffusion.latent_flag = true): give --autoencoder VQ.pth (autoencoder_vq_f4.pth)");
  nn::VQModelTorch vq(VQConfig::from_config(cfg));
  io::load_weights(*vq, path);
  vq->to(device);
  vq->set_precision(precision);
  vq->eval();
  return vq;
}

std::vector<int64_t> latent_shape(const Config& cfg, int64_t image_size) {
  if (is_pixel_space(cfg)) return {3, image_size, image_size};
  const VQConfig vq = VQConfig::from_config(cfg);
  return {vq.embed_dim, image_size / vq.downsample_factor(), image_size / vq.downsample_factor()};
}

}  // namespace sinsr
