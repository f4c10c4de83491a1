// The [data] and [degradation] config sections as the user writes them (docs/method.md §5). The degradation
// pipeline derives its per-stage parameters from DegradationSettings (core/data/degradation.h).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/util/config_table.h"

namespace sinsr::data {

// [data]: the HR photos and how samples are drawn from them (RealESRGANDataset).
struct HrDataConfig : ConfigSection<HrDataConfig> {
  std::string source;                   // folder or list file (data.hr)
  std::vector<std::string> extensions;  // lower case, without the dot
  int64_t gt_size;
  bool rescale_gt;
  bool use_hflip;
  int64_t max_side;    // photos whose longer side exceeds this are area-downscaled first (0: never)
  int64_t max_pixels;  // a photo whose header claims more is refused before it is decoded
  bool cache_images;   // keep every decoded (and downscaled) photo in memory: small photo sets only
  int64_t seed;        // sample i depends on (seed, i) only
  int64_t workers;     // loader threads (0: all cores)
  int64_t prefetch_batches;

  static ConfigTable<HrDataConfig> table();  // [data]
};

// The keys of one order of the [degradation] pipeline (its blur, resize and noise).
struct DegradationOrder {
  int64_t blur_kernel_size;
  std::vector<std::string> kernel_list;
  std::vector<double> kernel_prob;
  double sinc_prob;
  std::vector<double> blur_sigma, betag_range, betap_range;  // ranges: {low, high}
  std::vector<double> resize_prob, resize_range;
  double gaussian_noise_prob;
  std::vector<double> noise_range, poisson_scale_range;
  double gray_noise_prob;
};

// [degradation]: the Real-ESRGAN second-order pipeline; the second order's keys end in "2".
struct DegradationSettings : ConfigSection<DegradationSettings> {
  int64_t sf;
  DegradationOrder first, second;
  std::vector<double> jpeg_range, jpeg_range2;
  double second_order_prob;
  double second_blur_prob;
  double final_sinc_prob;
  bool use_sharp;

  static ConfigTable<DegradationSettings> table();  // [degradation]
};

}  // namespace sinsr::data
