#include "core/nn/model_config.h"

#include "core/util/config_table.h"
#include "core/util/errors.h"
#include "core/util/json.h"

namespace sinsr {

// [model]: UNetModelSwin, the same architecture for the ResShift teacher and the SinSR student.
ConfigTable<UNetConfig> UNetConfig::table() {
  return {"model",
          {
              {"image_size", "64", "training latent size (fixes each Swin level's window clamp)",
               R::integer_in(1, 4096), &C::image_size},
              {"in_channels", "6", "input channels: latent (3) + LQ RGB (3)", R::integer_at_least(1), &C::in_channels},
              {"model_channels", "160", "base channel count", R::integer_at_least(1), &C::model_channels},
              {"out_channels", "3", "output (latent) channels", R::integer_at_least(1), &C::out_channels},
              {"channel_mult", "1,2,2,4", "channel multiplier per level", R::integers_at_least(1), &C::channel_mult},
              {"num_res_blocks", "2,2,2,2", "ResBlocks per level (one value or one per level)", R::integers_at_least(1),
               &C::num_res_blocks},
              {"attention_resolutions", "64,32,16,8", "latent resolutions that get a Swin layer",
               R::integers_at_least(1, /*may_be_empty=*/true), &C::attention_resolutions},
              {"dropout", "0", "dropout inside ResBlocks", R::number_in(0, 1, false, /*high_open=*/true), &C::dropout},
              {"conv_resample", "true", "learned conv down/up-sampling", R::flag(), &C::conv_resample},
              {"use_scale_shift_norm", "true", "FiLM conditioning in ResBlocks", R::flag(), &C::use_scale_shift_norm},
              {"resblock_updown", "false", "ResBlocks do the down/up-sampling", R::flag(), &C::resblock_updown},
              {"num_heads", "1", "Swin heads when num_head_channels = -1", R::integer_at_least(1), &C::num_heads},
              {"num_head_channels", "32", "channels per Swin head (heads = swin_embed_dim / this)",
               R::integer_at_least(-1), &C::num_head_channels},
              {"swin_depth", "2", "Swin blocks per Swin layer", R::integer_at_least(1), &C::swin_depth},
              {"swin_embed_dim", "192", "Swin embedding width", R::integer_at_least(1), &C::swin_embed_dim},
              {"window_size", "8", "Swin window size", R::integer_at_least(1), &C::window_size},
              {"mlp_ratio", "4", "Swin MLP hidden width / embedding width", R::number_above(0), &C::mlp_ratio},
              {"patch_norm", "false", "GroupNorm after Swin patch embedding", R::flag(), &C::patch_norm},
              {"cond_lq", "true", "concatenate the LQ image to the input", R::flag(), &C::cond_lq},
          },
          [](C& c) {
            // The reference accepts one int for every level.
            if (c.num_res_blocks.size() == 1) c.num_res_blocks.assign(c.channel_mult.size(), c.num_res_blocks[0]);
            c.validate();
          }};
}

// [autoencoder]: VQModelTorch, the VQ-f4 first stage (weights/autoencoder_vq_f4.pth).
ConfigTable<VQConfig> VQConfig::table() {
  return {
      "autoencoder",
      {
          {"embed_dim", "3", "codebook vector size", R::integer_at_least(1), &C::embed_dim},
          {"n_embed", "8192", "codebook entries", R::integer_at_least(1), &C::n_embed},
          {"ch", "128", "base channel count", R::integer_at_least(1), &C::ch},
          {"ch_mult", "1,2,4", "channel multiplier per level (downsampling = 2^(levels-1))", R::integers_at_least(1),
           &C::ch_mult},
          {"num_res_blocks", "2", "ResnetBlocks per level", R::integer_at_least(1), &C::num_res_blocks},
          {"attn_resolutions", "", "resolutions with attention blocks (the middle block always has one)",
           R::integers_at_least(1, /*may_be_empty=*/true), &C::attn_resolutions},
          {"dropout", "0", "dropout inside ResnetBlocks", R::number_in(0, 1, false, /*high_open=*/true), &C::dropout},
          {"in_channels", "3", "image channels", R::integer_at_least(1), &C::in_channels},
          {"out_ch", "3", "decoded image channels", R::integer_at_least(1), &C::out_ch},
          {"resolution", "256", "training image size (only places attn_resolutions)", R::integer_at_least(1),
           &C::resolution},
          {"z_channels", "3", "latent channels", R::integer_at_least(1), &C::z_channels},
          {"double_z", "false", "must be false for the VQ model", R::flag(), &C::double_z},
      },
      [](C& c) { c.validate(); }};
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
