// Network benchmarks (not a test): full-size UNet forward, full-size VQ-f4 decode, small-UNet
// forward+backward (and, with --only step, the training step's batching). Median of N runs after one
// warm-up, printed as a table and written as JSON. In fp32, where the build and CPU have oneDNN's Winograd
// convolutions (core/nn/conv3x3.h), the full-size networks run with and without them, side by side.
//   build/tools/bench/bench_networks [--threads N] [--runs N] [--json FILE] [--only NAME]
//                                    [--precision fp32|bf16] [--latents 64,128]
#include <sys/utsname.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iomanip>
#include <iostream>
#include <string>
#include <vector>

#include "core/nn/conv3x3.h"
#include "core/nn/precision.h"
#include "core/nn/unet_swin.h"
#include "core/nn/vq_autoencoder.h"
#include "core/util/allocator.h"
#include "core/util/config.h"
#include "core/util/config_file.h"
#include "core/util/json.h"
#include "core/util/threads.h"
#include "tools/bench/bench_util.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Result {
  std::string name, work;
  std::vector<double> seconds;
  double median() const {
    auto s = seconds;
    std::sort(s.begin(), s.end());
    return s[s.size() / 2];
  }
};

Result measure(const std::string& name, const std::string& work, int runs, const std::function<void()>& fn) {
  Result r{name, work, {}};
  fn();  // warm-up: first-call allocations and oneDNN primitive creation
  for (int i = 0; i < runs; ++i) {
    auto t0 = Clock::now();
    fn();
    r.seconds.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
  }
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  sinsr::keep_freed_memory();  // as the sinsr binary does (SINSR_MALLOC=glibc: glibc's defaults, for comparison)
  int threads = 1, runs = 5;
  std::string json_path = "bench_networks.json", only, precision_name = "fp32";
  std::vector<int64_t> latents{64};
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << a << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--threads")
      threads = std::stoi(next());
    else if (a == "--runs")
      runs = std::stoi(next());
    else if (a == "--json")
      json_path = next();
    else if (a == "--only")
      only = next();
    else if (a == "--precision")
      precision_name = next();
    else if (a == "--latents")
      latents = sinsr::bench::parse_int_list(next());
    else {
      std::cerr << "usage: bench_networks [--threads N] [--runs N] [--json FILE] [--only unet|vq|train|step]\n"
                   "                      [--precision fp32|bf16] [--latents 64,128]\n";
      return 2;
    }
  }
  sinsr::set_threads(threads);
  torch::manual_seed(0);
  std::vector<Result> results;

  const sinsr::Config paper = sinsr::Config::defaults();  // the defaults are the paper's full-size networks
  const sinsr::Precision precision = sinsr::parse_precision(precision_name, "--precision");
  sinsr::check_precision(precision, torch::kCPU, "--precision");
  // Each full-size case on LibTorch's convolutions and then on Winograd's, where there are two paths.
  std::vector<bool> winograd_paths{false};
  if (precision == sinsr::Precision::Fp32 && sinsr::nn::winograd_available()) winograd_paths.push_back(true);
  const auto path_suffix = [&](bool winograd) {
    return winograd_paths.size() == 1 ? std::string() : winograd ? "_winograd" : "_direct";
  };
  const std::string work_suffix = ", " + precision_name + ", inference";
  if (only.empty() || only == "unet") {
    sinsr::nn::UNetModelSwin unet(sinsr::UNetConfig::from_config(paper));
    unet->eval();
    unet->set_inference_precision(precision);
    for (int64_t n : latents) {
      auto x = torch::randn({1, 3, n, n}), lq = torch::rand({1, 3, n, n}) * 2 - 1;
      auto t = torch::full({1}, 14, torch::kLong);
      const std::string size = std::to_string(n);
      for (bool winograd : winograd_paths) {
        sinsr::nn::set_winograd_enabled(winograd);
        results.push_back(measure("unet_forward_" + size + path_suffix(winograd),
                                  "UNetModelSwin paper size, batch 1, " + size + "x" + size + " latent" + work_suffix,
                                  runs, [&] {
                                    torch::InferenceMode guard;
                                    unet->forward(x, t, lq);
                                  }));
      }
    }
  }
  if (only.empty() || only == "vq") {
    sinsr::nn::VQModelTorch vq(sinsr::VQConfig::from_config(paper));
    vq->eval();
    vq->set_precision(precision);
    for (int64_t n : latents) {
      auto z = torch::randn({1, 3, n, n});
      const std::string size = std::to_string(n), out = std::to_string(4 * n);
      for (bool winograd : winograd_paths) {
        sinsr::nn::set_winograd_enabled(winograd);
        results.push_back(measure(
            "vq_decode_" + size + path_suffix(winograd),
            "VQ-f4 decode (quantise + decoder), " + size + "x" + size + " latent -> " + out + "x" + out + work_suffix,
            runs, [&] {
              torch::InferenceMode guard;
              vq->decode(z);
            }));
      }
    }
  }
  sinsr::nn::set_winograd_enabled(true);
  if (only.empty() || only == "train") {
    const sinsr::Config tiny = sinsr::load_config("configs/tiny.ini");
    sinsr::nn::UNetModelSwin small(sinsr::UNetConfig::from_config(tiny));
    small->train();
    auto x = torch::randn({4, 3, 16, 16}), lq = torch::rand({4, 3, 16, 16}) * 2 - 1;
    auto t = torch::randint(0, 15, {4}, torch::kLong);
    results.push_back(
        measure("unet_small_fwd_bwd", "UNetModelSwin configs/tiny.ini, batch 4, 16x16, forward+backward", runs, [&] {
          small->zero_grad();
          small->forward(x, t, lq).square().mean().backward();
        }));
  }

  if (only == "step") {  // not in the default set: ~2 min per run
    // The training step's three differentiated calls (sinsr_losses): as three batch-2 calls (the reference)
    // and as the one batch-6 call the trainer makes.
    sinsr::nn::UNetModelSwin unet(sinsr::UNetConfig::from_config(paper));
    unet->train();
    auto x = torch::randn({2, 3, 64, 64}), lq = torch::rand({2, 3, 64, 64}) * 2 - 1;
    auto t = torch::full({2}, 14, torch::kLong);
    results.push_back(
        measure("unet_fwd_bwd_3x_b2", "UNetModelSwin paper size, 3 x forward+backward, batch 2", runs, [&] {
          unet->zero_grad();
          for (int k = 0; k < 3; ++k) unet->forward(x, t, lq).square().mean().backward();
        }));
    auto x3 = torch::cat({x, x, x}), lq3 = torch::cat({lq, lq, lq}), t3 = torch::cat({t, t, t});
    results.push_back(
        measure("unet_fwd_bwd_1x_b6", "UNetModelSwin paper size, 1 x forward+backward, batch 6", runs, [&] {
          unet->zero_grad();
          unet->forward(x3, t3, lq3).square().mean().backward();
        }));
  }
  std::cout << "threads: " << threads << "   runs: " << runs << " (median)   BLAS: " << sinsr::bench::blas_library()
            << "\n\n";
  std::cout << std::left << std::setw(22) << "benchmark" << std::right << std::setw(12) << "median s" << std::setw(10)
            << "min s"
            << "   work\n";
  sinsr::Json out = sinsr::Json::object();
  out.set("threads", sinsr::Json::number(threads));
  out.set("runs", sinsr::Json::number(runs));
  out.set("blas", sinsr::Json::string(sinsr::bench::blas_library()));
  sinsr::Json rows = sinsr::Json::array();
  for (const auto& r : results) {
    std::cout << std::left << std::setw(22) << r.name << std::right << std::fixed << std::setprecision(3)
              << std::setw(12) << r.median() << std::setw(10) << *std::min_element(r.seconds.begin(), r.seconds.end())
              << "   " << r.work << "\n";
    sinsr::Json row = sinsr::Json::object();
    row.set("name", sinsr::Json::string(r.name));
    row.set("work", sinsr::Json::string(r.work));
    row.set("median_s", sinsr::Json::number(r.median()));
    sinsr::Json all = sinsr::Json::array();
    for (double s : r.seconds) all.push_back(sinsr::Json::number(s));
    row.set("seconds", all);
    rows.push_back(row);
  }
  for (const auto& direct : results) {  // the side-by-side ratios of the two convolution paths
    const auto cut = direct.name.rfind("_direct");
    if (cut == std::string::npos) continue;
    for (const auto& winograd : results)
      if (winograd.name == direct.name.substr(0, cut) + "_winograd")
        std::cout << direct.name.substr(0, cut) << ": Winograd runs " << std::setprecision(2)
                  << direct.median() / winograd.median() << "x as fast as direct convolutions\n";
  }
  out.set("results", rows);
  std::ofstream(json_path) << out.dump(2) << "\n";
  std::cout << "\nwritten: " << json_path << "\n";
  return 0;
}
