// Inference benchmark (not a test): latency per image of `sinsr infer`'s pipeline with the full-size
// networks (paper config, random weights: the work does not depend on the values), for 64x64 and
// 128x128 LR inputs, one step and the 15-step deterministic chain, split into VQ encode / UNet / VQ
// decode, with the peak memory of each case (each runs in its own process).
//   build/tools/bench/bench_infer [--threads N] [--runs N] [--json FILE]
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <string>
#include <vector>

#include "core/util/allocator.h"
#include "core/sr/super_resolver.h"
#include "core/util/config.h"
#include "core/util/json.h"
#include "core/util/threads.h"

namespace {

struct Case {
  int64_t size, steps;
};

struct Row {
  double total = 0, encode = 0, unet = 0, decode = 0, peak_mb = 0;
};

// Runs in a child process: median over `runs` of the per-image times, after one warm-up image.
Row run_case(const Case& c, int runs) {
  const sinsr::Config cfg = sinsr::Config::defaults();
  sinsr::nn::UNetModelSwin unet(sinsr::UNetConfig::from_config(cfg));
  sinsr::nn::VQModelTorch vq(sinsr::VQConfig::from_config(cfg));
  sinsr::sr::SuperResolveOptions opt;
  opt.steps = c.steps;
  sinsr::sr::SuperResolver sr(unet, vq, sinsr::Diffusion(sinsr::DiffusionConfig::from_config(cfg)), opt);
  torch::manual_seed(0);
  const auto lq = torch::rand({3, c.size, c.size});
  sr.upscale(lq, 0);
  std::vector<Row> rows;
  for (int i = 0; i < runs; ++i) {
    const auto before = sr.times();
    const auto t0 = std::chrono::steady_clock::now();
    sr.upscale(lq, static_cast<uint64_t>(i));
    Row r;
    r.total = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    r.encode = sr.times().encode - before.encode;
    r.unet = sr.times().unet - before.unet;
    r.decode = sr.times().decode - before.decode;
    rows.push_back(r);
  }
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.total < b.total; });
  Row m = rows[rows.size() / 2];
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  m.peak_mb = static_cast<double>(ru.ru_maxrss) / 1024.0;
  return m;
}

}  // namespace

int main(int argc, char** argv) {
  sinsr::keep_freed_memory();  // as the sinsr binary does
  int threads = 0, runs = 3;
  std::string json_path = "bench_infer.json";
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--threads" && i + 1 < argc) threads = std::stoi(argv[++i]);
    else if (a == "--runs" && i + 1 < argc) runs = std::stoi(argv[++i]);
    else if (a == "--json" && i + 1 < argc) json_path = argv[++i];
    else {
      std::cerr << "usage: bench_infer [--threads N] [--runs N] [--json FILE]\n";
      return 2;
    }
  }
  const int used_threads = sinsr::set_threads(threads);
  const std::vector<Case> cases = {{64, 1}, {64, 15}, {128, 1}, {128, 15}};
  std::cout << "full-size networks, CPU, " << used_threads << " thread(s), median of " << runs
            << " images after a warm-up; peak = max RSS of the process running the case\n\n"
            << std::left << std::setw(10) << "LR input" << std::setw(7) << "steps" << std::right << std::setw(10) << "total s"
            << std::setw(11) << "encode s" << std::setw(9) << "unet s" << std::setw(11) << "decode s" << std::setw(11)
            << "peak MB" << "\n";
  sinsr::Json out = sinsr::Json::object();
  out.set("threads", sinsr::Json::number(used_threads));
  out.set("runs", sinsr::Json::number(runs));
  sinsr::Json results = sinsr::Json::array();
  for (const Case& c : cases) {
    int fds[2];
    if (pipe(fds) != 0) return 1;
    const pid_t pid = fork();
    if (pid == 0) {
      close(fds[0]);
      const Row r = run_case(c, runs);
      dprintf(fds[1], "%f %f %f %f %f\n", r.total, r.encode, r.unet, r.decode, r.peak_mb);
      _exit(0);
    }
    close(fds[1]);
    Row r;
    FILE* f = fdopen(fds[0], "r");
    const int got = std::fscanf(f, "%lf %lf %lf %lf %lf", &r.total, &r.encode, &r.unet, &r.decode, &r.peak_mb);
    std::fclose(f);
    int status = 0;
    waitpid(pid, &status, 0);
    if (got != 5) {
      std::cerr << "case " << c.size << "/" << c.steps << " failed\n";
      return 1;
    }
    const std::string name = std::to_string(c.size) + "x" + std::to_string(c.size);
    std::cout << std::left << std::setw(10) << name << std::setw(7) << c.steps << std::right << std::fixed
              << std::setprecision(2) << std::setw(10) << r.total << std::setw(11) << r.encode << std::setw(9) << r.unet
              << std::setw(11) << r.decode << std::setw(11) << std::setprecision(0) << r.peak_mb << "\n";
    sinsr::Json row = sinsr::Json::object();
    row.set("lr_size", sinsr::Json::number(static_cast<double>(c.size)));
    row.set("steps", sinsr::Json::number(static_cast<double>(c.steps)));
    row.set("total_s", sinsr::Json::number(r.total));
    row.set("encode_s", sinsr::Json::number(r.encode));
    row.set("unet_s", sinsr::Json::number(r.unet));
    row.set("decode_s", sinsr::Json::number(r.decode));
    row.set("peak_rss_mb", sinsr::Json::number(r.peak_mb));
    results.push_back(row);
  }
  out.set("results", results);
  std::ofstream(json_path) << out.dump(2) << "\n";
  std::cout << "\nwritten: " << json_path << "\n";
  return 0;
}
