// Training benchmark (not a test): samples/s of `sinsr train` with pregenerated pairs (shards) and with
// online pairs (degradation + 15 teacher steps every step, like the reference), on 1 rank with batch B
// and on 2 ranks with batch 2B (weak scaling: the same per-rank batch).
//   build/tools/bench/bench_train [--config C] [--hr DIR|LIST] [--steps N] [--batch B]
// Run from the repository root. Random weights (the work does not depend on them); samples/s is the mean
// over steps 2..N from metrics.jsonl (step 1 warms up); each rank uses cores / ranks threads.
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <string>

#include "core/util/config_file.h"
#include "core/util/json.h"
#include "tools/bench/bench_util.h"

namespace fs = std::filesystem;

namespace {

double mean_samples_per_s(const fs::path& run) {
  std::ifstream in(run / "metrics.jsonl");
  std::string line;
  double sum = 0;
  int n = 0;
  while (std::getline(in, line)) {
    const sinsr::Json j = sinsr::Json::parse(line);
    if (j["step"].as_int() > 1) sum += j["samples_per_s"].as_number(), ++n;
  }
  return n ? sum / n : 0.0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string config, hr = fs::exists("../shared/data/val_sr/gt") ? "../shared/data/val_sr/gt" : "";
  int steps = 4, batch = 2;
  bool sync_only = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--config" && i + 1 < argc)
      config = argv[++i];
    else if (a == "--hr" && i + 1 < argc)
      hr = argv[++i];
    else if (a == "--steps" && i + 1 < argc)
      steps = std::stoi(argv[++i]);
    else if (a == "--batch" && i + 1 < argc)
      batch = std::stoi(argv[++i]);
    else if (a == "--sync-only")
      sync_only = true;
    else {
      std::cerr << "usage: bench_train [--config C] [--hr DIR|LIST] [--steps N] [--batch B] [--sync-only]\n";
      return 2;
    }
  }
  if (hr.empty()) {
    std::cerr << "bench_train: give HR photos with --hr\n";
    return 2;
  }
  const sinsr::Config cfg = sinsr::load_config(config);
  const fs::path tmp = fs::temp_directory_path() / "sinsr-bench-train";
  fs::remove_all(tmp);
  fs::create_directories(tmp);
  sinsr::bench::write_random_weights(cfg, tmp);
  const std::string nets =
      " --teacher " + (tmp / "teacher.pth").string() + (config.empty() ? "" : " --config " + config);
  const std::string common = nets + " --data.hr=" + hr + " --autoencoder " + (tmp / "vq.pth").string();
  // Enough pregenerated pairs for every step without repeats (they would not be slower, only less honest).
  sinsr::bench::run_or_throw("build/sinsr datagen" + common + " --out " + (tmp / "pairs").string() + " --num-samples " +
                             std::to_string(2 * steps * batch + 1));

  auto train_command = [&](const std::string& mode, int ranks, const fs::path& run, const std::string& extra) {
    std::string cmd = "build/sinsr train --data-mode " + mode + common + " --data " + (tmp / "pairs").string() +
                      " --out " + run.string() + " --train.steps=" + std::to_string(steps) +
                      " --train.batch_size=" + std::to_string(ranks * batch) +
                      " --train.microbatch=" + std::to_string(batch) +
                      " --train.val_samples=1 --train.log_every=1 --train.ckpt_every=1000000" + extra;
    return ranks == 2 ? sinsr::bench::kMpirun2 + cmd : cmd;
  };

  std::cout << "sinsr train, " << (config.empty() ? "full-size (paper) config" : config) << ", per-rank batch " << batch
            << ", " << steps << " steps (mean of steps 2.." << steps << ")\n";
  if (!sync_only)
    std::cout << "\n"
              << std::left << std::setw(10) << "data" << std::setw(8) << "ranks" << std::right << std::setw(12)
              << "samples/s" << std::setw(12) << "s/step"
              << "\n";
  double rate[2][2] = {};  // [shards, online][1 rank, 2 ranks]
  for (const int online : {0, 1}) {
    if (sync_only) break;
    for (const int ranks : {1, 2}) {
      const std::string mode = online ? "online" : "shards";
      const fs::path run = tmp / ("run-" + mode + "-" + std::to_string(ranks));
      sinsr::bench::run_or_throw(train_command(mode, ranks, run, ""));
      const double r = rate[online][ranks - 1] = mean_samples_per_s(run);
      std::cout << std::left << std::setw(10) << mode << std::setw(8) << ranks << std::right << std::fixed
                << std::setprecision(3) << std::setw(12) << r << std::setw(12) << ranks * batch / r << "\n";
    }
  }
  if (!sync_only)
    std::cout << "\npregenerated / online: " << rate[0][0] / rate[1][0] << "x on 1 rank, " << rate[0][1] / rate[1][1]
              << "x on 2 ranks\n2-rank weak-scaling efficiency (samples/s of 2 ranks / 2x 1 rank): shards "
              << rate[0][1] / (2 * rate[0][0]) << ", online " << rate[1][1] / (2 * rate[1][0]) << "\n";

  // Overlap pays when a bucket's all-reduce has something to hide behind: several buckets per step.
  std::cout << "\n2 ranks, shards, gradient all-reduce (train.bucket_mb 25), s/step per run:\n";
  double total[2] = {};
  const char* modes[2] = {"after_backward", "overlap"};
  for (int round = 0; round < 2; ++round)
    for (int m = 0; m < 2; ++m) {
      const fs::path run = tmp / ("run-sync-" + std::string(modes[m]) + std::to_string(round));
      sinsr::bench::run_or_throw(train_command("shards", 2, run, std::string(" --train.grad_sync=") + modes[m]));
      const double s_per_step = 2 * batch / mean_samples_per_s(run);
      total[m] += s_per_step;
      std::cout << "  " << std::left << std::setw(16) << modes[m] << std::right << std::fixed << std::setprecision(3)
                << s_per_step << "\n";
    }
  std::cout << "mean s/step: after_backward " << total[0] / 2 << ", overlap " << total[1] / 2
            << " (after_backward / overlap " << total[0] / total[1] << "x)\n";
  fs::remove_all(tmp);
  return 0;
}
