// The Swin and UNet primitives against values stated in docs/method.md (derived from the reference code
// independently of our implementation).
#include <gtest/gtest.h>

#include "core/nn/swin.h"
#include "core/nn/unet_blocks.h"

namespace sinsr::test {
namespace {

// docs/method.md §1.5, closed form of the reference's buggy mask: label(n, t) = reg(wr*ws + t mod ws), where wr is
// the window's row and reg() splits the *height* axis at H-ws and H-shift.
at::Tensor closed_form_mask(int64_t h, int64_t w, int64_t ws, int64_t shift) {
  const int64_t nw_cols = w / ws, nw = (h / ws) * nw_cols, n = ws * ws;
  auto reg = [&](int64_t r) { return r < h - ws ? 0 : (r < h - shift ? 1 : 2); };
  auto mask = torch::zeros({nw, n, n});
  auto acc = mask.accessor<float, 3>();
  for (int64_t win = 0; win < nw; ++win) {
    const int64_t wr = win / nw_cols;
    for (int64_t a = 0; a < n; ++a)
      for (int64_t b = 0; b < n; ++b) acc[win][a][b] = reg(wr * ws + a % ws) == reg(wr * ws + b % ws) ? 0.f : -100.f;
  }
  return mask;
}

TEST(SwinMask, ReproducesTheReferenceRuleForSquareAndNonSquareSizes) {
  for (auto [h, w] :
       std::vector<std::pair<int64_t, int64_t>>{{64, 64}, {32, 32}, {16, 16}, {64, 128}, {128, 64}, {24, 40}}) {
    auto ours = nn::reference_shifted_window_mask(h, w, 8, 4);
    EXPECT_TRUE(ours.equal(closed_form_mask(h, w, 8, 4))) << h << "x" << w;
  }
  // Other window sizes follow the same rule.
  EXPECT_TRUE(nn::reference_shifted_window_mask(16, 24, 4, 2).equal(closed_form_mask(16, 24, 4, 2)));
  EXPECT_TRUE(nn::reference_shifted_window_mask(18, 12, 6, 3).equal(closed_form_mask(18, 12, 6, 3)));
}

TEST(SwinMask, OnlyTheLastWindowRowIsMaskedAndSplitByColumn) {
  auto m = nn::reference_shifted_window_mask(16, 16, 8, 4);  // 2x2 windows
  EXPECT_EQ(m[0].count_nonzero().item<int64_t>(), 0);
  EXPECT_EQ(m[1].count_nonzero().item<int64_t>(), 0);  // last window column: never masked (the bug)
  EXPECT_EQ(m[2].count_nonzero().item<int64_t>(), 2048);
  EXPECT_EQ(m[3].count_nonzero().item<int64_t>(), 2048);
  EXPECT_EQ(m[2][0][1].item<float>(), 0.f);     // columns 0 and 1: same group
  EXPECT_EQ(m[2][0][4].item<float>(), -100.f);  // columns 0 and 4: different groups
}

TEST(SwinPrimitives, RelativePositionIndexMatchesSpec) {
  auto idx = nn::relative_position_index(8);
  ASSERT_EQ(idx.sizes(), (c10::IntArrayRef{64, 64}));
  const std::vector<int64_t> row0 = {112, 111, 110, 109, 108, 107, 106, 105, 97, 96};
  for (size_t i = 0; i < row0.size(); ++i) EXPECT_EQ(idx[0][static_cast<int64_t>(i)].item<int64_t>(), row0[i]);
  EXPECT_EQ(idx.max().item<int64_t>(), 224);
  EXPECT_TRUE(idx.diagonal().eq(112).all().item<bool>());  // (0+7)*15 + (0+7): a token relative to itself
}

TEST(SwinPrimitives, TimestepEmbeddingMatchesSpecGoldenValues) {
  auto e = nn::timestep_embedding(torch::tensor({0, 14}, torch::kLong), 160);
  ASSERT_EQ(e.sizes(), (c10::IntArrayRef{2, 160}));
  EXPECT_TRUE(e[0].narrow(0, 0, 80).eq(1).all().item<bool>());
  EXPECT_TRUE(e[0].narrow(0, 80, 80).eq(0).all().item<bool>());
  const std::vector<float> head = {0.136737f, 0.996055f, 0.124695f, -0.883992f};
  const std::vector<float> mid = {0.990607f, -0.088740f, -0.992195f, -0.467503f};
  for (int i = 0; i < 4; ++i) {
    EXPECT_NEAR(e[1][i].item<float>(), head[static_cast<size_t>(i)], 2e-6);
    EXPECT_NEAR(e[1][80 + i].item<float>(), mid[static_cast<size_t>(i)], 2e-6);
  }
}

TEST(SwinPrimitives, SmallLevelsClampTheWindowAndNeverShift) {
  nn::SwinTransformerBlock clamped(nn::SwinBlockOptions{32, 8, 8, 4, 8, 4, 2.0});
  EXPECT_EQ(clamped->window_size(), 8);
  EXPECT_EQ(clamped->shift_size(), 0);
  nn::SwinTransformerBlock small(nn::SwinBlockOptions{32, 4, 4, 4, 8, 4, 2.0});
  EXPECT_EQ(small->window_size(), 4);
  nn::SwinTransformerBlock shifted(nn::SwinBlockOptions{32, 16, 16, 4, 8, 4, 2.0});
  EXPECT_EQ(shifted->shift_size(), 4);
  // The stored buffer is the reference rule at the construction size.
  bool found = false;
  for (const auto& b : shifted->named_buffers())
    if (b.key() == "attn_mask") found = b.value().equal(nn::reference_shifted_window_mask(16, 16, 8, 4));
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace sinsr::test
