#include "eval/eval_config.h"

#include "core/util/config_table.h"

namespace sinsr::eval {

namespace {

// The names eval/metric_suite and eval/metrics/psnr_ssim understand.
const char* const kMetrics = "psnr|ssim|lpips|clipiqa|musiq";
const char* const kPsnrSsimVariants =
    "pyiqa-ycbcr|pyiqa-yiq|pyiqa-rgb|basicsr-y|basicsr-rgb|basicsr-pt-y|basicsr-pt-rgb";

}  // namespace

// README "Evaluation" says where each weight file comes from.
ConfigTable<EvalConfig> EvalConfig::table() {
  using C = EvalConfig;
  return {
      "eval",
      {
          {"metrics", "psnr,ssim,lpips,clipiqa,musiq", "metrics to report (psnr, ssim, lpips need a reference image)",
           ValueRule::items_of(kMetrics), &C::metrics},
          {"psnr_ssim_variants", "pyiqa-ycbcr,pyiqa-rgb,basicsr-y",
           "PSNR/SSIM variants: pyiqa-ycbcr (the paper's), pyiqa-yiq, pyiqa-rgb, basicsr-y, basicsr-rgb, basicsr-pt-y, "
           "basicsr-pt-rgb",
           ValueRule::items_of(kPsnrSsimVariants), &C::psnr_ssim_variants},
          {"crop_border", "4", "pixels cropped on each side by the basicsr variants (the scale factor)",
           ValueRule::integer_at_least(0), &C::crop_border},
          {"lpips_nets", "alex", "LPIPS backbones: alex (the paper's), vgg", ValueRule::items_of("alex|vgg"),
           &C::lpips_nets},
          {"lpips_alex_backbone", "", "torchvision alexnet-owt-7be5be79.pth (features.* used)", ValueRule::text(),
           &C::lpips_alex_backbone},
          {"lpips_alex_lin", "", "LPIPS v0.1 linear heads, PerceptualSimilarity weights/v0.1/alex.pth",
           ValueRule::text(), &C::lpips_alex_lin},
          {"lpips_vgg_backbone", "", "torchvision vgg16-397923af.pth (features.* used)", ValueRule::text(),
           &C::lpips_vgg_backbone},
          {"lpips_vgg_lin", "", "LPIPS v0.1 linear heads, PerceptualSimilarity weights/v0.1/vgg.pth", ValueRule::text(),
           &C::lpips_vgg_lin},
          {"clipiqa_weights", "", "CLIP RN50 state_dict with visual.* keys (converted from OpenAI's RN50.pt)",
           ValueRule::text(), &C::clipiqa_weights},
          {"clipiqa_text_features", "", ".pth with text_features [10, 1024] of the five prompt pairs and logit_scale",
           ValueRule::text(), &C::clipiqa_text_features},
          {"musiq_weights", "", "pyiqa's musiq_koniq_ckpt-e95806b9.pth", ValueRule::text(), &C::musiq_weights},
          {"musiq_heads", "6", "MUSIQ attention heads (not stored in the checkpoint)", ValueRule::integer_at_least(1),
           &C::musiq_heads},
          {"crops", "3", "images shown as side-by-side crops in the HTML report", ValueRule::integer_at_least(0),
           &C::crops},
          {"crop_size", "96", "crop side in output pixels", ValueRule::integer_at_least(1), &C::crop_size},
          {"peer_timeout", "600",
           "seconds a rank may show no progress (SIGSTOP, a hung file system) before the others give up",
           ValueRule::number_above(0), &C::peer_timeout},
          {"precision", "fp32",
           "--checkpoints inference: fp32, bf16 or fp16 (GPU), as sinsr infer --precision (metrics stay fp32)",
           ValueRule::one_of(kPrecisionChoices), &C::precision},
      }};
}

// Paths are relative to the benchmark's file.
ConfigTable<BenchmarkConfig> BenchmarkConfig::table() {
  using C = BenchmarkConfig;
  return {"benchmark",
          {
              {"name", "", "short name used in results", ValueRule::text(), &C::name},
              {"lq", "", "folder of low-quality inputs", ValueRule::text(), &C::lq},
              {"gt", "", "folder of references with the same file stems (empty: no-reference metrics only)",
               ValueRule::text(), &C::gt},
              {"metrics", "", "metrics of the benchmark's protocol (empty: eval.metrics)",
               ValueRule::items_of(kMetrics, /*may_be_empty=*/true), &C::metrics},
              {"psnr_ssim_variants", "", "PSNR/SSIM variants of the protocol (empty: eval.psnr_ssim_variants)",
               ValueRule::items_of(kPsnrSsimVariants, /*may_be_empty=*/true), &C::psnr_ssim_variants},
          }};
}

}  // namespace sinsr::eval
