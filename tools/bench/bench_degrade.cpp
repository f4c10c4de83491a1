// Degradation benchmark (not a test): training pairs per second for 256x256 GT crops, the paper's
// [degradation] settings, on 1 and 2 threads. Two rows per thread count:
//   degrade   - the Real-ESRGAN pipeline alone, from GT crops already in memory (pairs/s/core);
//   loader    - PairLoader end to end: read + decode the photo, crop/rescale, degrade, pack uint8 batches.
//   build/tools/bench/bench_degrade [--hr DIR|LIST] [--pairs N] [--json FILE]
// Without --hr it uses ../shared/data/val_sr/gt when present.
#include <opencv2/core.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <thread>
#include <vector>

#include "core/data/pair_loader.h"
#include "core/util/allocator.h"
#include "core/util/config.h"
#include "core/util/config_file.h"
#include "core/util/json.h"
#include "core/util/seed.h"

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// Pairs/s of the pipeline alone: `threads` threads each degrade their share of `pairs` GT crops.
double degrade_rate(const std::vector<cv::Mat>& gts, const sinsr::data::DegradationConfig& cfg, int pairs,
                    int threads) {
  const auto t0 = Clock::now();
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      for (int i = t; i < pairs; i += threads) {
        sinsr::data::SampleRng rng(sinsr::derive_seed(1, "bench", static_cast<uint64_t>(i)));
        sinsr::data::degrade(gts[static_cast<size_t>(i) % gts.size()], cfg, rng);
      }
    });
  for (auto& th : pool) th.join();
  return pairs / seconds_since(t0);
}

double loader_rate(const sinsr::data::PairSynthesizer& source, int pairs, int threads) {
  const auto t0 = Clock::now();
  sinsr::data::PairLoader loader(source, 0, pairs, {/*batch_size=*/16, threads, /*prefetch_batches=*/4});
  while (loader.next()) {
  }
  return pairs / seconds_since(t0);
}

}  // namespace

int main(int argc, char** argv) {
  sinsr::keep_freed_memory();  // as the sinsr binary does
  std::string hr = std::filesystem::exists("../shared/data/val_sr/gt") ? "../shared/data/val_sr/gt" : "";
  std::string json_path = "bench_degrade.json";
  int pairs = 400;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--hr" && i + 1 < argc)
      hr = argv[++i];
    else if (a == "--pairs" && i + 1 < argc)
      pairs = std::stoi(argv[++i]);
    else if (a == "--json" && i + 1 < argc)
      json_path = argv[++i];
    else {
      std::cerr << "usage: bench_degrade [--hr DIR|LIST] [--pairs N] [--json FILE]\n";
      return 2;
    }
  }
  if (hr.empty()) {
    std::cerr << "bench_degrade: give HR photos with --hr (a folder or list file)\n";
    return 2;
  }
  cv::setNumThreads(1);
  const sinsr::Config cfg = sinsr::load_config("", {{"data.hr", hr}});
  const auto source = sinsr::data::PairSynthesizer::from_config(cfg);
  std::vector<cv::Mat> gts;  // GT crops in memory for the pipeline-only rows
  for (size_t i = 0; i < std::min<size_t>(source.size(), 64); ++i) {
    sinsr::data::SampleRng rng(i);
    gts.push_back(sinsr::data::prepare_gt(sinsr::data::read_hr_image(source.path(i), source.data_config().max_pixels),
                                          source.data_config(), rng));
  }
  degrade_rate(gts, source.degradation_config(), 20, 1);  // warm-up

  std::cout << "Real-ESRGAN degradation, GT " << source.data_config().gt_size << "x" << source.data_config().gt_size
            << " -> LR " << source.lr_size() << "x" << source.lr_size() << ", " << pairs
            << " pairs per row, photos: " << hr << " (" << source.size() << ")\n\n"
            << std::left << std::setw(10) << "stage" << std::setw(9) << "threads" << std::right << std::setw(10)
            << "pairs/s" << std::setw(16) << "pairs/s/core"
            << "\n";
  sinsr::Json rows = sinsr::Json::array();
  for (const char* stage : {"degrade", "loader"}) {
    for (const int threads : {1, 2}) {
      const double rate = std::string(stage) == "degrade"
                              ? degrade_rate(gts, source.degradation_config(), pairs, threads)
                              : loader_rate(source, pairs, threads);
      std::cout << std::left << std::setw(10) << stage << std::setw(9) << threads << std::right << std::fixed
                << std::setprecision(1) << std::setw(10) << rate << std::setw(16) << rate / threads << "\n";
      sinsr::Json row = sinsr::Json::object();
      row.set("stage", sinsr::Json::string(stage));
      row.set("threads", sinsr::Json::number(threads));
      row.set("pairs_per_s", sinsr::Json::number(rate));
      row.set("pairs_per_s_per_core", sinsr::Json::number(rate / threads));
      rows.push_back(row);
    }
  }
  sinsr::Json out = sinsr::Json::object();
  out.set("pairs", sinsr::Json::number(pairs));
  out.set("hr", sinsr::Json::string(hr));
  out.set("results", rows);
  std::ofstream(json_path) << out.dump(2) << "\n";
  std::cout << "\nwritten: " << json_path << "\n";
  return 0;
}
