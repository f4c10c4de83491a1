// [eval] (the metrics and their weight files, docs/method.md §7) and [benchmark] (one benchmark definition,
// configs/benchmarks/*.ini).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/util/config_table.h"

namespace sinsr::eval {

struct EvalConfig : ConfigSection<EvalConfig> {
  std::vector<std::string> metrics, psnr_ssim_variants;
  int64_t crop_border;
  std::vector<std::string> lpips_nets;
  std::string lpips_alex_backbone, lpips_alex_lin, lpips_vgg_backbone, lpips_vgg_lin;
  std::string clipiqa_weights, clipiqa_text_features;
  std::string musiq_weights;
  int64_t musiq_heads;
  int64_t crops, crop_size;
  double peer_timeout;
  std::string precision;

  static ConfigTable<EvalConfig> table();  // [eval]
};

struct BenchmarkConfig : ConfigSection<BenchmarkConfig> {
  std::string name, lq, gt;                              // gt empty: no-reference metrics only
  std::vector<std::string> metrics, psnr_ssim_variants;  // empty: eval's

  static ConfigTable<BenchmarkConfig> table();  // [benchmark]
};

}  // namespace sinsr::eval
