// CUDA against CPU for the networks and the distillation loss, and CUDA timings (run by tools/gpu-check.sh).
//   unet_cuda_check [--tiny configs/tiny.ini] [--runs N] [--skip-full] [--cpu]
// (--cpu: a dry run of the same code with the CPU standing in for the GPU, for machines without one.)
// 1. tiny UNet (configs/tiny.ini), seeded random weights, batch 2: forward on CPU float64 (reference), CPU float32,
//    CUDA float32 with TF32 off and with LibTorch's defaults (cuDNN convolutions in TF32), CUDA twice (same bits?);
// 2. the training loss on the tiny UNet (trainer/sinsr_losses: three calls as one batch, backward): per-sample
//    losses and every parameter gradient, CPU float32 against CUDA;
// 3. full-size UNet (the paper's [model] defaults), batch 1, 64x64 latent: CPU against CUDA, then the CUDA
//    forward's median time (inference mode), and forward+backward at batch 6 (the trainer's 3 x micro-batch 2);
// 4. full-size VQ-f4 decode (64x64 latent -> 256x256): CPU against CUDA, CUDA median time.
// Errors are ||got - ref|| / ||ref|| (rel) and max |got - ref| (max).
#include <cuda_runtime.h>
#include <torch/cuda.h>
#include <torch/torch.h>
#include <torch/version.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/diffusion/diffusion.h"
#include "core/nn/unet_swin.h"
#include "core/nn/vq_autoencoder.h"
#include "core/util/config.h"
#include "trainer/sinsr_losses.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Diff {
  double rel = 0, max_abs = 0;
  bool finite = true;
};

Diff compare(const at::Tensor& got, const at::Tensor& ref) {
  const at::Tensor g = got.detach().to(at::kCPU).to(at::kDouble), r = ref.detach().to(at::kCPU).to(at::kDouble);
  Diff d;
  d.finite = g.isfinite().all().item<bool>();
  d.rel = (g - r).norm().item<double>() / std::max(r.norm().item<double>(), 1e-300);
  d.max_abs = (g - r).abs().max().item<double>();
  return d;
}

std::string fmt(const Diff& d) {
  std::ostringstream s;
  s << std::scientific << std::setprecision(2) << "rel " << d.rel << "  max " << d.max_abs << (d.finite ? "" : "  NON-FINITE");
  return s.str();
}

void set_tf32(bool on) {
  at::globalContext().setAllowTF32CuDNN(on);
  at::globalContext().setAllowTF32CuBLAS(on);
}

bool cpu_mode = false;

void sync() {
  if (cpu_mode) return;
  const cudaError_t rc = cudaDeviceSynchronize();
  if (rc != cudaSuccess) throw std::runtime_error(std::string("cudaDeviceSynchronize: ") + cudaGetErrorString(rc));
}

// Median milliseconds of fn over `runs` after `warmup` calls, synchronised around each call.
double median_ms(int warmup, int runs, const std::function<void()>& fn) {
  for (int i = 0; i < warmup; ++i) fn();
  sync();
  std::vector<double> ms;
  for (int i = 0; i < runs; ++i) {
    const auto t0 = Clock::now();
    fn();
    sync();
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

// LibTorch's messages carry a backtrace: the first lines say what happened.
std::string head(const std::string& what, int lines = 2) {
  size_t end = 0;
  for (int i = 0; i < lines && end != std::string::npos; ++i) end = what.find('\n', end ? end + 1 : 0);
  return what.substr(0, end);
}

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

at::Tensor forward(sinsr::nn::UNetModelSwin& m, const at::Tensor& x, const at::Tensor& t, const at::Tensor& lq) {
  torch::InferenceMode guard;
  return m->forward(x, t, lq);
}

// Floating parameters and buffers to `dtype`, integer buffers (relative_position_index) left alone (the C++
// Module::to(dtype) would convert them too).
void to_float_type(torch::nn::Module& m, at::ScalarType dtype) {
  torch::NoGradGuard g;
  for (at::Tensor p : m.parameters()) p.set_data(p.to(dtype));
  for (at::Tensor b : m.buffers())
    if (b.is_floating_point()) b.set_data(b.to(dtype));
}

struct Check {
  std::string name;
  Diff d;
  double limit;
};
std::vector<Check> checks;
std::string current;  // the section's short name, prefixed to its checks in the summary
void record(const std::string& name, const Diff& d, double limit) {
  checks.push_back({current + ": " + name, d, limit});
  std::cout << "  " << std::left << std::setw(56) << name << fmt(d) << "\n";
}

// Gradients undefined (not zeroed): also drops CPU gradients left behind when a module moves to the GPU.
void clear_grads(torch::nn::Module& m) {
  for (at::Tensor p : m.parameters()) p.mutable_grad() = at::Tensor();
}

at::Tensor flat_grads(torch::nn::Module& m) {
  std::vector<at::Tensor> g;
  for (const at::Tensor& p : m.parameters())
    if (p.grad().defined()) g.push_back(p.grad().detach().to(at::kCPU).reshape(-1));
  return at::cat(g);
}

}  // namespace

int main(int argc, char** argv) {
  std::string tiny_path = "configs/tiny.ini";
  int runs = 20;
  bool full = true;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--tiny" && i + 1 < argc) tiny_path = argv[++i];
    else if (a == "--runs" && i + 1 < argc) runs = std::atoi(argv[++i]);
    else if (a == "--skip-full") full = false;
    else if (a == "--cpu") cpu_mode = true;
    else {
      std::cerr << "usage: unet_cuda_check [--tiny configs/tiny.ini] [--runs N] [--skip-full] [--cpu]\n";
      return 2;
    }
  }
  at::set_num_threads(static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));  // for the CPU references
  std::cout << "LibTorch " << TORCH_VERSION << ", CUDA available " << torch::cuda::is_available() << ", GPUs "
            << static_cast<int>(torch::cuda::device_count()) << ", cuDNN " << torch::cuda::cudnn_is_available() << ", CPU threads "
            << at::get_num_threads() << "\n";
  if (!torch::cuda::is_available() && !cpu_mode) {
    std::cout << "unet_cuda_check: no CUDA device visible to LibTorch\n";
    return 1;
  }
  if (!cpu_mode) {
    cudaDeviceProp prop{};
    cudaGetDeviceProperties(&prop, 0);
    std::cout << "GPU 0: " << prop.name << ", sm_" << prop.major << prop.minor << ", " << prop.multiProcessorCount
              << " SMs, " << (prop.totalGlobalMem >> 20) << " MiB\n";
  }
  std::cout << "LibTorch defaults: TF32 cuDNN " << at::globalContext().allowTF32CuDNN() << ", TF32 cuBLAS "
            << at::globalContext().allowTF32CuBLAS() << "\n";
  const bool tf32_cudnn_default = at::globalContext().allowTF32CuDNN(), tf32_cublas_default = at::globalContext().allowTF32CuBLAS();
  auto restore_defaults = [&] {
    at::globalContext().setAllowTF32CuDNN(tf32_cudnn_default);
    at::globalContext().setAllowTF32CuBLAS(tf32_cublas_default);
  };
  const at::Device cuda = cpu_mode ? at::Device(at::kCPU) : at::Device(at::kCUDA, 0);
  int failures = 0;
  auto section = [&](const std::string& tag, const std::string& name, const std::function<void()>& body) {
    current = tag;
    std::cout << "\n[" << name << "]\n";
    const auto t0 = Clock::now();
    try {
      body();
    } catch (const std::exception& e) {
      ++failures;
      std::cout << "  ERROR: " << head(e.what()) << "\n";
    }
    restore_defaults();
    std::cout << "  (" << std::fixed << std::setprecision(1) << seconds_since(t0) << " s)\n" << std::defaultfloat;
  };

  const sinsr::Config tiny = sinsr::Config::load(tiny_path);
  const sinsr::UNetConfig tiny_unet = sinsr::UNetConfig::from_config(tiny);

  section("tiny fwd", "tiny UNet forward, batch 2, " + std::to_string(tiny_unet.image_size) + "x" + std::to_string(tiny_unet.image_size), [&] {
    const int64_t h = tiny_unet.image_size;
    torch::manual_seed(0);
    sinsr::nn::UNetModelSwin unet(tiny_unet);
    unet->eval();
    torch::manual_seed(0);
    sinsr::nn::UNetModelSwin unet64(tiny_unet);  // the same weights (same seed, same construction order)
    unet64->eval();
    torch::manual_seed(1);
    const at::Tensor x = torch::randn({2, 3, h, h}), lq = torch::rand({2, 3, h, h}) * 2 - 1;
    const at::Tensor t = torch::tensor(std::vector<int64_t>{14, 0});
    const at::Tensor cpu32 = forward(unet, x, t, lq);
    at::Tensor ref = cpu32;
    try {
      to_float_type(*unet64, at::kDouble);
      ref = forward(unet64, x.to(at::kDouble), t, lq.to(at::kDouble));
      record("CPU float32 vs CPU float64", compare(cpu32, ref), 1e-4);
    } catch (const std::exception& e) {
      std::cout << "  float64 reference failed (" << head(e.what(), 1) << "): CPU float32 is the reference\n";
    }
    unet->to(cuda);
    set_tf32(false);
    const at::Tensor c1 = forward(unet, x.to(cuda), t.to(cuda), lq.to(cuda));
    const at::Tensor c2 = forward(unet, x.to(cuda), t.to(cuda), lq.to(cuda));
    record("CUDA float32 (TF32 off) vs reference", compare(c1, ref), 1e-4);
    record("CUDA float32 (TF32 off) run 2 vs run 1", compare(c2, c1), 1e-6);
    restore_defaults();
    record("CUDA LibTorch defaults vs reference", compare(forward(unet, x.to(cuda), t.to(cuda), lq.to(cuda)), ref), 1e-2);
  });

  section("tiny loss", "tiny UNet: sinsr_losses forward+backward, batch 2 (network batch 6)", [&] {
    const int64_t h = tiny_unet.image_size;
    const sinsr::Diffusion diffusion(sinsr::DiffusionConfig::from_config(tiny));
    torch::manual_seed(0);
    sinsr::nn::UNetModelSwin unet(tiny_unet);
    unet->train();
    torch::manual_seed(2);
    const at::Tensor x_T = torch::randn({2, 3, h, h}), z_teacher = torch::randn({2, 3, h, h}), z_gt = torch::randn({2, 3, h, h});
    const at::Tensor lq = torch::rand({2, 3, h, h}) * 2 - 1;
    auto run = [&](const at::Device& d) {
      clear_grads(*unet);
      const sinsr::train::LossTerms l =
          sinsr::train::sinsr_losses(*unet, diffusion, x_T.to(d), z_teacher.to(d), z_gt.to(d), lq.to(d), sinsr::train::LossWeights{});
      l.per_sample.sum().backward();
      return std::make_pair(at::stack({l.distill, l.inverse, l.gt}).detach().to(at::kCPU), flat_grads(*unet));
    };
    const auto cpu = run(at::kCPU);
    std::cout << "  CPU losses [distill, inverse, gt] x sample: " << cpu.first.reshape(-1) << "\n";
    unet->to(cuda);
    set_tf32(false);
    const auto gpu = run(cuda);
    record("loss terms CUDA (TF32 off) vs CPU", compare(gpu.first, cpu.first), 1e-4);
    record("all gradients CUDA (TF32 off) vs CPU", compare(gpu.second, cpu.second), 1e-3);
    restore_defaults();
    const auto gpu_d = run(cuda);
    record("loss terms CUDA defaults vs CPU", compare(gpu_d.first, cpu.first), 1e-2);
    record("all gradients CUDA defaults vs CPU", compare(gpu_d.second, cpu.second), 5e-2);
  });

  if (full) {
    const sinsr::Config paper = sinsr::Config::defaults();
    section("full UNet", "full-size UNet, batch 1, 64x64 latent", [&] {
      torch::manual_seed(0);
      sinsr::nn::UNetModelSwin unet(sinsr::UNetConfig::from_config(paper));
      unet->eval();
      int64_t n = 0;
      for (const at::Tensor& p : unet->parameters()) n += p.numel();
      std::cout << "  parameters: " << n << "\n";
      torch::manual_seed(3);
      const at::Tensor x = torch::randn({1, 3, 64, 64}), lq = torch::rand({1, 3, 64, 64}) * 2 - 1;
      const at::Tensor t = torch::full({1}, 14, torch::kLong);
      auto t0 = Clock::now();
      const at::Tensor cpu = forward(unet, x, t, lq);
      std::cout << "  CPU forward (one run, first call): " << std::fixed << std::setprecision(2) << seconds_since(t0) << " s\n"
                << std::defaultfloat;
      unet->to(cuda);
      const at::Tensor xc = x.to(cuda), tc = t.to(cuda), lqc = lq.to(cuda);
      set_tf32(false);
      record("CUDA float32 (TF32 off) vs CPU float32", compare(forward(unet, xc, tc, lqc), cpu), 1e-4);
      const double ms_fp32 = median_ms(3, runs, [&] { forward(unet, xc, tc, lqc); });
      restore_defaults();
      record("CUDA LibTorch defaults vs CPU float32", compare(forward(unet, xc, tc, lqc), cpu), 1e-2);
      const double ms_def = median_ms(3, runs, [&] { forward(unet, xc, tc, lqc); });
      std::cout << std::fixed << std::setprecision(2) << "  CUDA forward median of " << runs << ": " << ms_fp32
                << " ms (TF32 off), " << ms_def << " ms (defaults)\n";
      {  // a batch as datagen's teacher or tiled inference would use it
        const at::Tensor x16 = xc.repeat({16, 1, 1, 1}), lq16 = lqc.repeat({16, 1, 1, 1}), t16 = tc.repeat({16});
        const double ms16 = median_ms(2, std::max(3, runs / 2), [&] { forward(unet, x16, t16, lq16); });
        std::cout << "  CUDA forward batch 16 median of " << std::max(3, runs / 2) << ": " << ms16 << " ms (defaults)\n";
      }

      unet->train();
      const at::Tensor x6 = torch::randn({6, 3, 64, 64}, cuda), lq6 = torch::rand({6, 3, 64, 64}, cuda) * 2 - 1;
      const at::Tensor t6 = torch::tensor(std::vector<int64_t>{14, 14, 0, 0, 14, 14}).to(cuda);
      auto step = [&] {
        clear_grads(*unet);
        unet->forward(x6, t6, lq6).square().mean().backward();
      };
      const double step_def = median_ms(2, std::max(3, runs / 2), step);
      set_tf32(false);
      const double step_fp32 = median_ms(2, std::max(3, runs / 2), step);
      size_t free_b = 0, total_b = 0;
      if (!cpu_mode) cudaMemGetInfo(&free_b, &total_b);
      std::cout << "  CUDA forward+backward batch 6 median of " << std::max(3, runs / 2) << ": " << step_def
                << " ms (defaults), " << step_fp32 << " ms (TF32 off); GPU memory in use " << ((total_b - free_b) >> 20)
                << " MiB\n"
                << std::defaultfloat;
    });

    section("full VQ", "full-size VQ-f4 decode, 64x64 latent -> 256x256", [&] {
      torch::manual_seed(0);
      sinsr::nn::VQModelTorch vq(sinsr::VQConfig::from_config(paper));
      vq->eval();
      torch::manual_seed(4);
      const at::Tensor z = torch::randn({1, 3, 64, 64});
      auto dec = [&](const at::Tensor& in) {
        torch::InferenceMode g;
        return vq->decode(in);
      };
      auto t0 = Clock::now();
      const at::Tensor cpu = dec(z);
      std::cout << "  CPU decode (one run, first call): " << std::fixed << std::setprecision(2) << seconds_since(t0) << " s\n"
                << std::defaultfloat;
      vq->to(cuda);
      const at::Tensor zc = z.to(cuda);
      set_tf32(false);
      record("CUDA float32 (TF32 off) vs CPU float32", compare(dec(zc), cpu), 1e-4);
      const double ms_fp32 = median_ms(3, runs, [&] { dec(zc); });
      restore_defaults();
      record("CUDA LibTorch defaults vs CPU float32", compare(dec(zc), cpu), 1e-2);
      const double ms_def = median_ms(3, runs, [&] { dec(zc); });
      std::cout << std::fixed << std::setprecision(2) << "  CUDA decode median of " << runs << ": " << ms_fp32
                << " ms (TF32 off), " << ms_def << " ms (defaults)\n"
                << std::defaultfloat;
    });
  }

  std::cout << "\nsummary (limit: a loose bound for float32 / TF32 round-off, not a parity claim)\n";
  for (const Check& c : checks) {
    const bool ok = c.d.finite && c.d.rel <= c.limit;
    failures += !ok;
    std::cout << "  " << (ok ? "ok   " : "FAIL ") << std::left << std::setw(56) << c.name << fmt(c.d) << "  (limit rel "
              << c.limit << ")\n";
  }
  std::cout << "unet_cuda_check: " << (failures ? "FAILURES: " + std::to_string(failures) : std::string("all ok")) << "\n";
  return failures ? 1 : 0;
}
