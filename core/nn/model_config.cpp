#include "core/nn/model_config.h"

#include "core/util/config.h"
#include "core/util/errors.h"
#include "core/util/json.h"

namespace sinsr {

UNetConfig UNetConfig::from_config(const Config& cfg, const std::string& s) {
  UNetConfig c;
  c.image_size = cfg.integer(s + ".image_size");
  c.in_channels = cfg.integer(s + ".in_channels");
  c.model_channels = cfg.integer(s + ".model_channels");
  c.out_channels = cfg.integer(s + ".out_channels");
  c.channel_mult = cfg.int_list(s + ".channel_mult");
  c.num_res_blocks = cfg.int_list(s + ".num_res_blocks");
  c.attention_resolutions = cfg.int_list(s + ".attention_resolutions");
  c.dropout = cfg.real(s + ".dropout");
  c.conv_resample = cfg.flag(s + ".conv_resample");
  c.use_scale_shift_norm = cfg.flag(s + ".use_scale_shift_norm");
  c.resblock_updown = cfg.flag(s + ".resblock_updown");
  c.num_heads = cfg.integer(s + ".num_heads");
  c.num_head_channels = cfg.integer(s + ".num_head_channels");
  c.swin_depth = cfg.integer(s + ".swin_depth");
  c.swin_embed_dim = cfg.integer(s + ".swin_embed_dim");
  c.window_size = cfg.integer(s + ".window_size");
  c.mlp_ratio = cfg.real(s + ".mlp_ratio");
  c.patch_norm = cfg.flag(s + ".patch_norm");
  c.cond_lq = cfg.flag(s + ".cond_lq");
  // The reference accepts one int for every level.
  if (c.num_res_blocks.size() == 1) c.num_res_blocks.assign(c.channel_mult.size(), c.num_res_blocks[0]);
  c.validate();
  return c;
}

UNetConfig UNetConfig::from_json(const Json& j) {
  // Missing optional keys take the reference constructor's defaults, not the paper's.
  auto get_int = [&](const char* k, int64_t dflt) { return j.has(k) ? j[k].as_int() : dflt; };
  auto get_real = [&](const char* k, double dflt) { return j.has(k) ? j[k].as_number() : dflt; };
  auto get_bool = [&](const char* k, bool dflt) { return j.has(k) ? j[k].as_bool() : dflt; };
  UNetConfig c;
  c.image_size = j["image_size"].as_int();
  c.in_channels = j["in_channels"].as_int();
  c.model_channels = j["model_channels"].as_int();
  c.out_channels = j["out_channels"].as_int();
  c.channel_mult = j.has("channel_mult") ? j["channel_mult"].as_int_list() : std::vector<int64_t>{1, 2, 4, 8};
  c.num_res_blocks = j["num_res_blocks"].as_int_list();
  if (c.num_res_blocks.size() == 1) c.num_res_blocks.assign(c.channel_mult.size(), c.num_res_blocks[0]);
  c.attention_resolutions = j["attention_resolutions"].as_int_list();
  c.dropout = get_real("dropout", 0.0);
  c.conv_resample = get_bool("conv_resample", true);
  c.use_scale_shift_norm = get_bool("use_scale_shift_norm", false);
  c.resblock_updown = get_bool("resblock_updown", false);
  c.num_heads = get_int("num_heads", 1);
  c.num_head_channels = get_int("num_head_channels", -1);
  c.swin_depth = get_int("swin_depth", 2);
  c.swin_embed_dim = get_int("swin_embed_dim", 96);
  c.window_size = get_int("window_size", 8);
  c.mlp_ratio = get_real("mlp_ratio", 2.0);
  c.patch_norm = get_bool("patch_norm", false);
  c.cond_lq = get_bool("cond_lq", true);
  if (j.has("dims") && j["dims"].as_int() != 2) throw UsageError("UNet config: only dims=2 is supported");
  c.validate();
  return c;
}

void UNetConfig::validate() const {
  auto bad = [](const std::string& what) { throw UsageError("UNet config: " + what); };
  if (image_size <= 0 || in_channels <= 0 || model_channels <= 0 || out_channels <= 0)
    bad("image_size, in_channels, model_channels and out_channels must be positive");
  if (channel_mult.empty()) bad("channel_mult must list at least one level");
  if (num_res_blocks.size() != channel_mult.size())
    bad("num_res_blocks needs one entry per channel_mult level (" + std::to_string(channel_mult.size()) + ")");
  for (int64_t m : channel_mult)
    if ((m * model_channels) % 32 != 0) bad("every model_channels*channel_mult must be a multiple of 32 (GroupNorm32)");
  if (swin_embed_dim % 32 != 0) bad("swin_embed_dim must be a multiple of 32 (GroupNorm32)");
  if (num_head_channels != -1 && (num_head_channels <= 0 || swin_embed_dim % num_head_channels != 0))
    bad("num_head_channels must divide swin_embed_dim");
  if (swin_heads() <= 0 || swin_embed_dim % swin_heads() != 0) bad("the Swin head count must divide swin_embed_dim");
  if (window_size <= 0) bad("window_size must be positive");
  if (swin_depth <= 0) bad("swin_depth must be positive");
}

VQConfig VQConfig::from_config(const Config& cfg, const std::string& s) {
  VQConfig c;
  c.ch = cfg.integer(s + ".ch");
  c.ch_mult = cfg.int_list(s + ".ch_mult");
  c.num_res_blocks = cfg.integer(s + ".num_res_blocks");
  c.attn_resolutions = cfg.int_list(s + ".attn_resolutions");
  c.dropout = cfg.real(s + ".dropout");
  c.in_channels = cfg.integer(s + ".in_channels");
  c.out_ch = cfg.integer(s + ".out_ch");
  c.resolution = cfg.integer(s + ".resolution");
  c.z_channels = cfg.integer(s + ".z_channels");
  c.double_z = cfg.flag(s + ".double_z");
  c.n_embed = cfg.integer(s + ".n_embed");
  c.embed_dim = cfg.integer(s + ".embed_dim");
  c.validate();
  return c;
}

VQConfig VQConfig::from_json(const Json& j) {
  const Json& dd = j["ddconfig"];
  VQConfig c;
  c.ch = dd["ch"].as_int();
  c.ch_mult = dd.has("ch_mult") ? dd["ch_mult"].as_int_list() : std::vector<int64_t>{1, 2, 4, 8};
  c.num_res_blocks = dd["num_res_blocks"].as_int();
  c.attn_resolutions = dd["attn_resolutions"].as_int_list();
  c.dropout = dd.has("dropout") ? dd["dropout"].as_number() : 0.0;
  c.in_channels = dd["in_channels"].as_int();
  c.out_ch = dd["out_ch"].as_int();
  c.resolution = dd["resolution"].as_int();
  c.z_channels = dd["z_channels"].as_int();
  c.double_z = dd.has("double_z") ? dd["double_z"].as_bool() : true;
  c.n_embed = j["n_embed"].as_int();
  c.embed_dim = j["embed_dim"].as_int();
  c.validate();
  return c;
}

void VQConfig::validate() const {
  auto bad = [](const std::string& what) { throw UsageError("autoencoder config: " + what); };
  if (ch <= 0 || ch % 32 != 0) bad("ch must be a positive multiple of 32 (GroupNorm with 32 groups)");
  if (ch_mult.empty()) bad("ch_mult must list at least one level");
  if (num_res_blocks <= 0) bad("num_res_blocks must be positive");
  if (n_embed <= 0 || embed_dim <= 0 || z_channels <= 0) bad("n_embed, embed_dim and z_channels must be positive");
  if (double_z) bad("double_z=true is the KL autoencoder, not VQModelTorch");
}

}  // namespace sinsr
