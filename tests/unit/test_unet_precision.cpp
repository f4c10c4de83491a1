// UNetModelSwin::set_inference_precision: half-precision copies of the conv and linear weights, made once, give
// exactly the bits that autocast's per-call casts of the float32 weights give.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/io/state_dict.h"
#include "core/nn/precision.h"
#include "core/nn/unet_swin.h"
#include "core/util/config.h"
#include "core/util/config_file.h"

namespace sinsr::test {
namespace {

nn::UNetModelSwin tiny_teacher() {
  nn::UNetModelSwin unet(UNetConfig::from_config(load_config("configs/tiny.ini")));
  io::load_weights(*unet, "tests/fixtures/parity/unet_small.pth");
  unet->eval();
  return unet;
}

TEST(UNetPrecision, Bf16InferenceWeightsGiveAutocastsBitsAndKeepNormsFloat32) {
  torch::InferenceMode inference;
  torch::manual_seed(3);
  auto autocast = tiny_teacher(), inference_only = tiny_teacher();
  autocast->set_precision(Precision::Bf16);
  inference_only->set_inference_precision(Precision::Bf16);
  const auto x = torch::randn({2, 3, 16, 16}), lq = torch::rand({2, 3, 16, 16}) * 2 - 1;
  const auto t = torch::tensor({14, 3}, torch::kLong);
  const auto expected = autocast->forward(x, t, lq), got = inference_only->forward(x, t, lq);
  EXPECT_EQ(got.scalar_type(), at::kFloat);
  EXPECT_TRUE(torch::equal(got, expected));

  int64_t half = 0, single = 0;
  for (const auto& p : inference_only->named_parameters()) {
    const bool conv_or_linear_weight = p.key().size() > 7 && p.key().substr(p.key().size() - 7) == ".weight" &&
                                       p.value().dim() >= 2 && p.key().find("relative_position") == std::string::npos;
    EXPECT_EQ(p.value().scalar_type(), conv_or_linear_weight ? at::kBFloat16 : at::kFloat) << p.key();
    (p.value().scalar_type() == at::kBFloat16 ? half : single) += 1;
  }
  EXPECT_GT(half, 0);
  EXPECT_GT(single, 0);  // biases, norms, the Swin position tables
}

TEST(UNetPrecision, Fp32InferenceLeavesTheWeightsAlone) {
  auto unet = tiny_teacher();
  unet->set_inference_precision(Precision::Fp32);
  for (const auto& p : unet->parameters()) EXPECT_EQ(p.scalar_type(), at::kFloat);
}

}  // namespace
}  // namespace sinsr::test
