// Splitting an image into overlapping tiles and blending the super-resolved tiles back.
#pragma once
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

namespace sinsr::sr {

// Tile start offsets along an axis of `length` (the reference's ImageSpliterTh): [0] when the tile covers the
// axis; otherwise 0, stride, 2*stride, ... with any start that would overrun replaced by length - tile, and
// duplicates dropped.
std::vector<int64_t> tile_starts(int64_t length, int64_t tile, int64_t stride);

enum class Blend {
  Uniform,  // the reference: every covering tile counts equally; seams show where tiles disagree
  Smooth,   // raised-cosine ramps across each overlap, so a tile fades out where its neighbour fades in
};

// Weights [h, w] for a tile at (y0, x0) of size (h, w) in an image of (height, width). Smooth ramps cover
// `overlap` pixels on every tile edge that lies inside the image (never on the image border), and are
// strictly positive so every pixel keeps a non-zero total weight.
at::Tensor blend_weights(Blend blend, int64_t y0, int64_t x0, int64_t h, int64_t w, int64_t height, int64_t width,
                         int64_t overlap);

}  // namespace sinsr::sr
