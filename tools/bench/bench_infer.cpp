// Inference benchmark (not a test): latency per image of `sinsr infer`'s pipeline with the full-size
// networks (paper config, random weights: the work does not depend on the values), per LR input size, step
// count and thread count, split into VQ encode / UNet / VQ decode, with the tile size used, images/s and the
// peak memory of each case (each runs in its own process, so the peak is that case's) beside the tile planner's
// memory model for it. Tiles as `sinsr infer`
// plans them: the largest that fit --max-memory (default: a quarter of RAM), or a forced --chop-size (stride
// 7/8 of it). The official code's one-step figures (README "Inference speed") are for 64x64 and 128x128.
//   build/tools/bench/bench_infer [--threads 1,2] [--runs N] [--json FILE] [--config FILE] [--device D]
//                                 [--precision P] [--sizes 64,128] [--steps 1] [--chop-size N] [--max-memory SIZE]
//                                 [--convolutions winograd|direct]
// 256x256 and 512x512 (--sizes 256,512 --runs 1) take about 10 and 25 min per image on one core.
// On a GPU the split is not timed (the stages run asynchronously; only the total waits for the image) and
// the peak is the CUDA allocator's.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "core/dist/device.h"
#include "core/dist/device_memory.h"
#include "core/nn/conv3x3.h"
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
  int64_t size, steps, threads;
};

struct Row {
  double total = 0, encode = 0, unet = 0, decode = 0, peak_mb = 0, tile = 0, model_mb = 0;
};

struct Options {
  int runs = 3;
  int64_t chop_size = 0;
  double max_memory = 0;
  std::string json_path = "bench_infer.json", config, device = "cpu", precision = "fp32";
  std::vector<int64_t> sizes{64, 128}, steps{1}, threads{1, 2};
  bool winograd = true;  // --convolutions direct: LibTorch's kernels only, as before core/nn/conv3x3
};

// Runs in a child process: median over `runs` of the per-image times, after one warm-up image.
Row run_case(const Case& c, const Options& o) {
  sinsr::set_threads(static_cast<int>(c.threads));
  const sinsr::Config cfg = o.config.empty() ? sinsr::Config::defaults() : sinsr::load_config(o.config);
  const c10::Device device = sinsr::dist::select_device(o.device);
  const sinsr::Precision precision = sinsr::parse_precision(o.precision, "--precision");
  sinsr::check_precision(precision, device, "--precision");
  torch::manual_seed(0);
  sinsr::nn::UNetModelSwin unet(sinsr::UNetConfig::from_config(cfg));
  unet->to(device);
  unet->set_inference_precision(precision);
  const sinsr::FirstStage first_stage =
      sinsr::FirstStage::autoencoder(sinsr::nn::VQModelTorch(sinsr::VQConfig::from_config(cfg)));
  first_stage.to(device, precision);
  sinsr::sr::SuperResolveOptions opt;
  opt.steps = c.steps;
  opt.chop_size = o.chop_size;
  opt.chop_stride = o.chop_size - o.chop_size / 8;
  opt.max_memory = o.max_memory;
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
  m.tile = static_cast<double>(std::min(sr.tile_plan(c.size, c.size).size, c.size));
  const auto tile = static_cast<int64_t>(m.tile);
  m.model_mb = sr.memory_model().peak_bytes(tile * tile, c.size * c.size) / 1e6;
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
      o.threads = sinsr::bench::parse_int_list(argv[++i]);
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
    else if (a == "--max-memory" && has_value)
      o.max_memory = sinsr::sr::parse_memory_size(argv[++i], "--max-memory");
    else if (a == "--convolutions" && has_value &&
             (argv[i + 1] == std::string("winograd") || argv[i + 1] == std::string("direct")))
      o.winograd = argv[++i] == std::string("winograd");
    else {
      std::cerr << "usage: bench_infer [--threads 1,2] [--runs N] [--json FILE] [--config FILE] [--device cpu|cuda]\n"
                   "                   [--precision fp32|bf16|fp16] [--sizes 64,128] [--steps 1,15]\n"
                   "                   [--chop-size N | --max-memory SIZE] [--convolutions winograd|direct]\n";
      return 2;
    }
  }
  sinsr::nn::set_winograd_enabled(o.winograd);  // the cases' child processes inherit it
  std::vector<Case> cases;
  for (int64_t size : o.sizes)
    for (int64_t steps : o.steps)
      for (int64_t threads : o.threads) cases.push_back({size, steps, threads});
  std::cout << (o.config.empty() ? "full-size networks" : o.config) << ", " << o.device << ", " << o.precision
            << ", median of " << o.runs << " images after a warm-up; tiles "
            << (o.chop_size > 0    ? "of " + std::to_string(o.chop_size) + " px (forced)"
                : o.max_memory > 0 ? "for " + sinsr::sr::format_memory_size(o.max_memory)
                                   : std::string("for the default budget"))
            << "; 3x3 convolutions "
            << (o.winograd && sinsr::nn::winograd_available() ? "Winograd where it applies (float32 only)" : "direct")
            << "; peak = "
            << (o.device == "cpu" ? "max RSS of the process running the case" : "the CUDA allocator's peak") << "\n\n"
            << std::left << std::setw(10) << "LR input" << std::setw(7) << "steps" << std::setw(9) << "threads"
            << std::right << std::setw(6) << "tile" << std::setw(10) << "total s" << std::setw(10) << "images/s"
            << std::setw(11) << "encode s" << std::setw(9) << "unet s" << std::setw(11) << "decode s" << std::setw(11)
            << "peak MB" << std::setw(10) << "model MB"
            << "\n";
  sinsr::Json out = sinsr::Json::object();
  out.set("runs", sinsr::Json::number(o.runs));
  out.set("device", sinsr::Json::string(o.device));
  out.set("precision", sinsr::Json::string(o.precision));
  out.set("convolutions", sinsr::Json::string(o.winograd && sinsr::nn::winograd_available() ? "winograd" : "direct"));
  sinsr::Json results = sinsr::Json::array();
  std::map<std::pair<int64_t, int64_t>, double> one_thread;  // (size, steps) -> seconds on 1 thread
  std::vector<std::string> scaling;
  for (const Case& c : cases) {
    int fds[2];
    if (pipe(fds) != 0) return 1;
    const pid_t pid = fork();
    if (pid == 0) {
      close(fds[0]);
      const Row r = run_case(c, o);
      dprintf(fds[1], "%f %f %f %f %f %f %f\n", r.total, r.encode, r.unet, r.decode, r.peak_mb, r.tile, r.model_mb);
      _exit(0);
    }
    close(fds[1]);
    Row r;
    FILE* f = fdopen(fds[0], "r");
    const int got = std::fscanf(f, "%lf %lf %lf %lf %lf %lf %lf", &r.total, &r.encode, &r.unet, &r.decode, &r.peak_mb,
                                &r.tile, &r.model_mb);
    std::fclose(f);
    int status = 0;
    waitpid(pid, &status, 0);
    if (got != 7) {
      std::cerr << "case " << c.size << "/" << c.steps << " failed\n";
      return 1;
    }
    const std::string name = std::to_string(c.size) + "x" + std::to_string(c.size);
    std::cout << std::left << std::setw(10) << name << std::setw(7) << c.steps << std::setw(9) << c.threads
              << std::right << std::fixed << std::setprecision(0) << std::setw(6) << r.tile << std::setprecision(2)
              << std::setw(10) << r.total << std::setw(10) << std::setprecision(4) << 1.0 / r.total
              << std::setprecision(2) << std::setw(11) << r.encode << std::setw(9) << r.unet << std::setw(11)
              << r.decode << std::setw(11) << std::setprecision(0) << r.peak_mb << std::setw(10) << r.model_mb
              << std::endl;
    if (c.threads == 1) one_thread[{c.size, c.steps}] = r.total;
    if (auto it = one_thread.find({c.size, c.steps}); c.threads > 1 && it != one_thread.end()) {
      std::ostringstream line;
      line << name << ", " << c.steps << " step(s): " << c.threads << " threads run " << std::setprecision(2)
           << it->second / r.total << "x as fast as 1";
      scaling.push_back(line.str());
    }
    sinsr::Json row = sinsr::Json::object();
    row.set("lr_size", sinsr::Json::number(static_cast<double>(c.size)));
    row.set("steps", sinsr::Json::number(static_cast<double>(c.steps)));
    row.set("threads", sinsr::Json::number(static_cast<double>(c.threads)));
    row.set("tile", sinsr::Json::number(r.tile));
    row.set("images_per_s", sinsr::Json::number(1.0 / r.total));
    row.set("total_s", sinsr::Json::number(r.total));
    row.set("encode_s", sinsr::Json::number(r.encode));
    row.set("unet_s", sinsr::Json::number(r.unet));
    row.set("decode_s", sinsr::Json::number(r.decode));
    row.set("peak_mb", sinsr::Json::number(r.peak_mb));
    row.set("model_mb", sinsr::Json::number(r.model_mb));
    results.push_back(row);
  }
  if (!scaling.empty()) std::cout << "\n";
  for (const auto& line : scaling) std::cout << line << "\n";
  out.set("results", results);
  std::ofstream(o.json_path) << out.dump(2) << "\n";
  std::cout << "\nwritten: " << o.json_path << "\n";
  return 0;
}
