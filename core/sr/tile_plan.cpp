#include "core/sr/tile_plan.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>

#include "core/util/errors.h"

namespace sinsr::sr {

namespace {

int64_t round_up(int64_t n, int64_t multiple) { return (n + multiple - 1) / multiple * multiple; }

// Tiles needed along an axis of `length` when tiles of `tile` overlap by `overlap` (tile_starts' count).
int64_t tile_count(int64_t length, int64_t tile, int64_t overlap) {
  if (length <= tile) return 1;
  return (length - overlap + (tile - overlap) - 1) / (tile - overlap);
}

}  // namespace

TilePlan plan_tiles(int64_t height, int64_t width, int64_t multiple, double budget_bytes,
                    const TileMemoryModel& model) {
  const int64_t hp = round_up(height, multiple), wp = round_up(width, multiple), image = height * width;
  if (model.peak_bytes(hp * wp, image) <= budget_bytes) {
    const int64_t side = std::max(height, width);
    return {side, side, true};
  }
  // The largest square tile (a multiple of `multiple`) that fits; the smallest one when none does.
  int64_t largest = multiple;
  while (model.peak_bytes((largest + multiple) * (largest + multiple), image) <= budget_bytes) largest += multiple;
  const bool fits = model.peak_bytes(largest * largest, image) <= budget_bytes;
  // As few tiles per axis as the largest size allows, then the smallest size that still covers the image
  // with that many (rounded up to the multiple): no tile wasted on a sliver at the border.
  const int64_t overlap = largest / 8;
  int64_t tile = multiple;
  for (const int64_t length : {height, width}) {
    const int64_t n = tile_count(length, largest, overlap);
    tile = std::max(tile, round_up((length + (n - 1) * overlap + n - 1) / n, multiple));
  }
  tile = std::min(tile, largest);
  return {tile, tile - tile / 8, fits};
}

double default_budget_fraction(const c10::Device& device) { return device.is_cuda() ? 0.5 : 0.25; }

double parse_memory_size(const std::string& text, const std::string& what) {
  double value = 0;
  int used = 0;
  if (std::sscanf(text.c_str(), "%lf%n", &value, &used) != 1 || !(value > 0) || !std::isfinite(value))
    throw UsageError(what + " takes a memory size such as 6G, 512M or 1.5GiB, not '" + text + "'");
  std::string unit = text.substr(static_cast<size_t>(used));
  const auto space = [](unsigned char c) { return std::isspace(c) != 0; };
  unit.erase(unit.begin(), std::find_if_not(unit.begin(), unit.end(), space));
  unit.erase(std::find_if_not(unit.rbegin(), unit.rend(), space).base(), unit.end());
  std::transform(unit.begin(), unit.end(), unit.begin(), [](unsigned char c) { return std::toupper(c); });
  static const std::pair<const char*, double> kUnits[] = {{"", 1},
                                                          {"B", 1},
                                                          {"K", 1024.0},
                                                          {"KB", 1024.0},
                                                          {"KIB", 1024.0},
                                                          {"M", 1048576.0},
                                                          {"MB", 1048576.0},
                                                          {"MIB", 1048576.0},
                                                          {"G", 1073741824.0},
                                                          {"GB", 1073741824.0},
                                                          {"GIB", 1073741824.0},
                                                          {"T", 1099511627776.0},
                                                          {"TB", 1099511627776.0},
                                                          {"TIB", 1099511627776.0}};
  for (const auto& [name, scale] : kUnits)
    if (unit == name) return value * scale;
  throw UsageError(what + ": unknown unit '" + unit + "' in '" + text + "' (use K, M, G or T)");
}

std::string format_memory_size(double bytes) {
  char buf[32];
  if (bytes >= 1073741824.0)
    std::snprintf(buf, sizeof buf, "%.1f GB", bytes / 1073741824.0);
  else
    std::snprintf(buf, sizeof buf, "%.0f MB", bytes / 1048576.0);
  return buf;
}

}  // namespace sinsr::sr
