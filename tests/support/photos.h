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

// p0.png .. p3.png (120..180 x 150) in `dir`: the small photo set of the end-to-end datagen/train tests.
void write_four_photos(const std::string& dir);

// A PNG whose valid header (IHDR with its CRC) claims `width` x `height` pixels but which holds no pixel data
// (an empty IDAT): what a hostile or damaged file looks like to a decoder that trusts the header.
void write_png_claiming(const std::string& path, uint32_t width, uint32_t height);

}  // namespace sinsr::test
