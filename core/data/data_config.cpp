#include "core/data/data_config.h"

#include <algorithm>
#include <cctype>
#include <limits>

#include "core/util/config_table.h"

namespace sinsr::data {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
// The kernel names core/data/kernels understands.
const char* const kKernelTypes = "iso|aniso|generalized_iso|generalized_aniso|plateau_iso|plateau_aniso";

// The keys of one degradation order (Real-ESRGAN's first and second blur, resize and noise), with each
// order's default: the second's keys end in "2" (reference configs/SinSR.yaml, degradation).
std::vector<ConfigTable<DegradationOrder>::Row> order_rows(bool second) {
  using C = DegradationOrder;
  using R = ValueRule;
  const std::string two = second ? "2" : "";  // the suffix of the second order's keys
  const std::string blur = second ? "second blur: " : "first blur: ",
                    resize = second ? "second resize: " : "first resize: ",
                    noise = second ? "second noise: " : "first noise: ";
  const R positive_range = R::range_in(0, kInf, /*min_open=*/true);
  return {
      {"blur_kernel_size", second ? "15" : "21",
       blur + "kernels padded to this; sizes 3, 5, ..., this - 2" + (second ? " (the final sinc's too)" : ""),
       R::integer_at_least(5), &C::blur_kernel_size},
      {"kernel_list", "iso,aniso,generalized_iso,generalized_aniso,plateau_iso,plateau_aniso",
       blur + "kernel types weighed by kernel_prob" + two, R::items_of(kKernelTypes), &C::kernel_list},
      {"kernel_prob", "0.45,0.25,0.12,0.03,0.12,0.03", blur + "weight of each kernel_list" + two + " type",
       R::numbers_at_least(0), &C::kernel_prob},
      {"sinc_prob", "0.1", blur + "probability of a sinc kernel instead", R::probability(), &C::sinc_prob},
      {"blur_sigma", second ? "0.2,1.5" : "0.2,3.0", blur + "Gaussian sigma range", positive_range, &C::blur_sigma},
      {"betag_range", "0.5,4.0", blur + "generalized Gaussian beta range", positive_range, &C::betag_range},
      {"betap_range", "1,2", blur + "plateau beta range", positive_range, &C::betap_range},
      {"resize_prob", second ? "0.3,0.4,0.3" : "0.2,0.7,0.1", resize + "weights of up, down, keep",
       R::numbers_at_least(0), &C::resize_prob},
      {"resize_range", second ? "0.3,1.2" : "0.15,1.5",
       resize + "down U(low, 1), up U(1, high)" + (second ? ", of the LR size" : ""), positive_range, &C::resize_range},
      {"gaussian_noise_prob", "0.5", noise + "Gaussian, else Poisson", R::probability(), &C::gaussian_noise_prob},
      {"noise_range", second ? "1,25" : "1,30", noise + "Gaussian sigma range (0-255 scale)", R::range_in(0, kInf),
       &C::noise_range},
      {"poisson_scale_range", second ? "0.05,2.5" : "0.05,3.0", noise + "Poisson scale range", R::range_in(0, kInf),
       &C::poisson_scale_range},
      {"gray_noise_prob", "0.4", noise + "probability of gray (luma-only) noise", R::probability(),
       &C::gray_noise_prob},
  };
}

}  // namespace

ConfigTable<HrDataConfig> HrDataConfig::table() {
  return {
      "data",
      {
          {"hr", "", "HR photos: a folder (searched recursively) or a text file with one path per line", R::text(),
           &C::source},
          {"extensions", "png,jpg,jpeg,bmp,webp,tif,tiff", "image extensions taken from a folder (any case)", R::text(),
           &C::extensions},
          {"gt_size", "256", "GT crop size", R::integer_at_least(1), &C::gt_size},
          {"rescale_gt", "true",
           "true: crop a random max(min(h, w), gt_size) square and area-resize it to gt_size; false: a random gt_size "
           "crop",
           R::flag(), &C::rescale_gt},
          {"use_hflip", "true", "random horizontal flips", R::flag(), &C::use_hflip},
          {"max_side", "0", "area-downscale photos whose longer side exceeds this before cropping (0: never)",
           R::integer_at_least(0), &C::max_side},
          {"max_pixels", "100000000", "photos whose header claims more pixels are skipped (logged) before decoding",
           R::integer_at_least(1), &C::max_pixels},
          {"cache_images", "false", "keep decoded photos in memory (small photo sets: saves a decode per sample)",
           R::flag(), &C::cache_images},
          {"seed", "12345", "seed of every random draw of the data (sample i depends on (seed, i) only)",
           R::integer_at_least(0), &C::seed},
          {"workers", "0", "loader threads (0: all cores)", R::integer_at_least(0), &C::workers},
          {"prefetch_batches", "4", "batches the loader keeps ready", R::integer_at_least(1), &C::prefetch_batches},
      },
      [](C& c) {
        // Extensions match in any case, with or without their dot.
        for (std::string& e : c.extensions) {
          if (e.rfind('.', 0) == 0) e.erase(0, 1);
          std::transform(e.begin(), e.end(), e.begin(),
                         [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
        }
      }};
}

// The Real-ESRGAN second-order pipeline that makes LR training inputs (reference configs/SinSR.yaml,
// data.train.params and degradation). The key order is the schema's: a data set's identity hashes it.
ConfigTable<DegradationSettings> DegradationSettings::table() {
  using T = ConfigTable<C>;
  std::vector<T::Row> rows = {{"sf", "4", "GT size / LR size", R::integer_at_least(1), &C::sf}};
  const auto append = [&rows](std::vector<T::Row> more) { rows.insert(rows.end(), more.begin(), more.end()); };
  append(T::part(order_rows(false), &C::first, ""));
  append({
      {"jpeg_range", "30,95", "first JPEG: quality range (real-valued)", R::range_in(0, 100, /*min_open=*/true),
       &C::jpeg_range},
      {"second_order_prob", "0.5", "probability of the second degradation", R::probability(), &C::second_order_prob},
      {"second_blur_prob", "0.8", "second degradation: probability of its blur", R::probability(),
       &C::second_blur_prob},
  });
  append(T::part(order_rows(true), &C::second, "2"));
  append({
      {"final_sinc_prob", "0.8", "probability of the final sinc filter (else none)", R::probability(),
       &C::final_sinc_prob},
      {"jpeg_range2", "30,95", "final JPEG: quality range", R::range_in(0, 100, /*min_open=*/true), &C::jpeg_range2},
      {"use_sharp", "false", "USM-sharpen the GT (input and target) first", R::flag(), &C::use_sharp},
  });
  return {"degradation", std::move(rows)};
}

}  // namespace sinsr::data
