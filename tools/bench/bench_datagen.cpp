// Datagen benchmark (not a test): teacher pairs per second of `sinsr datagen` on 1 and 2 MPI ranks, for a
// config (the paper's full-size teacher by default, random weights: the work does not depend on them).
//   build/tools/bench/bench_datagen [--config C] [--hr DIR|LIST] [--samples N] [--batch B]
// Run from the repository root (it calls build/sinsr). Per rank, pairs/s counts the generation loop only
// (not start-up, weight hashing or model loading); each rank uses cores / ranks threads.
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <regex>
#include <string>

#include "core/util/config_file.h"
#include "tools/bench/bench_util.h"

namespace fs = std::filesystem;

int main(int argc, char** argv) {
  std::string config, hr = fs::exists("../shared/data/val_sr/gt") ? "../shared/data/val_sr/gt" : "";
  int samples = 8, batch = 4;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--config" && i + 1 < argc)
      config = argv[++i];
    else if (a == "--hr" && i + 1 < argc)
      hr = argv[++i];
    else if (a == "--samples" && i + 1 < argc)
      samples = std::stoi(argv[++i]);
    else if (a == "--batch" && i + 1 < argc)
      batch = std::stoi(argv[++i]);
    else {
      std::cerr << "usage: bench_datagen [--config C] [--hr DIR|LIST] [--samples N] [--batch B]\n";
      return 2;
    }
  }
  if (hr.empty()) {
    std::cerr << "bench_datagen: give HR photos with --hr\n";
    return 2;
  }
  const sinsr::Config cfg = sinsr::load_config(config);
  const fs::path tmp = fs::temp_directory_path() / "sinsr-bench-datagen";
  fs::remove_all(tmp);
  fs::create_directories(tmp);
  sinsr::bench::write_random_weights(cfg, tmp);

  std::cout << "sinsr datagen, " << (config.empty() ? "full-size (paper) config" : config) << ", " << samples
            << " samples, batch " << batch << ", 15 teacher steps\n\n";
  const std::regex rank_line(R"(rank (\d+): (\d+) pairs in ([0-9.e+-]+) s of generation, ([0-9.e+-]+) pairs/s)");
  for (const int ranks : {1, 2}) {
    const fs::path out = tmp / ("out-" + std::to_string(ranks));
    std::string cmd = "build/sinsr datagen --data.hr=" + hr + " --out " + out.string() + " --num-samples " +
                      std::to_string(samples) + " --shard-size " + std::to_string((samples + ranks - 1) / ranks) +
                      " --datagen.batch_size=" + std::to_string(batch) + " --teacher " +
                      (tmp / "teacher.pth").string() + " --autoencoder " + (tmp / "vq.pth").string() +
                      (config.empty() ? "" : " --config " + config);
    if (ranks > 1) cmd = sinsr::bench::kMpirun2 + cmd;
    const std::string log = sinsr::bench::run_or_throw(cmd);
    double total = 0;
    for (std::sregex_iterator it(log.begin(), log.end(), rank_line), end; it != end; ++it) {
      std::cout << ranks << " rank(s): rank " << (*it)[1] << ": " << (*it)[2] << " pairs, " << (*it)[4] << " pairs/s\n";
      total += std::stod((*it)[4]);
    }
    std::cout << ranks << " rank(s): total " << total << " pairs/s\n\n";
  }
  fs::remove_all(tmp);
  return 0;
}
