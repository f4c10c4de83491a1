// Metric benchmark (not a test): images/s of each image-quality metric on CPU, one image at a time, at
// 256x256 and 512x512: PSNR and SSIM in the SinSR paper's variant (pyiqa, BT.601 Y) and BasicSR's numpy one
// (Y, crop 4), LPIPS alex and vgg, CLIPIQA (RN50) and MUSIQ (KonIQ model). The networks have the real models'
// sizes with random weights (the work does not depend on the values; no weight file is needed), the images
// are random uint8. After a warm-up call and a timed calibration call, each run scores as many images as fill
// about a quarter of a second (at least one); the table shows the median (and the minimum) over runs of the
// time per image, and images/s = 1 / median.
//   build/tools/bench/bench_metrics [--threads N] [--runs N] [--sizes 256,512] [--only NAME] [--json FILE]
//                                   [--device cpu|cuda]
// With --device cuda the networks (LPIPS, CLIPIQA, MUSIQ) run on the GPU and each score is read back to the host,
// as `sinsr eval` does; PSNR and SSIM stay on the CPU, where eval computes them.
// --only takes a metric (psnr, ssim, lpips, clipiqa, musiq) or a variant from the table (e.g. vgg).
// The fast metrics' times include glibc returning their large temporaries to the kernel and faulting them back
// in, which is slow in VMs that report free pages to the host (here: 1024x1024 pyiqa PSNR 0.27 s/image,
// 0.011 s with GLIBC_TUNABLES=glibc.malloc.mmap_threshold=4294967295:glibc.malloc.trim_threshold=4294967295).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iomanip>
#include <iostream>
#include <string>
#include <vector>

#include "core/dist/device.h"
#include "core/io/state_dict.h"
#include "core/util/allocator.h"
#include "core/util/json.h"
#include "core/util/threads.h"
#include "eval/metrics/clipiqa.h"
#include "eval/metrics/lpips.h"
#include "eval/metrics/musiq.h"
#include "eval/metrics/psnr_ssim.h"
#include "tools/bench/bench_util.h"
#include "tools/bench/random_metric_networks.h"

namespace {

using Clock = std::chrono::steady_clock;
namespace metrics = sinsr::metrics;

// A run lasts at least this long, so that the sub-millisecond metrics are not timed one call at a time.
constexpr double kMinRunSeconds = 0.25;
constexpr int64_t kMaxImagesPerRun = 10000;

// One image pair of one size, in both forms the metrics take.
struct Images {
  int64_t size;
  at::Tensor dist_u8, ref_u8;  // [H, W, 3] uint8 RGB (PSNR / SSIM)
  at::Tensor dist, ref;        // [1, 3, H, W] float32 in [0, 1] (= u8 / 255, what eval feeds the networks)
};

// The uint8 pair stays on the CPU (PSNR / SSIM), the float pair goes to the networks' device.
Images random_images(int64_t size, const c10::Device& device) {
  Images im{size,
            torch::randint(0, 256, {size, size, 3}, torch::kByte),
            torch::randint(0, 256, {size, size, 3}, torch::kByte),
            {},
            {}};
  const auto to_unit = [&](const at::Tensor& u8) {
    return (u8.permute({2, 0, 1}).unsqueeze(0).to(torch::kFloat) / 255).to(device);
  };
  im.dist = to_unit(im.dist_u8).contiguous();
  im.ref = to_unit(im.ref_u8).contiguous();
  return im;
}

struct Result {
  std::string metric, variant;
  int64_t size = 0;
  int64_t images_per_run = 1;
  std::vector<double> seconds_per_image;  // one per run
  double median() const {
    auto s = seconds_per_image;
    std::sort(s.begin(), s.end());
    const size_t mid = s.size() / 2;
    return s.size() % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  }
  double min() const { return *std::min_element(seconds_per_image.begin(), seconds_per_image.end()); }
};

double seconds_for(int64_t images, const std::function<void()>& score_one) {
  const auto t0 = Clock::now();
  for (int64_t i = 0; i < images; ++i) score_one();
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

Result measure(const std::string& metric, const std::string& variant, int64_t size, int runs,
               const std::function<void()>& score_one) {
  Result r{metric, variant, size, 1, {}};
  score_one();  // warm-up: first-call allocations and oneDNN primitive creation
  const double calibration = seconds_for(1, score_one);
  const auto to_fill_a_run = static_cast<int64_t>(std::ceil(kMinRunSeconds / calibration));
  r.images_per_run = std::clamp<int64_t>(to_fill_a_run, 1, kMaxImagesPerRun);
  for (int i = 0; i < runs; ++i)
    r.seconds_per_image.push_back(seconds_for(r.images_per_run, score_one) / r.images_per_run);
  return r;
}

struct Options {
  int threads = 1, runs = 3;
  std::vector<int64_t> sizes{256, 512};
  std::string only, json_path = "bench_metrics.json", device = "cpu";
  bool selected(const std::string& metric, const std::string& variant) const {
    return only.empty() || only == metric || only == variant;
  }
};

Options parse_options(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << a << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--threads")
      o.threads = std::stoi(next());
    else if (a == "--runs")
      o.runs = std::stoi(next());
    else if (a == "--sizes")
      o.sizes = sinsr::bench::parse_int_list(next());
    else if (a == "--only")
      o.only = next();
    else if (a == "--json")
      o.json_path = next();
    else if (a == "--device")
      o.device = next();
    else {
      std::cerr << "usage: bench_metrics [--threads N] [--runs N] [--sizes 256,512] [--json FILE]\n"
                   "                     [--only psnr|ssim|lpips|clipiqa|musiq|<variant>] [--device cpu|cuda]\n";
      std::exit(2);
    }
  }
  if (o.runs < 1 || o.sizes.empty()) {
    std::cerr << "--runs must be >= 1 and --sizes must name at least one size\n";
    std::exit(2);
  }
  return o;
}

void print_and_write(const Options& o, const std::vector<Result>& results) {
  std::cout << "device: " << o.device << "   threads: " << o.threads << "   runs: " << o.runs
            << " (median)   BLAS: " << sinsr::bench::blas_library() << "\n\n";
  std::cout << std::left << std::setw(9) << "metric" << std::setw(24) << "variant" << std::right << std::setw(6)
            << "size" << std::setw(16) << "median s/image" << std::setw(13) << "min s/image" << std::setw(12)
            << "images/s" << std::setw(12) << "images/run"
            << "\n";
  sinsr::Json rows = sinsr::Json::array();
  for (const auto& r : results) {
    std::cout << std::left << std::setw(9) << r.metric << std::setw(24) << r.variant << std::right << std::setw(6)
              << r.size << std::scientific << std::setprecision(3) << std::setw(16) << r.median() << std::setw(13)
              << r.min() << std::fixed << std::setprecision(r.median() < 0.1 ? 1 : 3) << std::setw(12)
              << 1.0 / r.median() << std::setw(12) << r.images_per_run << "\n";
    sinsr::Json row = sinsr::Json::object();
    row.set("metric", sinsr::Json::string(r.metric));
    row.set("variant", sinsr::Json::string(r.variant));
    row.set("size", sinsr::Json::number(static_cast<double>(r.size)));
    row.set("median_s_per_image", sinsr::Json::number(r.median()));
    row.set("min_s_per_image", sinsr::Json::number(r.min()));
    row.set("images_per_s", sinsr::Json::number(1.0 / r.median()));
    row.set("images_per_run", sinsr::Json::number(static_cast<double>(r.images_per_run)));
    sinsr::Json all = sinsr::Json::array();
    for (double s : r.seconds_per_image) all.push_back(sinsr::Json::number(s));
    row.set("seconds_per_image", all);
    rows.push_back(row);
  }
  sinsr::Json out = sinsr::Json::object();
  out.set("device", sinsr::Json::string(o.device));
  out.set("threads", sinsr::Json::number(o.threads));
  out.set("runs", sinsr::Json::number(o.runs));
  out.set("blas", sinsr::Json::string(sinsr::bench::blas_library()));
  out.set("results", rows);
  std::ofstream(o.json_path) << out.dump(2) << "\n";
  std::cout << "\nwritten: " << o.json_path << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  sinsr::keep_freed_memory();  // as the sinsr binary does
  const Options o = parse_options(argc, argv);
  sinsr::set_threads(o.threads);
  const c10::Device device = sinsr::dist::select_device(o.device);
  torch::manual_seed(0);
  std::vector<Images> images;
  for (int64_t size : o.sizes) images.push_back(random_images(size, device));
  std::vector<Result> results;

  // PSNR and SSIM are timed apart: each protocol's two values are independent computations.
  for (const auto& protocol : {metrics::parse_psnr_ssim_protocol(metrics::kSinsrPsnrSsimProtocol),
                               metrics::parse_psnr_ssim_protocol("basicsr-y", /*basicsr_crop_border=*/4)})
    for (const auto& [metric, variant] : {std::pair{"psnr", protocol.psnr}, std::pair{"ssim", protocol.ssim}}) {
      const std::string name = metrics::variant_name(variant);
      if (!o.selected(metric, name)) continue;
      for (const auto& im : images)
        results.push_back(measure(metric, name, im.size, o.runs,
                                  [&] { metrics::compute_psnr_ssim(im.dist_u8, im.ref_u8, variant); }));
    }

  for (const auto net : {metrics::LpipsNet::Alex, metrics::LpipsNet::Vgg16}) {
    const std::string name = metrics::lpips_net_name(net);
    if (!o.selected("lpips", name)) continue;
    metrics::Lpips lpips(net);  // torchvision AlexNet / VGG16 features, starts in eval mode
    lpips->to(device);
    for (const auto& im : images)
      results.push_back(measure("lpips", name, im.size, o.runs, [&] { lpips->score(im.dist, im.ref).item<double>(); }));
  }

  if (o.selected("clipiqa", "RN50")) {
    metrics::ClipIqa clipiqa = sinsr::bench::random_clipiqa();
    clipiqa.to(device);
    for (const auto& im : images)
      results.push_back(measure("clipiqa", "RN50", im.size, o.runs, [&] { clipiqa.score(im.dist).item<double>(); }));
  }

  if (o.selected("musiq", "koniq")) {
    metrics::Musiq musiq = sinsr::bench::random_musiq();
    musiq->to(device);
    for (const auto& im : images)
      results.push_back(measure("musiq", "koniq", im.size, o.runs, [&] { musiq->score(im.dist).item<double>(); }));
  }

  if (results.empty()) {
    std::cerr << "--only " << o.only << " selects no benchmark\n";
    return 2;
  }
  print_and_write(o, results);
  return 0;
}
