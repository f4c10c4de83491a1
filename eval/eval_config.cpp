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
  return {
      "eval",
      {
          {"metrics", "psnr,ssim,lpips,clipiqa,musiq", "metrics to report (psnr, ssim, lpips need a reference image)",
           R::items_of(kMetrics), &C::metrics},
          {"psnr_ssim_variants", "pyiqa-ycbcr,pyiqa-rgb,basicsr-y",
           "PSNR/SSIM variants: pyiqa-ycbcr (the paper's), pyiqa-yiq, pyiqa-rgb, basicsr-y, basicsr-rgb, basicsr-pt-y, "
           "basicsr-pt-rgb",
           R::items_of(kPsnrSsimVariants), &C::psnr_ssim_variants},
          {"crop_border", "4", "pixels cropped on each side by the basicsr variants (the scale factor)",
           R::integer_at_least(0), &C::crop_border},
          {"lpips_nets", "alex", "LPIPS backbones: alex (the paper's), vgg", R::items_of("alex|vgg"), &C::lpips_nets},
          {"lpips_alex_backbone", "", "torchvision alexnet-owt-7be5be79.pth (features.* used)", R::text(),
           &C::lpips_alex_backbone},
          {"lpips_alex_lin", "", "LPIPS v0.1 linear heads, PerceptualSimilarity weights/v0.1/alex.pth", R::text(),
           &C::lpips_alex_lin},
          {"lpips_vgg_backbone", "", "torchvision vgg16-397923af.pth (features.* used)", R::text(),
           &C::lpips_vgg_backbone},
          {"lpips_vgg_lin", "", "LPIPS v0.1 linear heads, PerceptualSimilarity weights/v0.1/vgg.pth", R::text(),
           &C::lpips_vgg_lin},
          {"clipiqa_weights", "", "CLIP RN50 state_dict with visual.* keys (converted from OpenAI's RN50.pt)",
           R::text(), &C::clipiqa_weights},
          {"clipiqa_text_features", "", ".pth with text_features [10, 1024] of the five prompt pairs and logit_scale",
           R::text(), &C::clipiqa_text_features},
          {"musiq_weights", "", "pyiqa's musiq_koniq_ckpt-e95806b9.pth", R::text(), &C::musiq_weights},
          {"musiq_heads", "6", "MUSIQ attention heads (not stored in the checkpoint)", R::integer_at_least(1),
           &C::musiq_heads},
          {"crops", "3", "images shown as side-by-side crops in the HTML report", R::integer_at_least(0), &C::crops},
          {"crop_size", "96", "crop side in output pixels", R::integer_at_least(1), &C::crop_size},
          {"peer_timeout", "600",
           "seconds a rank may show no progress (SIGSTOP, a hung file system) before the others give up",
           R::number_above(0), &C::peer_timeout},
          {"precision", "fp32",
           "--checkpoints inference: fp32, bf16 or fp16 (GPU), as sinsr infer --precision (metrics stay fp32)",
           R::one_of(kPrecisionChoices), &C::precision},
      }};
}

// Paths are relative to the benchmark's file.
ConfigTable<BenchmarkConfig> BenchmarkConfig::table() {
  return {"benchmark",
          {
              {"name", "", "short name used in results", R::text(), &C::name},
              {"lq", "", "folder of low-quality inputs", R::text(), &C::lq},
              {"gt", "", "folder of references with the same file stems (empty: no-reference metrics only)", R::text(),
               &C::gt},
              {"metrics", "", "metrics of the benchmark's protocol (empty: eval.metrics)",
               R::items_of(kMetrics, /*may_be_empty=*/true), &C::metrics},
              {"psnr_ssim_variants", "", "PSNR/SSIM variants of the protocol (empty: eval.psnr_ssim_variants)",
               R::items_of(kPsnrSsimVariants, /*may_be_empty=*/true), &C::psnr_ssim_variants},
          }};
}

}  // namespace sinsr::eval
