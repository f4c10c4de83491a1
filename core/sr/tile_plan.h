// How large the tiles of an image are (docs/method.md §6.3): from a memory budget, not a fixed size. The
// whole image when its peak memory fits the budget, otherwise the largest square tiles that fit, with an
// eighth of a tile of overlap for the blend. Plain arithmetic on sizes, so it is the same on every rank
// and every run: an image's result depends on its tile size only.
#pragma once
#include <c10/core/Device.h>

#include <cstdint>
#include <string>

namespace sinsr::sr {

// Peak memory of one image: fixed (weights, runtime) + per tile pixel (the networks' activations, which
// grow with the LQ pixels of a tile) + per image pixel (the whole image's input and blend accumulators).
struct TileMemoryModel {
  double fixed_bytes = 0;
  double bytes_per_tile_pixel = 0;
  double bytes_per_image_pixel = 0;
  double peak_bytes(int64_t tile_pixels, int64_t image_pixels) const {
    return fixed_bytes + bytes_per_tile_pixel * static_cast<double>(tile_pixels) +
           bytes_per_image_pixel * static_cast<double>(image_pixels);
  }
};

struct TilePlan {
  int64_t size = 0, stride = 0;  // LQ pixels; a size covering both sides means one tile
  bool fits = true;              // false: even the smallest tile exceeds the budget (it is used anyway)
};

// Tiles for an H x W LQ image. Tiles are multiples of `multiple` (smaller ones are padded up to it, so they
// cost as much); the whole image counts padded as well.
TilePlan plan_tiles(int64_t height, int64_t width, int64_t multiple, double budget_bytes, const TileMemoryModel& model);

// The default budget as a share of dist::total_memory_bytes(device): a quarter of what the process may use
// on the CPU (other jobs and the page cache share a node), half of a GPU's memory.
double default_budget_fraction(const c10::Device& device);

// "6G", "6GB", "512M", "1.5 GiB" (powers of 1024) or plain bytes -> bytes; UsageError naming `what` otherwise.
double parse_memory_size(const std::string& text, const std::string& what);

// "6.0 GB" style, for logs (powers of 1024, as parse_memory_size reads them).
std::string format_memory_size(double bytes);

}  // namespace sinsr::sr
