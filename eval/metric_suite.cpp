#include "eval/metric_suite.h"

#include <torch/torch.h>

#include <algorithm>
#include <memory>

#include "core/util/errors.h"
#include "eval/metrics/clipiqa.h"
#include "eval/metrics/lpips.h"
#include "eval/metrics/musiq.h"
#include "eval/metrics/psnr_ssim.h"

namespace sinsr::eval {

namespace {

bool contains(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

// A weight file's key (without "eval.") and its value.
using WeightKey = std::pair<std::string, std::string>;

// The keys of a weight-file setting that are still empty, as "eval.key=..." hints.
std::string missing_keys(const std::vector<WeightKey>& keys) {
  std::string out;
  for (const auto& [key, value] : keys)
    if (value.empty()) out += (out.empty() ? "" : " and ") + ("eval." + key + "=...");
  return out;
}

// LPIPS's two weight files for a backbone: torchvision's features and LPIPS's linear heads.
std::vector<WeightKey> lpips_files(const EvalConfig& eval, const std::string& net) {
  if (net == "vgg") return {{"lpips_vgg_backbone", eval.lpips_vgg_backbone}, {"lpips_vgg_lin", eval.lpips_vgg_lin}};
  return {{"lpips_alex_backbone", eval.lpips_alex_backbone}, {"lpips_alex_lin", eval.lpips_alex_lin}};
}

}  // namespace

void MetricSuite::add(MetricColumn column, std::function<double(const Images&)> scorer) {
  columns_.push_back(std::move(column));
  scorers_.push_back(std::move(scorer));
}

MetricSuite::MetricSuite(const EvalConfig& eval, const std::vector<std::string>& metrics,
                         const std::vector<std::string>& psnr_ssim_variants, bool have_reference,
                         const c10::Device& device) {
  for (const auto& m : metrics)
    if (m != "psnr" && m != "ssim" && m != "lpips" && m != "clipiqa" && m != "musiq")
      throw UsageError("unknown metric '" + m + "' (known: psnr, ssim, lpips, clipiqa, musiq)");
  const auto needs_reference = [&](const std::string& m) {
    if (have_reference) return false;
    notes_.push_back(m + ": not computed (needs a reference: give --gt, or a benchmark with gt)");
    return true;
  };
  const int crop = static_cast<int>(eval.crop_border);
  for (const std::string measure : {"psnr", "ssim"}) {
    if (!contains(metrics, measure) || needs_reference(measure)) continue;
    for (const auto& name : psnr_ssim_variants) {
      metrics::PsnrSsimProtocol p;
      try {
        p = metrics::parse_psnr_ssim_protocol(name, crop);
      } catch (const std::invalid_argument& e) {
        throw UsageError(std::string("eval.psnr_ssim_variants: ") + e.what());
      }
      const metrics::PsnrSsimVariant v = measure == "psnr" ? p.psnr : p.ssim;
      add({measure, name, true},
          [v](const Images& im) { return metrics::compute_psnr_ssim(im.pred_u8, im.ref_u8, v); });
    }
  }
  if (contains(metrics, "lpips") && !needs_reference("lpips")) {
    for (const auto& net : eval.lpips_nets) {
      metrics::lpips_net_from_name(net);  // rejects an unknown backbone before looking for its files
      const std::vector<WeightKey> files = lpips_files(eval, net);
      if (const std::string missing = missing_keys(files); !missing.empty()) {
        notes_.push_back("lpips (" + net + "): unavailable (no weights: set " + missing + ")");
        continue;
      }
      auto model = std::make_shared<metrics::Lpips>(metrics::load_lpips(net, files[0].second, files[1].second));
      (*model)->to(device);
      add({"lpips", net, false}, [model, device](const Images& im) {
        return (*model)->score(im.pred01.to(device), im.ref01.to(device)).item<double>();
      });
    }
  }
  if (contains(metrics, "clipiqa")) {
    if (const std::string missing = missing_keys(
            {{"clipiqa_weights", eval.clipiqa_weights}, {"clipiqa_text_features", eval.clipiqa_text_features}});
        !missing.empty()) {
      notes_.push_back("clipiqa: unavailable (no weights: set " + missing + ")");
    } else {
      auto model = std::make_shared<metrics::ClipIqa>(
          metrics::ClipIqa::from_files(eval.clipiqa_weights, eval.clipiqa_text_features));
      model->to(device);
      add({"clipiqa", "rn50", true},
          [model, device](const Images& im) { return model->score(im.pred01.to(device)).item<double>(); });
    }
  }
  if (contains(metrics, "musiq")) {
    if (const std::string missing = missing_keys({{"musiq_weights", eval.musiq_weights}}); !missing.empty()) {
      notes_.push_back("musiq: unavailable (no weights: set " + missing + ")");
    } else {
      auto model = std::make_shared<metrics::Musiq>(metrics::load_musiq(eval.musiq_weights, {}, eval.musiq_heads));
      (*model)->to(device);
      // MUSIQ cuts its multi-scale patches on the CPU (score() does) and runs the network on the device.
      add({"musiq", "koniq", true}, [model](const Images& im) { return (*model)->score(im.pred01).item<double>(); });
    }
  }
}

std::vector<double> MetricSuite::score(const at::Tensor& pred_u8, const at::Tensor& ref_u8) {
  c10::InferenceMode inference;
  if (ref_u8.defined() && ref_u8.sizes() != pred_u8.sizes())
    throw std::runtime_error("output is " + std::to_string(pred_u8.size(1)) + "x" + std::to_string(pred_u8.size(0)) +
                             " but the reference is " + std::to_string(ref_u8.size(1)) + "x" +
                             std::to_string(ref_u8.size(0)));
  Images im{pred_u8, ref_u8, metrics::psnr_ssim_detail::to_unit_float(pred_u8),
            ref_u8.defined() ? metrics::psnr_ssim_detail::to_unit_float(ref_u8) : at::Tensor()};
  std::vector<double> values;
  for (const auto& s : scorers_) values.push_back(s(im));
  return values;
}

}  // namespace sinsr::eval
