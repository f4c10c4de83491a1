#include "core/data/diff_jpeg.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>
#include <vector>

namespace sinsr::data {

namespace {

using Block = std::array<float, 64>;  // [row][col]

// The standard JPEG tables, transposed as basicsr stores them (y_table = table.T): entry [u][v] of the
// quantiser for DCT coefficient (u, v) is the standard table's [v][u].
constexpr float kLumaStandard[8][8] = {{16, 11, 10, 16, 24, 40, 51, 61},     {12, 12, 14, 19, 26, 58, 60, 55},
                                       {14, 13, 16, 24, 40, 57, 69, 56},     {14, 17, 22, 29, 51, 87, 80, 62},
                                       {18, 22, 37, 56, 68, 109, 103, 77},   {24, 35, 55, 64, 81, 104, 113, 92},
                                       {49, 64, 78, 87, 103, 121, 120, 101}, {72, 92, 95, 98, 112, 100, 103, 99}};
constexpr float kChromaCorner[4][4] = {{17, 18, 24, 47}, {18, 21, 26, 66}, {24, 26, 56, 99}, {47, 66, 99, 99}};

struct Tables {
  Block luma, chroma;
  // cosines[u][x] = cos((2x + 1) u pi / 16); scale[u][v] = alpha_u alpha_v / 4 (forward DCT);
  // alpha[u][v] = alpha_u alpha_v (inverse DCT).
  float cosines[8][8];
  Block dct_scale, idct_alpha;
};

const Tables& tables() {
  static const Tables t = [] {
    Tables t{};
    for (int u = 0; u < 8; ++u)
      for (int v = 0; v < 8; ++v) {
        t.luma[u * 8 + v] = kLumaStandard[v][u];
        t.chroma[u * 8 + v] = (u < 4 && v < 4) ? kChromaCorner[v][u] : 99.f;
      }
    for (int u = 0; u < 8; ++u)
      for (int x = 0; x < 8; ++x) t.cosines[u][x] = static_cast<float>(std::cos((2 * x + 1) * u * M_PI / 16));
    for (int u = 0; u < 8; ++u)
      for (int v = 0; v < 8; ++v) {
        const double a = (u == 0 ? 1 / std::sqrt(2.0) : 1.0) * (v == 0 ? 1 / std::sqrt(2.0) : 1.0);
        t.dct_scale[u * 8 + v] = static_cast<float>(a * 0.25);
        t.idct_alpha[u * 8 + v] = static_cast<float>(a);
      }
    return t;
  }();
  return t;
}

// One 8x8 block through DCT -> quantise (round half to even) -> dequantise -> inverse DCT, in place.
// Separable: the reference's tensordot with the 8x8x8x8 cosine product computes the same sums.
void compress_block(Block& b, const Block& table, float factor) {
  const Tables& t = tables();
  Block tmp{}, coef{};
  for (int x = 0; x < 8; ++x)  // rows: tmp[x][v] = sum_y (b[x][y] - 128) cos_v(y)
    for (int v = 0; v < 8; ++v) {
      float s = 0;
      for (int y = 0; y < 8; ++y) s += (b[x * 8 + y] - 128.f) * t.cosines[v][y];
      tmp[x * 8 + v] = s;
    }
  for (int u = 0; u < 8; ++u)
    for (int v = 0; v < 8; ++v) {
      float s = 0;
      for (int x = 0; x < 8; ++x) s += tmp[x * 8 + v] * t.cosines[u][x];
      const float q = table[u * 8 + v] * factor;
      const float quantised = std::nearbyint(t.dct_scale[u * 8 + v] * s / q);
      coef[u * 8 + v] = quantised * q * t.idct_alpha[u * 8 + v];
    }
  for (int u = 0; u < 8; ++u)  // tmp[u][y] = sum_v coef[u][v] cos_v(y)
    for (int y = 0; y < 8; ++y) {
      float s = 0;
      for (int v = 0; v < 8; ++v) s += coef[u * 8 + v] * t.cosines[v][y];
      tmp[u * 8 + y] = s;
    }
  for (int x = 0; x < 8; ++x)
    for (int y = 0; y < 8; ++y) {
      float s = 0;
      for (int u = 0; u < 8; ++u) s += tmp[u * 8 + y] * t.cosines[u][x];
      b[x * 8 + y] = 0.25f * s + 128.f;
    }
}

// Compresses a plane (rows x cols, both multiples of 8) block by block.
void compress_plane(std::vector<float>& plane, int rows, int cols, const Block& table, float factor) {
  Block b;
  for (int by = 0; by < rows; by += 8)
    for (int bx = 0; bx < cols; bx += 8) {
      for (int r = 0; r < 8; ++r) std::copy_n(&plane[static_cast<size_t>(by + r) * cols + bx], 8, &b[r * 8]);
      compress_block(b, table, factor);
      for (int r = 0; r < 8; ++r) std::copy_n(&b[r * 8], 8, &plane[static_cast<size_t>(by + r) * cols + bx]);
    }
}

}  // namespace

float jpeg_quality_to_factor(float quality) {
  return (quality < 50.f ? 5000.f / quality : 200.f - quality * 2.f) / 100.f;
}

cv::Mat diff_jpeg(const cv::Mat& image, double quality) {
  if (image.type() != CV_32FC3 || image.empty()) throw std::invalid_argument("diff_jpeg: expected a CV_32FC3 image");
  // At 100 the reference's quantiser factor is 0 and it divides by zero.
  if (!(quality > 0 && quality < 100)) throw std::invalid_argument("diff_jpeg: quality must be in (0, 100)");
  const float factor = jpeg_quality_to_factor(static_cast<float>(quality));
  const int h = image.rows, w = image.cols;
  const int ph = (h + 15) / 16 * 16, pw = (w + 15) / 16 * 16;  // zero padding to whole 16x16 macroblocks
  const int ch = ph / 2, cw = pw / 2;

  // RGB (x 255) -> YCbCr, full range; padded pixels are black.
  std::vector<float> y(static_cast<size_t>(ph) * pw, 0.f), cb_full(y.size(), 128.f), cr_full(y.size(), 128.f);
  for (int r = 0; r < h; ++r) {
    const float* src = image.ptr<float>(r);
    for (int c = 0; c < w; ++c) {
      const float R = src[3 * c] * 255.f, G = src[3 * c + 1] * 255.f, B = src[3 * c + 2] * 255.f;
      const size_t i = static_cast<size_t>(r) * pw + c;
      y[i] = 0.299f * R + 0.587f * G + 0.114f * B;
      cb_full[i] = -0.168736f * R - 0.331264f * G + 0.5f * B + 128.f;
      cr_full[i] = 0.5f * R - 0.418688f * G - 0.081312f * B + 128.f;
    }
  }
  // Chroma: 2x2 average pooling.
  std::vector<float> cb(static_cast<size_t>(ch) * cw), cr(cb.size());
  for (int r = 0; r < ch; ++r)
    for (int c = 0; c < cw; ++c) {
      const size_t a = static_cast<size_t>(2 * r) * pw + 2 * c, b = a + pw;
      cb[static_cast<size_t>(r) * cw + c] = (cb_full[a] + cb_full[a + 1] + cb_full[b] + cb_full[b + 1]) / 4.f;
      cr[static_cast<size_t>(r) * cw + c] = (cr_full[a] + cr_full[a + 1] + cr_full[b] + cr_full[b + 1]) / 4.f;
    }

  const Tables& t = tables();
  compress_plane(y, ph, pw, t.luma, factor);
  compress_plane(cb, ch, cw, t.chroma, factor);
  compress_plane(cr, ch, cw, t.chroma, factor);

  // Nearest 2x chroma upsampling, YCbCr -> RGB, clamp to [0, 255], / 255, crop the padding.
  cv::Mat out(h, w, CV_32FC3);
  for (int r = 0; r < h; ++r) {
    float* dst = out.ptr<float>(r);
    for (int c = 0; c < w; ++c) {
      const float Y = y[static_cast<size_t>(r) * pw + c];
      const size_t ci = static_cast<size_t>(r / 2) * cw + c / 2;
      const float Cb = cb[ci] - 128.f, Cr = cr[ci] - 128.f;
      const float rgb[3] = {Y + 1.402f * Cr, Y - 0.344136f * Cb - 0.714136f * Cr, Y + 1.772f * Cb};
      for (int k = 0; k < 3; ++k) dst[3 * c + k] = std::min(std::max(rgb[k], 0.f), 255.f) / 255.f;
    }
  }
  return out;
}

}  // namespace sinsr::data
