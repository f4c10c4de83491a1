// conv3x3: oneDNN's Winograd convolution where it applies, LibTorch's convolution everywhere else. The reference
// values come from a float64 convolution of the same data, computed by LibTorch independently of oneDNN's
// float32 kernels.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/nn/conv3x3.h"

namespace sinsr::nn {
namespace {

// Measured on the UNet's and the VQ's shapes: Winograd 1.1-1.7e-6 of the largest output, direct 2.3-2.8e-7.
constexpr double kWinogradTolerance = 1e-5;

struct WinogradOn {
  WinogradOn() { set_winograd_enabled(true); }
  ~WinogradOn() { set_winograd_enabled(true); }
};

torch::nn::Conv2d make_conv(int64_t in, int64_t out, bool bias = true, int64_t stride = 1) {
  torch::nn::Conv2d conv(torch::nn::Conv2dOptions(in, out, 3).padding(1).stride(stride).bias(bias));
  return conv;
}

// Largest error relative to the largest reference value, against a float64 convolution.
double error_vs_float64(const torch::nn::Conv2d& conv, const torch::Tensor& x, const torch::Tensor& y) {
  const auto bias = conv->bias.defined() ? conv->bias.to(at::kDouble) : torch::Tensor();
  const auto ref = torch::conv2d(x.to(at::kDouble), conv->weight.to(at::kDouble), bias, conv->options.stride(),
                                 /*padding=*/1);
  return (y.to(at::kDouble) - ref).abs().max().item<double>() / ref.abs().max().item<double>();
}

TEST(Conv3x3, WinogradMatchesAFloat64ConvolutionInBothLayoutsWithAndWithoutBias) {
  if (!winograd_available()) GTEST_SKIP() << "this build or CPU has no oneDNN Winograd path";
  WinogradOn on;
  torch::NoGradGuard no_grad;
  torch::manual_seed(0);
  for (bool bias : {true, false}) {
    for (auto format : {at::MemoryFormat::Contiguous, at::MemoryFormat::ChannelsLast}) {
      auto conv = make_conv(32, 48, bias);
      // Batch 2, not square, not a multiple of Winograd's 4x4 output tiles.
      const auto x = (torch::randn({2, 32, 34, 45}) + 0.5).contiguous(format);
      const auto y = conv3x3(conv, x);
      ASSERT_EQ(y.sizes(), (std::vector<int64_t>{2, 48, 34, 45}));
      EXPECT_TRUE(y.is_contiguous(format)) << "the output keeps the input's layout";
      EXPECT_LE(error_vs_float64(conv, x, y), kWinogradTolerance);
      // Winograd rounds differently from the direct kernel: equal bits would mean that path never ran.
      EXPECT_FALSE(torch::equal(y, conv->forward(x))) << "conv3x3 did not take the Winograd path";
    }
  }
}

TEST(Conv3x3, LargeMapsComputedInBandsOfRowsEqualOneCallOverTheWholeMap) {
  if (!winograd_available()) GTEST_SKIP() << "this build or CPU has no oneDNN Winograd path";
  WinogradOn on;
  torch::NoGradGuard no_grad;
  torch::manual_seed(2);
  auto conv = make_conv(16, 16);
  // 9.2 MB of input: more than one band of rows (8 MB), and a last band of a different height. A band that
  // padded its edges with zeros instead of reading its neighbours' rows would be far off at every band boundary.
  for (auto format : {at::MemoryFormat::Contiguous, at::MemoryFormat::ChannelsLast}) {
    const auto x = (torch::randn({1, 16, 1100, 130}) + 0.5).contiguous(format);
    const auto y = conv3x3(conv, x);
    EXPECT_LE(error_vs_float64(conv, x, y), kWinogradTolerance);
    EXPECT_FALSE(torch::equal(y, conv->forward(x))) << "conv3x3 did not take the Winograd path";
  }
}

TEST(Conv3x3, EverythingWinogradDoesNotCoverIsExactlyTheModulesOwnConvolution) {
  WinogradOn on;
  torch::manual_seed(1);
  auto expect_plain = [](const torch::nn::Conv2d& conv, const torch::Tensor& x, const std::string& why) {
    EXPECT_TRUE(torch::equal(conv3x3(conv, x), conv.ptr()->forward(x))) << why;
  };
  const auto big = torch::randn({1, 32, 40, 40});
  {
    torch::NoGradGuard no_grad;
    expect_plain(make_conv(8, 32), torch::randn({1, 8, 40, 40}), "8 input channels");
    expect_plain(make_conv(32, 32), torch::randn({1, 32, 24, 40}), "a 24-pixel side");
    expect_plain(make_conv(32, 32, true, 2), big, "stride 2");
    auto float64 = make_conv(32, 32);
    float64->to(at::kDouble);
    expect_plain(float64, big.to(at::kDouble), "float64");
    set_winograd_enabled(false);
    expect_plain(make_conv(32, 32), big, "turned off");
    set_winograd_enabled(true);
  }
  // Training: the weights need a gradient, so LibTorch's differentiable convolution runs.
  auto conv = make_conv(32, 32);
  auto y = conv3x3(conv, big);
  EXPECT_TRUE(y.requires_grad());
  EXPECT_TRUE(torch::equal(y, conv->forward(big)));
}

}  // namespace
}  // namespace sinsr::nn
