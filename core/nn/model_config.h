// Constructor arguments of the two networks, named exactly like the reference's Python arguments
// (models/unet.py UNetModelSwin, ldm/models/autoencoder.py VQModelTorch) so fixture configs map 1:1.
// Each field's key, default, help and rule are declared once, in the [model] and [autoencoder] tables of
// model_config.cpp.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/util/config_table.h"

namespace sinsr {

class Json;

struct UNetConfig : ConfigSection<UNetConfig> {
  int64_t image_size;   // training latent size: fixes each Swin layer's window clamp and stored mask
  int64_t in_channels;  // latent channels + LQ channels after optional pixel-unshuffle
  int64_t model_channels;
  int64_t out_channels;
  std::vector<int64_t> channel_mult;
  std::vector<int64_t> num_res_blocks;         // one per level
  std::vector<int64_t> attention_resolutions;  // resolutions (in latent pixels) that get a Swin layer
  double dropout;
  bool conv_resample;
  bool use_scale_shift_norm;
  bool resblock_updown;
  int64_t num_heads;          // used only when num_head_channels == -1
  int64_t num_head_channels;  // Swin heads = swin_embed_dim / num_head_channels
  int64_t swin_depth, swin_embed_dim, window_size;
  double mlp_ratio;
  bool patch_norm;
  bool cond_lq;

  static ConfigTable<UNetConfig> table();  // [model]
  // The `config` attribute of a parity fixture (Python constructor kwargs as JSON).
  static UNetConfig from_json(const Json& j);
  int64_t swin_heads() const { return num_head_channels == -1 ? num_heads : swin_embed_dim / num_head_channels; }
  void validate() const;  // throws UsageError naming the offending argument
};

struct VQConfig : ConfigSection<VQConfig> {
  // ddconfig
  int64_t ch;
  std::vector<int64_t> ch_mult;
  int64_t num_res_blocks;
  std::vector<int64_t> attn_resolutions;
  double dropout;
  int64_t in_channels, out_ch;
  int64_t resolution;  // places attn_resolutions only
  int64_t z_channels;
  bool double_z;
  // VQModelTorch
  int64_t n_embed, embed_dim;

  static ConfigTable<VQConfig> table();  // [autoencoder]
  static VQConfig from_json(const Json& j);
  int64_t downsample_factor() const { return int64_t{1} << (ch_mult.size() - 1); }
  void validate() const;
};

}  // namespace sinsr
