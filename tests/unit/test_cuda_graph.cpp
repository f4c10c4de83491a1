// GraphedComputation: CUDA-graph replay of a fixed-shape computation with an eager fallback. The fallback runs
// everywhere; the replay test needs a GPU (a CUDA build on a GPU machine: the GPU kit runs it) and skips without.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/diffusion/diffusion.h"
#include "core/io/state_dict.h"
#include "core/nn/cuda_graph.h"
#include "core/nn/precision.h"
#include "core/nn/unet_swin.h"
#include "core/util/config.h"
#include "core/util/config_file.h"

namespace sinsr::test {
namespace {

TEST(CudaGraph, CpuInputsRunEagerlyEveryTime) {
  int calls = 0;
  nn::GraphedComputation twice("test", [&](const std::vector<at::Tensor>& in) {
    ++calls;
    return in[0] * 2 + in[1];
  });
  const auto a = torch::rand({4, 3}), b = torch::rand({4, 3});
  for (int i = 1; i <= 3; ++i) {
    EXPECT_TRUE(twice({a, b}).equal(a * 2 + b));
    EXPECT_EQ(calls, i);  // no warm-up runs, no capture: one eager call per call
  }
  EXPECT_FALSE(twice.captured());
}

// The tiny teacher's 15-step deterministic chain, eager against graphed, over several batches: the capture's,
// replays with other values, and a smaller batch (another shape: eager), in fp32 and bf16.
TEST(CudaGraph, ReplayOfTheTeacherChainEqualsEagerOnTheGpu) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no GPU visible to LibTorch";
  const Config cfg = load_config("configs/tiny.ini");
  nn::UNetModelSwin unet(UNetConfig::from_config(cfg));
  io::load_weights(*unet, "tests/fixtures/parity/unet_small.pth");
  unet->eval();
  unet->to(torch::kCUDA);
  const Diffusion diffusion(DiffusionConfig::from_config(cfg));
  const auto chain = [&](const std::vector<at::Tensor>& in) {
    const Denoiser model = [&](const at::Tensor& x, const at::Tensor& t, const at::Tensor& lq) {
      return unet->forward(x, t, lq);
    };
    return diffusion.sample_deterministic(model, in[0], in[1], in[2]).sample;
  };
  for (const Precision p : {Precision::Fp32, Precision::Bf16}) {
    SCOPED_TRACE(precision_name(p));
    unet->set_precision(p);
    nn::GraphedComputation graphed("test chain", chain);
    c10::InferenceMode inference;
    torch::manual_seed(3);
    for (const int64_t batch : {4, 4, 4, 2}) {
      const auto opts = torch::TensorOptions().device(torch::kCUDA);
      const auto x_T = torch::randn({batch, 3, 16, 16}, opts), z_y = torch::randn({batch, 3, 16, 16}, opts);
      const auto lq = torch::rand({batch, 3, 16, 16}, opts) * 2 - 1;
      const auto eager = chain({x_T, z_y, lq});
      const auto replayed = graphed({x_T, z_y, lq});
      EXPECT_TRUE(graphed.captured());
      const double diff = (replayed - eager).abs().max().item<double>();
      EXPECT_LE(diff, 1e-6 * eager.abs().max().item<double>()) << "batch " << batch;
    }
  }
}

}  // namespace
}  // namespace sinsr::test
