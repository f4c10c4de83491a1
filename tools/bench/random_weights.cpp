// Writes weight files with seeded random values for runs of the sinsr binary whose cost, and whose agreement
// between devices, do not depend on the values (tools/gpu_measure.py):
//   teacher.pth, vq.pth                     the config's UNet and VQ-f4 autoencoder
//   with --metrics, the files [eval] takes: lpips_alex_backbone.pth, lpips_alex_lin.pth, clipiqa_rn50.pth,
//                                           clipiqa_text.pth, musiq_koniq.pth (the real models' sizes)
//   build/tools/bench/random_weights --out DIR [--config FILE] [--metrics]   (default config: the paper's networks)
#include <filesystem>
#include <iostream>
#include <string>

#include "core/util/config_file.h"
#include "eval/metrics/lpips.h"
#include "tools/bench/bench_util.h"
#include "tools/bench/random_metric_networks.h"

namespace {

namespace fs = std::filesystem;
using sinsr::io::TensorDict;

// The entries of `all` whose key starts with one of `prefixes`.
TensorDict with_prefix(const TensorDict& all, const std::vector<std::string>& prefixes) {
  TensorDict out;
  for (const auto& [key, value] : all)
    for (const auto& p : prefixes)
      if (key.rfind(p, 0) == 0) out.emplace_back(key, value);
  return out;
}

void write_metric_weights(const fs::path& dir) {
  torch::manual_seed(1);
  sinsr::metrics::Lpips lpips(sinsr::metrics::LpipsNet::Alex);
  const TensorDict state = sinsr::io::module_state_dict(*lpips);
  sinsr::io::write_state_dict((dir / "lpips_alex_backbone.pth").string(), with_prefix(state, {"features."}));
  sinsr::io::write_state_dict((dir / "lpips_alex_lin.pth").string(), with_prefix(state, {"lin"}));
  sinsr::io::write_state_dict((dir / "clipiqa_rn50.pth").string(), sinsr::bench::random_clip_state());
  sinsr::io::write_state_dict((dir / "clipiqa_text.pth").string(), sinsr::bench::random_clip_text());
  sinsr::io::write_state_dict((dir / "musiq_koniq.pth").string(),
                              sinsr::io::module_state_dict(*sinsr::bench::random_musiq()));
}

}  // namespace

int main(int argc, char** argv) {
  const char* usage = "usage: random_weights --out DIR [--config FILE] [--metrics]\n";
  std::string config, out;
  bool metrics = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--config" && i + 1 < argc)
      config = argv[++i];
    else if (a == "--out" && i + 1 < argc)
      out = argv[++i];
    else if (a == "--metrics")
      metrics = true;
    else {
      std::cerr << usage;
      return 2;
    }
  }
  if (out.empty()) {
    std::cerr << usage;
    return 2;
  }
  try {
    fs::create_directories(out);
    sinsr::bench::write_random_weights(config.empty() ? sinsr::Config::defaults() : sinsr::load_config(config), out);
    if (metrics) write_metric_weights(out);
  } catch (const std::exception& e) {
    std::cerr << "random_weights: " << e.what() << "\n";
    return 1;
  }
  std::cout << "written: " << out << "\n";
  return 0;
}
