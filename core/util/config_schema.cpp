// Every configuration key of the system, its default (the paper's value: docs/method.md, configs/SinSR.yaml of
// the reference) and a one-line description. `sinsr <command> --help` and --print-config read this table.
#include <limits>

#include "core/util/config.h"

namespace sinsr {

namespace {

using R = ValueRule;
constexpr double kInf = std::numeric_limits<double>::infinity();
// Names the rules accept; the code that interprets each (core/data/kernels, core/nn/precision,
// eval/metric_suite, eval/metrics/psnr_ssim) refuses anything else too.
const char* const kKernelTypes = "iso|aniso|generalized_iso|generalized_aniso|plateau_iso|plateau_aniso";
const char* const kPrecisions = "fp32|bf16|fp16";
const char* const kMetrics = "psnr|ssim|lpips|clipiqa|musiq";
const char* const kPsnrSsimVariants = "pyiqa-ycbcr|pyiqa-yiq|pyiqa-rgb|basicsr-y|basicsr-rgb|basicsr-pt-y|basicsr-pt-rgb";

}  // namespace

const std::vector<ConfigKey>& config_schema() {
  static const std::vector<ConfigKey> kSchema = {
      // [model]: UNetModelSwin, the same architecture for the ResShift teacher and the SinSR student.
      {"model", "image_size", "64", "training latent size (fixes each Swin level's window clamp)", R::integer_in(1, 4096)},
      {"model", "in_channels", "6", "input channels: latent (3) + LQ RGB (3)", R::integer_at_least(1)},
      {"model", "model_channels", "160", "base channel count", R::integer_at_least(1)},
      {"model", "out_channels", "3", "output (latent) channels", R::integer_at_least(1)},
      {"model", "channel_mult", "1,2,2,4", "channel multiplier per level", R::integers_at_least(1)},
      {"model", "num_res_blocks", "2,2,2,2", "ResBlocks per level (one value or one per level)", R::integers_at_least(1)},
      {"model", "attention_resolutions", "64,32,16,8", "latent resolutions that get a Swin layer", R::integers_at_least(1, /*may_be_empty=*/true)},
      {"model", "dropout", "0", "dropout inside ResBlocks", R::number_in(0, 1, false, /*high_open=*/true)},
      {"model", "conv_resample", "true", "learned conv down/up-sampling", R::flag()},
      {"model", "use_scale_shift_norm", "true", "FiLM conditioning in ResBlocks", R::flag()},
      {"model", "resblock_updown", "false", "ResBlocks do the down/up-sampling", R::flag()},
      {"model", "num_heads", "1", "Swin heads when num_head_channels = -1", R::integer_at_least(1)},
      {"model", "num_head_channels", "32", "channels per Swin head (heads = swin_embed_dim / this)", R::integer_at_least(-1)},
      {"model", "swin_depth", "2", "Swin blocks per Swin layer", R::integer_at_least(1)},
      {"model", "swin_embed_dim", "192", "Swin embedding width", R::integer_at_least(1)},
      {"model", "window_size", "8", "Swin window size", R::integer_at_least(1)},
      {"model", "mlp_ratio", "4", "Swin MLP hidden width / embedding width", R::number_above(0)},
      {"model", "patch_norm", "false", "GroupNorm after Swin patch embedding", R::flag()},
      {"model", "cond_lq", "true", "concatenate the LQ image to the input", R::flag()},
      // [autoencoder]: VQModelTorch, the VQ-f4 first stage (weights/autoencoder_vq_f4.pth).
      {"autoencoder", "embed_dim", "3", "codebook vector size", R::integer_at_least(1)},
      {"autoencoder", "n_embed", "8192", "codebook entries", R::integer_at_least(1)},
      {"autoencoder", "ch", "128", "base channel count", R::integer_at_least(1)},
      {"autoencoder", "ch_mult", "1,2,4", "channel multiplier per level (downsampling = 2^(levels-1))", R::integers_at_least(1)},
      {"autoencoder", "num_res_blocks", "2", "ResnetBlocks per level", R::integer_at_least(1)},
      {"autoencoder", "attn_resolutions", "", "resolutions with attention blocks (the middle block always has one)", R::integers_at_least(1, /*may_be_empty=*/true)},
      {"autoencoder", "dropout", "0", "dropout inside ResnetBlocks", R::number_in(0, 1, false, /*high_open=*/true)},
      {"autoencoder", "in_channels", "3", "image channels", R::integer_at_least(1)},
      {"autoencoder", "out_ch", "3", "decoded image channels", R::integer_at_least(1)},
      {"autoencoder", "resolution", "256", "training image size (only places attn_resolutions)", R::integer_at_least(1)},
      {"autoencoder", "z_channels", "3", "latent channels", R::integer_at_least(1)},
      {"autoencoder", "double_z", "false", "must be false for the VQ model", R::flag()},
      // [diffusion]: ResShift's residual-shifting process (reference configs/SinSR.yaml, diffusion.params).
      {"diffusion", "schedule_name", "exponential", "eta schedule (only 'exponential')", R::one_of("exponential")},
      {"diffusion", "power", "0.3", "exponent of the schedule's time warp", R::number_above(0)},
      {"diffusion", "min_noise_level", "0.04", "noise level at t = 0 (sqrt(eta_0) = min(this/kappa, this, sqrt(0.001)))", R::number_above(0)},
      {"diffusion", "etas_end", "0.99", "sqrt(eta) at the last step", R::number_in(0, 1, /*low_open=*/true)},
      {"diffusion", "steps", "15", "diffusion steps T", R::integer_at_least(1)},
      {"diffusion", "kappa", "2.0", "noise scale kappa", R::number_above(0)},
      {"diffusion", "sf", "4", "super-resolution factor (LQ is bicubic-upsampled by this before encoding)", R::integer_at_least(1)},
      {"diffusion", "normalize_input", "true", "divide the UNet input by its std sqrt(kappa^2 eta_t + 1)", R::flag()},
      {"diffusion", "latent_flag", "true",
       "true: latent space (the VQ-f4 [autoencoder], --autoencoder); false: pixel space (no autoencoder, x0 clamped to [-1, 1])", R::flag()},
      {"diffusion", "scale_factor", "1.0", "latent scale factor of the first stage", R::number_above(0)},
      // [degradation]: the Real-ESRGAN second-order pipeline that makes LR training inputs (reference
      // configs/SinSR.yaml, data.train.params and degradation; docs/method.md §5).
      {"degradation", "sf", "4", "GT size / LR size", R::integer_at_least(1)},
      {"degradation", "blur_kernel_size", "21", "first blur: kernels padded to this; sizes 3, 5, ..., this - 2", R::integer_at_least(5)},
      {"degradation", "kernel_list", "iso,aniso,generalized_iso,generalized_aniso,plateau_iso,plateau_aniso",
       "first blur: kernel types weighed by kernel_prob", R::items_of(kKernelTypes)},
      {"degradation", "kernel_prob", "0.45,0.25,0.12,0.03,0.12,0.03", "first blur: weight of each kernel_list type", R::numbers_at_least(0)},
      {"degradation", "sinc_prob", "0.1", "first blur: probability of a sinc kernel instead", R::probability()},
      {"degradation", "blur_sigma", "0.2,3.0", "first blur: Gaussian sigma range", R::range_in(0, kInf, /*min_open=*/true)},
      {"degradation", "betag_range", "0.5,4.0", "first blur: generalized Gaussian beta range", R::range_in(0, kInf, /*min_open=*/true)},
      {"degradation", "betap_range", "1,2", "first blur: plateau beta range", R::range_in(0, kInf, /*min_open=*/true)},
      {"degradation", "resize_prob", "0.2,0.7,0.1", "first resize: weights of up, down, keep", R::numbers_at_least(0)},
      {"degradation", "resize_range", "0.15,1.5", "first resize: down U(low, 1), up U(1, high)", R::range_in(0, kInf, /*min_open=*/true)},
      {"degradation", "gaussian_noise_prob", "0.5", "first noise: Gaussian, else Poisson", R::probability()},
      {"degradation", "noise_range", "1,30", "first noise: Gaussian sigma range (0-255 scale)", R::range_in(0, kInf)},
      {"degradation", "poisson_scale_range", "0.05,3.0", "first noise: Poisson scale range", R::range_in(0, kInf)},
      {"degradation", "gray_noise_prob", "0.4", "first noise: probability of gray (luma-only) noise", R::probability()},
      {"degradation", "jpeg_range", "30,95", "first JPEG: quality range (real-valued)", R::range_in(0, 100, /*min_open=*/true)},
      {"degradation", "second_order_prob", "0.5", "probability of the second degradation", R::probability()},
      {"degradation", "second_blur_prob", "0.8", "second degradation: probability of its blur", R::probability()},
      {"degradation", "blur_kernel_size2", "15", "second blur and final sinc: pad size (sizes 3 ... this - 2)", R::integer_at_least(5)},
      {"degradation", "kernel_list2", "iso,aniso,generalized_iso,generalized_aniso,plateau_iso,plateau_aniso",
       "second blur: kernel types", R::items_of(kKernelTypes)},
      {"degradation", "kernel_prob2", "0.45,0.25,0.12,0.03,0.12,0.03", "second blur: kernel type weights", R::numbers_at_least(0)},
      {"degradation", "sinc_prob2", "0.1", "second blur: probability of a sinc kernel", R::probability()},
      {"degradation", "blur_sigma2", "0.2,1.5", "second blur: Gaussian sigma range", R::range_in(0, kInf, /*min_open=*/true)},
      {"degradation", "betag_range2", "0.5,4.0", "second blur: generalized Gaussian beta range", R::range_in(0, kInf, /*min_open=*/true)},
      {"degradation", "betap_range2", "1,2", "second blur: plateau beta range", R::range_in(0, kInf, /*min_open=*/true)},
      {"degradation", "resize_prob2", "0.3,0.4,0.3", "second resize: weights of up, down, keep", R::numbers_at_least(0)},
      {"degradation", "resize_range2", "0.3,1.2", "second resize: down U(low, 1), up U(1, high), of the LR size", R::range_in(0, kInf, /*min_open=*/true)},
      {"degradation", "gaussian_noise_prob2", "0.5", "second noise: Gaussian, else Poisson", R::probability()},
      {"degradation", "noise_range2", "1,25", "second noise: Gaussian sigma range (0-255 scale)", R::range_in(0, kInf)},
      {"degradation", "poisson_scale_range2", "0.05,2.5", "second noise: Poisson scale range", R::range_in(0, kInf)},
      {"degradation", "gray_noise_prob2", "0.4", "second noise: probability of gray noise", R::probability()},
      {"degradation", "final_sinc_prob", "0.8", "probability of the final sinc filter (else none)", R::probability()},
      {"degradation", "jpeg_range2", "30,95", "final JPEG: quality range", R::range_in(0, 100, /*min_open=*/true)},
      {"degradation", "use_sharp", "false", "USM-sharpen the GT (input and target) first", R::flag()},
      // [data]: the HR photos the pipeline degrades (RealESRGANDataset).
      {"data", "hr", "", "HR photos: a folder (searched recursively) or a text file with one path per line", R::text()},
      {"data", "extensions", "png,jpg,jpeg,bmp,webp,tif,tiff", "image extensions taken from a folder (any case)", R::text()},
      {"data", "gt_size", "256", "GT crop size", R::integer_at_least(1)},
      {"data", "rescale_gt", "true", "true: crop a random max(min(h, w), gt_size) square and area-resize it to gt_size; false: a random gt_size crop", R::flag()},
      {"data", "use_hflip", "true", "random horizontal flips", R::flag()},
      {"data", "max_side", "0", "area-downscale photos whose longer side exceeds this before cropping (0: never)", R::integer_at_least(0)},
      {"data", "max_pixels", "100000000",
       "photos whose header claims more pixels are skipped (logged) before decoding", R::integer_at_least(1)},
      {"data", "cache_images", "false", "keep decoded photos in memory (small photo sets: saves a decode per sample)", R::flag()},
      {"data", "seed", "12345", "seed of every random draw of the data (sample i depends on (seed, i) only)", R::integer_at_least(0)},
      {"data", "workers", "0", "loader threads (0: all cores)", R::integer_at_least(0)},
      {"data", "prefetch_batches", "4", "batches the loader keeps ready", R::integer_at_least(1)},
      // [datagen]: teacher pair shards (docs/architecture.md §4).
      {"datagen", "shard_size", "256", "samples per shard file (a crash loses at most one shard's work)", R::integer_at_least(1)},
      {"datagen", "batch_size", "4", "samples per teacher call (speed only)", R::integer_at_least(1)},
      {"datagen", "peer_timeout", "600",
       "seconds a rank may show no progress (SIGSTOP, a hung file system) before the others give up", R::number_above(0)},
      {"datagen", "precision", "fp32",
       "fp32, bf16 or fp16 (GPU): the teacher under autocast, the autoencoder in half precision (docs/design.md, Precision)", R::one_of(kPrecisions)},
      // [train]: SinSR distillation (docs/method.md §4; the paper fine-tunes for 300k iterations, the reference YAML
      // says 500k with milestones [5000, 500000]).
      {"train", "steps", "300000", "optimizer steps", R::integer_at_least(1)},
      {"train", "batch_size", "64", "global batch (all ranks together); must be a multiple of the rank count", R::integer_at_least(1)},
      {"train", "microbatch", "64", "per-rank micro-batch; gradients accumulate over the rest of the rank's batch (the three losses run as one network batch of 3x this)", R::integer_at_least(1)},
      {"train", "lr", "5e-5", "AdamW learning rate after warm-up", R::number_above(0)},
      {"train", "warmup", "5000", "linear warm-up steps (the reference's first milestone)", R::integer_at_least(0)},
      {"train", "milestones", "500000", "steps after which the rate halves", R::integers_at_least(1, /*may_be_empty=*/true)},
      {"train", "weight_decay", "0", "AdamW weight decay", R::number_at_least(0)},
      {"train", "grad_clip", "0", "clip the global gradient norm to this (0: off, as the reference)", R::number_at_least(0)},
      {"train", "ema_rate", "0.999", "EMA rate of the student", R::probability()},
      {"train", "w_distill", "1", "weight of L_distill = MSE(f(x_T, T), F(x_T, y))", R::number_at_least(0)},
      {"train", "w_inverse", "1", "weight of L_inverse = MSE(f(F(x_T, y), 0), x_T)", R::number_at_least(0)},
      {"train", "w_gt", "1", "weight of L_gt = MSE(f(f(z_gt, 0), T), z_gt)", R::number_at_least(0)},
      {"train", "init", "teacher", "student start: teacher (its weights, the paper) or random", R::one_of("teacher|random")},
      {"train", "seed", "123456", "seed of the sample order", R::integer_at_least(0)},
      {"train", "val_samples", "8", "last samples of the data set held out for validation", R::integer_at_least(0)},
      {"train", "log_every", "100", "steps between metrics lines", R::integer_at_least(1)},
      {"train", "val_every", "2000", "steps between validations", R::integer_at_least(1)},
      {"train", "ckpt_every", "2000", "steps between checkpoints", R::integer_at_least(1)},
      {"train", "keep_ckpts", "3", "checkpoints kept", R::integer_at_least(1)},
      {"train", "check_every", "100", "steps between cross-rank parameter checksums", R::integer_at_least(0)},
      {"train", "peer_timeout", "600", "seconds without a finished step before a rank gives up (a dead peer)", R::number_above(0)},
      {"train", "grad_sync", "overlap",
       "gradient all-reduce: overlap (buckets leave during backward, like torch DDP) or after_backward (same buckets, same sums, later)", R::one_of("overlap|after_backward")},
      {"train", "bucket_mb", "25", "gradient all-reduce bucket size in MiB (torch DDP's default)", R::number_above(0)},
      {"train", "precision", "fp32",
       "fp32 or bf16: the networks under autocast, the autoencoder in half precision; weights, AdamW, EMA and losses stay fp32 "
       "(fp16 is refused: it needs a loss scaler)", R::one_of(kPrecisions)},
      {"train", "nonfinite", "abort",
       "a NaN or infinite gradient (any rank's loss): abort (exit 1, no checkpoint of it) or skip (the step is logged and "
       "not applied; a host sync per step on GPUs)",
       R::one_of("abort|skip")},
      {"train", "stop_check_every", "0",
       "steps between the ranks' vote on a stop signal (a host sync on GPUs; also on every log step); 0: 1 on CPUs, 10 on GPUs", R::integer_at_least(0)},
      // [eval]: image-quality metrics (docs/method.md §7; README "Evaluation" says where each weight file comes from).
      {"eval", "metrics", "psnr,ssim,lpips,clipiqa,musiq", "metrics to report (psnr, ssim, lpips need a reference image)", R::items_of(kMetrics)},
      {"eval", "psnr_ssim_variants", "pyiqa-ycbcr,pyiqa-rgb,basicsr-y",
       "PSNR/SSIM variants: pyiqa-ycbcr (the paper's), pyiqa-yiq, pyiqa-rgb, basicsr-y, basicsr-rgb, basicsr-pt-y, basicsr-pt-rgb", R::items_of(kPsnrSsimVariants)},
      {"eval", "crop_border", "4", "pixels cropped on each side by the basicsr variants (the scale factor)", R::integer_at_least(0)},
      {"eval", "lpips_nets", "alex", "LPIPS backbones: alex (the paper's), vgg", R::items_of("alex|vgg")},
      {"eval", "lpips_alex_backbone", "", "torchvision alexnet-owt-7be5be79.pth (features.* used)", R::text()},
      {"eval", "lpips_alex_lin", "", "LPIPS v0.1 linear heads, PerceptualSimilarity weights/v0.1/alex.pth", R::text()},
      {"eval", "lpips_vgg_backbone", "", "torchvision vgg16-397923af.pth (features.* used)", R::text()},
      {"eval", "lpips_vgg_lin", "", "LPIPS v0.1 linear heads, PerceptualSimilarity weights/v0.1/vgg.pth", R::text()},
      {"eval", "clipiqa_weights", "", "CLIP RN50 state_dict with visual.* keys (converted from OpenAI's RN50.pt)", R::text()},
      {"eval", "clipiqa_text_features", "", ".pth with text_features [10, 1024] of the five prompt pairs and logit_scale", R::text()},
      {"eval", "musiq_weights", "", "pyiqa's musiq_koniq_ckpt-e95806b9.pth", R::text()},
      {"eval", "musiq_heads", "6", "MUSIQ attention heads (not stored in the checkpoint)", R::integer_at_least(1)},
      {"eval", "crops", "3", "images shown as side-by-side crops in the HTML report", R::integer_at_least(0)},
      {"eval", "crop_size", "96", "crop side in output pixels", R::integer_at_least(1)},
      {"eval", "peer_timeout", "600",
       "seconds a rank may show no progress (SIGSTOP, a hung file system) before the others give up", R::number_above(0)},
      {"eval", "precision", "fp32", "--checkpoints inference: fp32, bf16 or fp16 (GPU), as sinsr infer --precision (metrics stay fp32)", R::one_of(kPrecisions)},
      // [benchmark]: a benchmark definition (configs/benchmarks/*.ini); paths relative to that file.
      {"benchmark", "name", "", "short name used in results", R::text()},
      {"benchmark", "lq", "", "folder of low-quality inputs", R::text()},
      {"benchmark", "gt", "", "folder of references with the same file stems (empty: no-reference metrics only)", R::text()},
      {"benchmark", "metrics", "", "metrics of the benchmark's protocol (empty: eval.metrics)", R::items_of(kMetrics, /*may_be_empty=*/true)},
      {"benchmark", "psnr_ssim_variants", "", "PSNR/SSIM variants of the protocol (empty: eval.psnr_ssim_variants)", R::items_of(kPsnrSsimVariants, /*may_be_empty=*/true)},
  };
  return kSchema;
}

}  // namespace sinsr
