// Synthetic "photos" for data-pipeline tests: smooth gradients, edges and texture, written as real image
// files, so tests need no data outside the repository.
#pragma once
#include <opencv2/core/mat.hpp>

#include <cstdint>
#include <string>

namespace sinsr::test {

// An RGB uint8 image with structure at several scales; the same seed gives the same image.
cv::Mat synthetic_photo(int height, int width, uint64_t seed);
// Writes synthetic_photo(...) to `path` (format from the extension; OpenCV expects BGR, handled here).
void write_synthetic_photo(const std::string& path, int height, int width, uint64_t seed);

}  // namespace sinsr::test
