#include <gtest/gtest.h>

#include "core/sr/super_resolver.h"
#include "core/sr/tiling.h"

namespace sinsr::test {
namespace {

TEST(Tiling, StartsFollowTheReferenceSplitter) {
  EXPECT_EQ(sr::tile_starts(100, 128, 112), (std::vector<int64_t>{0}));  // one tile covers the axis
  EXPECT_EQ(sr::tile_starts(128, 128, 112), (std::vector<int64_t>{0}));
  EXPECT_EQ(sr::tile_starts(100, 64, 56), (std::vector<int64_t>{0, 36}));          // 56 + 64 > 100 -> 100 - 64
  EXPECT_EQ(sr::tile_starts(600, 256, 224), (std::vector<int64_t>{0, 224, 344}));  // 448 and 672 both -> 344, once
  EXPECT_EQ(sr::tile_starts(448, 256, 224), (std::vector<int64_t>{0, 192}));
}

TEST(Tiling, UniformWeightsAreOnes) {
  EXPECT_TRUE(sr::blend_weights(sr::Blend::Uniform, 10, 0, 16, 8, 64, 64, 4).eq(1).all().item<bool>());
}

TEST(Tiling, SmoothWeightsRampOnlyOnInteriorEdgesAndAreContinuousAcrossTheOverlap) {
  // Two tiles along x: [0, 64) and [48, 112) of a 112-wide image, overlap 16.
  auto a = sr::blend_weights(sr::Blend::Smooth, 0, 0, 8, 64, 8, 112, 16);
  auto b = sr::blend_weights(sr::Blend::Smooth, 0, 48, 8, 64, 8, 112, 16);
  EXPECT_TRUE(a.gt(0).all().item<bool>());
  EXPECT_FLOAT_EQ(a[0][0].item<float>(), 1.f);  // image border: no ramp
  EXPECT_LT(a[0][63].item<float>(), 0.01f);     // interior edge: fades out
  EXPECT_LT(b[0][0].item<float>(), 0.01f);      // and the neighbour fades in
  EXPECT_FLOAT_EQ(b[0][63].item<float>(), 1.f);
  // Inside the overlap the two ramps are complementary: a fades out exactly as b fades in.
  for (int64_t i = 0; i < 16; ++i) EXPECT_NEAR(a[0][48 + i].item<float>() + b[0][i].item<float>(), 1.0f, 1e-6) << i;
}

TEST(Tiling, ReflectPaddingMatchesTorchAndFallsBackForTinyImages) {
  auto x = torch::arange(12, torch::kFloat).view({1, 1, 3, 4});
  auto p = sr::pad_reflect(x, 2, 3);
  ASSERT_EQ(p.sizes(), (c10::IntArrayRef{1, 1, 5, 7}));
  // Row 0: 0 1 2 3 | 2 1 0 (reflection without repeating the edge).
  EXPECT_TRUE(p[0][0][0].equal(torch::tensor({0.f, 1.f, 2.f, 3.f, 2.f, 1.f, 0.f})));
  EXPECT_TRUE(p[0][0][3].equal(p[0][0][1]));
  // A pad larger than the image: repeated reflection, values stay those of the image.
  auto small = torch::arange(6, torch::kFloat).view({1, 1, 2, 3});
  auto q = sr::pad_reflect(small, 13, 9);
  ASSERT_EQ(q.sizes(), (c10::IntArrayRef{1, 1, 15, 12}));
  EXPECT_GE(q.min().item<float>(), 0.f);
  EXPECT_LE(q.max().item<float>(), 5.f);
  // A single-pixel axis is replicated.
  auto line = sr::pad_reflect(torch::ones({1, 1, 1, 5}), 3, 0);
  EXPECT_TRUE(line.eq(1).all().item<bool>());
}

}  // namespace
}  // namespace sinsr::test
