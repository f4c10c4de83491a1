// Every configuration key of the system, its default (the paper's value: SPEC.md, configs/SinSR.yaml of
// the reference) and a one-line description. `sinsr <command> --help` and --print-config read this table.
#include "core/util/config.h"

namespace sinsr {

const std::vector<ConfigKey>& config_schema() {
  static const std::vector<ConfigKey> kSchema = {
      // [model]: UNetModelSwin, the same architecture for the ResShift teacher and the SinSR student.
      {"model", "image_size", "64", "training latent size (fixes each Swin level's window clamp)"},
      {"model", "in_channels", "6", "input channels: latent (3) + LQ RGB (3)"},
      {"model", "model_channels", "160", "base channel count"},
      {"model", "out_channels", "3", "output (latent) channels"},
      {"model", "channel_mult", "1,2,2,4", "channel multiplier per level"},
      {"model", "num_res_blocks", "2,2,2,2", "ResBlocks per level (one value or one per level)"},
      {"model", "attention_resolutions", "64,32,16,8", "latent resolutions that get a Swin layer"},
      {"model", "dropout", "0", "dropout inside ResBlocks"},
      {"model", "conv_resample", "true", "learned conv down/up-sampling"},
      {"model", "use_scale_shift_norm", "true", "FiLM conditioning in ResBlocks"},
      {"model", "resblock_updown", "false", "ResBlocks do the down/up-sampling"},
      {"model", "num_heads", "1", "Swin heads when num_head_channels = -1"},
      {"model", "num_head_channels", "32", "channels per Swin head (heads = swin_embed_dim / this)"},
      {"model", "swin_depth", "2", "Swin blocks per Swin layer"},
      {"model", "swin_embed_dim", "192", "Swin embedding width"},
      {"model", "window_size", "8", "Swin window size"},
      {"model", "mlp_ratio", "4", "Swin MLP hidden width / embedding width"},
      {"model", "patch_norm", "false", "GroupNorm after Swin patch embedding"},
      {"model", "cond_lq", "true", "concatenate the LQ image to the input"},
      // [autoencoder]: VQModelTorch, the VQ-f4 first stage (weights/autoencoder_vq_f4.pth).
      {"autoencoder", "embed_dim", "3", "codebook vector size"},
      {"autoencoder", "n_embed", "8192", "codebook entries"},
      {"autoencoder", "ch", "128", "base channel count"},
      {"autoencoder", "ch_mult", "1,2,4", "channel multiplier per level (downsampling = 2^(levels-1))"},
      {"autoencoder", "num_res_blocks", "2", "ResnetBlocks per level"},
      {"autoencoder", "attn_resolutions", "", "resolutions with attention blocks (the middle block always has one)"},
      {"autoencoder", "dropout", "0", "dropout inside ResnetBlocks"},
      {"autoencoder", "in_channels", "3", "image channels"},
      {"autoencoder", "out_ch", "3", "decoded image channels"},
      {"autoencoder", "resolution", "256", "training image size (only places attn_resolutions)"},
      {"autoencoder", "z_channels", "3", "latent channels"},
      {"autoencoder", "double_z", "false", "must be false for the VQ model"},
      // [diffusion]: ResShift's residual-shifting process (reference configs/SinSR.yaml, diffusion.params).
      {"diffusion", "schedule_name", "exponential", "eta schedule (only 'exponential')"},
      {"diffusion", "power", "0.3", "exponent of the schedule's time warp"},
      {"diffusion", "min_noise_level", "0.04", "noise level at t = 0 (sqrt(eta_0) = min(this/kappa, this, sqrt(0.001)))"},
      {"diffusion", "etas_end", "0.99", "sqrt(eta) at the last step"},
      {"diffusion", "steps", "15", "diffusion steps T"},
      {"diffusion", "kappa", "2.0", "noise scale kappa"},
      {"diffusion", "sf", "4", "super-resolution factor (LQ is bicubic-upsampled by this before encoding)"},
      {"diffusion", "normalize_input", "true", "divide the UNet input by its std sqrt(kappa^2 eta_t + 1)"},
      {"diffusion", "latent_flag", "true", "the model works in latent space (input normalisation rule)"},
      {"diffusion", "scale_factor", "1.0", "latent scale factor of the first stage"},
  };
  return kSchema;
}

}  // namespace sinsr
