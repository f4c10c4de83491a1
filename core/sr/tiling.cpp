#include "core/sr/tiling.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>

namespace sinsr::sr {

std::vector<int64_t> tile_starts(int64_t length, int64_t tile, int64_t stride) {
  if (length <= tile) return {0};
  std::vector<int64_t> starts;
  for (int64_t s = 0; s < length; s += stride) {
    const int64_t start = s + tile > length ? length - tile : s;
    if (std::find(starts.begin(), starts.end(), start) == starts.end()) starts.push_back(start);
  }
  return starts;
}

namespace {

// 1-D weights: ramps of `overlap` samples at the ends flagged as interior.
at::Tensor ramp(int64_t n, int64_t overlap, bool ramp_start, bool ramp_end) {
  auto w = at::ones({n}, at::kFloat);
  const int64_t len = std::min(overlap, n / 2);
  if (len <= 0) return w;
  auto a = w.accessor<float, 1>();
  for (int64_t i = 0; i < len; ++i) {
    // 0.5 - 0.5 cos(pi (i + 0.5) / len): in (0, 1), and w(i) + w(len - 1 - i) = 1 across an overlap.
    const float v =
        static_cast<float>(0.5 - 0.5 * std::cos(M_PI * (static_cast<double>(i) + 0.5) / static_cast<double>(len)));
    if (ramp_start) a[i] = v;
    if (ramp_end) a[n - 1 - i] = v;
  }
  return w;
}

}  // namespace

at::Tensor blend_weights(Blend blend, int64_t y0, int64_t x0, int64_t h, int64_t w, int64_t height, int64_t width,
                         int64_t overlap) {
  if (blend == Blend::Uniform) return at::ones({h, w}, at::kFloat);
  auto wy = ramp(h, overlap, y0 > 0, y0 + h < height);
  auto wx = ramp(w, overlap, x0 > 0, x0 + w < width);
  return wy.unsqueeze(1) * wx.unsqueeze(0);
}

}  // namespace sinsr::sr
