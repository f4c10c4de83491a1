// Tiles from a memory budget: the whole image when it fits, otherwise the largest tiles that fit, as few as
// possible and no larger than needed to cover the image; memory sizes as users write them.
#include <gtest/gtest.h>

#include <cmath>

#include "core/sr/tile_plan.h"
#include "core/sr/tiling.h"
#include "core/util/errors.h"

namespace sinsr::test {
namespace {

// 1 byte per tile pixel, nothing else: a budget of s^2 bytes fits s x s tiles exactly.
sr::TileMemoryModel per_pixel() {
  sr::TileMemoryModel m;
  m.bytes_per_tile_pixel = 1;
  return m;
}

TEST(TilePlan, WholeImageWhenItFitsCountingItsPadding) {
  const auto plan = sr::plan_tiles(100, 60, 64, 128.0 * 64, per_pixel());  // padded 128 x 64 = the budget
  EXPECT_TRUE(plan.fits);
  EXPECT_GE(plan.size, 100);
  EXPECT_EQ(sr::tile_starts(100, plan.size, plan.stride).size(), 1u);
  EXPECT_EQ(sr::tile_starts(60, plan.size, plan.stride).size(), 1u);
  // One byte less and the padded image no longer fits: tiles of 64.
  EXPECT_EQ(sr::plan_tiles(100, 60, 64, 128.0 * 64 - 1, per_pixel()).size, 64);
}

TEST(TilePlan, LargestFittingTilesAsFewAsPossibleAndNoLargerThanNeeded) {
  // 256^2 fits, 320^2 does not. 1000 px need 5 tiles of 256 (overlap 32); 600 px need 3.
  auto plan = sr::plan_tiles(1000, 600, 64, 300.0 * 300, per_pixel());
  EXPECT_TRUE(plan.fits);
  EXPECT_EQ(plan.size, 256);
  EXPECT_EQ(plan.stride, 224);
  EXPECT_EQ(sr::tile_starts(1000, plan.size, plan.stride).size(), 5u);
  EXPECT_EQ(sr::tile_starts(600, plan.size, plan.stride).size(), 3u);
  // 300 px: two tiles either way, and two of 192 cover it (192 + 168 >= 300): no 256-px tile half wasted.
  plan = sr::plan_tiles(300, 300, 64, 300.0 * 300 - 1, per_pixel());
  EXPECT_EQ(plan.size, 192);
  EXPECT_EQ(sr::tile_starts(300, plan.size, plan.stride), (std::vector<int64_t>{0, 108}));
}

TEST(TilePlan, EveryPlanFitsCoversAndUsesNoMoreTilesThanTheLargestSize) {
  sr::TileMemoryModel m;
  m.fixed_bytes = 1000;
  m.bytes_per_tile_pixel = 3;
  m.bytes_per_image_pixel = 0.5;
  for (int64_t multiple : {16, 64})
    for (int64_t h : {1, 17, 64, 200, 513, 1280})
      for (int64_t w : {1, 90, 700})
        for (double budget : {5e4, 2e5, 1e6, 5e6}) {
          const auto plan = sr::plan_tiles(h, w, multiple, budget, m);
          const double image = static_cast<double>(h * w);
          SCOPED_TRACE(std::to_string(h) + "x" + std::to_string(w) + " /" + std::to_string(multiple) + " budget " +
                       std::to_string(budget));
          ASSERT_GT(plan.stride, 0);
          ASSERT_LE(plan.stride, plan.size);
          const auto rows = sr::tile_starts(h, plan.size, plan.stride),
                     cols = sr::tile_starts(w, plan.size, plan.stride);
          if (rows.size() * cols.size() == 1) continue;  // the whole image (checked above)
          EXPECT_EQ(plan.size % multiple, 0);
          EXPECT_EQ(plan.fits, m.peak_bytes(plan.size * plan.size, h * w) <= budget);
          // The largest tile that fits, found here by counting up.
          int64_t largest = multiple;
          while (m.fixed_bytes + 3.0 * static_cast<double>((largest + multiple) * (largest + multiple)) + 0.5 * image <=
                 budget)
            largest += multiple;
          EXPECT_LE(plan.size, largest);
          EXPECT_EQ(rows.size(), sr::tile_starts(h, largest, largest - largest / 8).size());
          EXPECT_EQ(cols.size(), sr::tile_starts(w, largest, largest - largest / 8).size());
          EXPECT_EQ(rows.back() + std::min(plan.size, h), h);  // covered to the edge
          EXPECT_EQ(cols.back() + std::min(plan.size, w), w);
        }
}

TEST(TilePlan, TooSmallABudgetStillPlansTheSmallestTileAndSaysSo) {
  const auto plan = sr::plan_tiles(500, 500, 64, 100, per_pixel());
  EXPECT_FALSE(plan.fits);
  EXPECT_EQ(plan.size, 64);
}

TEST(TilePlan, MemorySizesReadAsUsersWriteThem) {
  const double G = 1024.0 * 1024 * 1024;
  EXPECT_DOUBLE_EQ(sr::parse_memory_size("6G", "--max-memory"), 6 * G);
  EXPECT_DOUBLE_EQ(sr::parse_memory_size("6gb", "--max-memory"), 6 * G);
  EXPECT_DOUBLE_EQ(sr::parse_memory_size("1.5 GiB", "--max-memory"), 1.5 * G);
  EXPECT_DOUBLE_EQ(sr::parse_memory_size("512M", "--max-memory"), 512.0 * 1024 * 1024);
  EXPECT_DOUBLE_EQ(sr::parse_memory_size("4096", "--max-memory"), 4096);
  for (const char* bad : {"", "G", "-1G", "0", "6X", "6 G B", "nan"})
    EXPECT_THROW(sr::parse_memory_size(bad, "--max-memory"), UsageError) << bad;
  EXPECT_EQ(sr::format_memory_size(6 * G), "6.0 GB");
}

}  // namespace
}  // namespace sinsr::test
