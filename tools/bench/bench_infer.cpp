// Inference benchmark (not a test): latency per image of `sinsr infer`'s pipeline with the full-size
// networks (paper config, random weights: the work does not depend on the values), for 64x64 and
// 128x128 LR inputs, one step and the 15-step deterministic chain, split into VQ encode / UNet / VQ
// decode, with the peak memory of each case (each runs in its own process). Tiles as `sinsr infer`
// cuts them: --chop-size (default 64, stride 7/8 of it); the reference uses 512 on GPUs (one tile here).
//   build/tools/bench/bench_infer [--threads N] [--runs N] [--json FILE] [--config FILE] [--device D]
//                                 [--precision P] [--sizes 64,128] [--steps 1,15] [--chop-size N]
// On a GPU the split is not timed (the stages run asynchronously; only the total waits for the image) and
// the peak is the CUDA allocator's.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <string>
#include <vector>

#include "core/dist/device.h"
#include "core/dist/device_memory.h"
#include "core/nn/precision.h"
#include "core/sr/super_resolver.h"
#include "core/util/allocator.h"
#include "core/util/config.h"
#include "core/util/config_file.h"
#include "core/util/json.h"
#include "core/util/threads.h"
#include "tools/bench/bench_util.h"

namespace {

struct Case {
  int64_t size, steps;
};

struct Row {
  double total = 0, encode = 0, unet = 0, decode = 0, peak_mb = 0;
};

struct Options {
  int threads = 0, runs = 3;
  int64_t chop_size = 64;
  std::string json_path = "bench_infer.json", config, device = "cpu", precision = "fp32";
  std::vector<int64_t> sizes{64, 128}, steps{1, 15};
};

// Runs in a child process: median over `runs` of the per-image times, after one warm-up image.
Row run_case(const Case& c, const Options& o) {
  const sinsr::Config cfg = o.config.empty() ? sinsr::Config::defaults() : sinsr::load_config(o.config);
  const c10::Device device = sinsr::dist::select_device(o.device);
  const sinsr::Precision precision = sinsr::parse_precision(o.precision, "--precision");
  sinsr::check_precision(precision, device, "--precision");
  torch::manual_seed(0);
  sinsr::nn::UNetModelSwin unet(sinsr::UNetConfig::from_config(cfg));
  unet->to(device);
  unet->set_precision(precision);
  const sinsr::FirstStage first_stage =
      sinsr::FirstStage::autoencoder(sinsr::nn::VQModelTorch(sinsr::VQConfig::from_config(cfg)));
  first_stage.to(device, precision);
  sinsr::sr::SuperResolveOptions opt;
  opt.steps = c.steps;
  opt.chop_size = o.chop_size;
  opt.chop_stride = o.chop_size - o.chop_size / 8;
  sinsr::sr::SuperResolver sr(unet, sinsr::Diffusion(sinsr::DiffusionConfig::from_config(cfg), first_stage), opt);
  torch::manual_seed(0);
  const auto lq = torch::rand({3, c.size, c.size});
  sr.upscale(lq, 0);
  std::vector<Row> rows;
  for (int i = 0; i < o.runs; ++i) {
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
  m.peak_mb = sinsr::dist::peak_memory_mb(device);
  return m;
}

}  // namespace

int main(int argc, char** argv) {
  sinsr::keep_freed_memory();  // as the sinsr binary does
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool has_value = i + 1 < argc;
    if (a == "--threads" && has_value)
      o.threads = std::stoi(argv[++i]);
    else if (a == "--runs" && has_value)
      o.runs = std::stoi(argv[++i]);
    else if (a == "--json" && has_value)
      o.json_path = argv[++i];
    else if (a == "--config" && has_value)
      o.config = argv[++i];
    else if (a == "--device" && has_value)
      o.device = argv[++i];
    else if (a == "--precision" && has_value)
      o.precision = argv[++i];
    else if (a == "--sizes" && has_value)
      o.sizes = sinsr::bench::parse_int_list(argv[++i]);
    else if (a == "--steps" && has_value)
      o.steps = sinsr::bench::parse_int_list(argv[++i]);
    else if (a == "--chop-size" && has_value)
      o.chop_size = std::stoll(argv[++i]);
    else {
      std::cerr << "usage: bench_infer [--threads N] [--runs N] [--json FILE] [--config FILE] [--device cpu|cuda]\n"
                   "                   [--precision fp32|bf16|fp16] [--sizes 64,128] [--steps 1,15] [--chop-size N]\n";
      return 2;
    }
  }
  const int used_threads = sinsr::set_threads(o.threads);
  std::vector<Case> cases;
  for (int64_t size : o.sizes)
    for (int64_t steps : o.steps) cases.push_back({size, steps});
  std::cout << (o.config.empty() ? "full-size networks" : o.config) << ", " << o.device << ", " << o.precision << ", "
            << used_threads << " thread(s), median of " << o.runs << " images after a warm-up; peak = "
            << (o.device == "cpu" ? "max RSS of the process running the case" : "the CUDA allocator's peak") << "\n\n"
            << std::left << std::setw(10) << "LR input" << std::setw(7) << "steps" << std::right << std::setw(10)
            << "total s" << std::setw(11) << "encode s" << std::setw(9) << "unet s" << std::setw(11) << "decode s"
            << std::setw(11) << "peak MB"
            << "\n";
  sinsr::Json out = sinsr::Json::object();
  out.set("threads", sinsr::Json::number(used_threads));
  out.set("runs", sinsr::Json::number(o.runs));
  out.set("device", sinsr::Json::string(o.device));
  out.set("precision", sinsr::Json::string(o.precision));
  sinsr::Json results = sinsr::Json::array();
  for (const Case& c : cases) {
    int fds[2];
    if (pipe(fds) != 0) return 1;
    const pid_t pid = fork();
    if (pid == 0) {
      close(fds[0]);
      const Row r = run_case(c, o);
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
    row.set("peak_mb", sinsr::Json::number(r.peak_mb));
    results.push_back(row);
  }
  out.set("results", results);
  std::ofstream(o.json_path) << out.dump(2) << "\n";
  std::cout << "\nwritten: " << o.json_path << "\n";
  return 0;
}
