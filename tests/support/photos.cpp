#include "tests/support/photos.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <fstream>
#include <random>
#include <stdexcept>

namespace sinsr::test {

cv::Mat synthetic_photo(int height, int width, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> u8(0, 255);
  cv::Mat img(height, width, CV_8UC3);
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x)
      img.at<cv::Vec3b>(y, x) = cv::Vec3b(static_cast<uint8_t>(255 * x / std::max(width - 1, 1)),
                                          static_cast<uint8_t>(255 * y / std::max(height - 1, 1)), 128);
  for (int i = 0; i < 12; ++i) {  // edges
    const cv::Point a(static_cast<int>(rng() % width), static_cast<int>(rng() % height));
    const cv::Point b(static_cast<int>(rng() % width), static_cast<int>(rng() % height));
    cv::rectangle(img, a, b, cv::Scalar(u8(rng), u8(rng), u8(rng)), i % 3 == 0 ? -1 : 2);
  }
  for (int y = 0; y < height; ++y)  // texture
    for (int x = 0; x < width; ++x)
      for (int c = 0; c < 3; ++c) {
        uint8_t& v = img.at<cv::Vec3b>(y, x)[c];
        v = static_cast<uint8_t>(std::min(255, v + static_cast<int>(rng() % 40)));
      }
  return img;
}

void write_synthetic_photo(const std::string& path, int height, int width, uint64_t seed) {
  cv::Mat bgr;
  cv::cvtColor(synthetic_photo(height, width, seed), bgr, cv::COLOR_RGB2BGR);
  if (!cv::imwrite(path, bgr)) throw std::runtime_error("cannot write test photo " + path);
}

void write_four_photos(const std::string& dir) {
  for (int i = 0; i < 4; ++i) write_synthetic_photo(dir + "/p" + std::to_string(i) + ".png", 120 + 20 * i, 150, i);
}

void write_png_claiming(const std::string& path, uint32_t width, uint32_t height) {
  auto crc32 = [](const std::string& bytes) {  // the PNG/zlib CRC-32, bitwise
    uint32_t c = 0xFFFFFFFFu;
    for (unsigned char b : bytes) {
      c ^= b;
      for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
    }
    return c ^ 0xFFFFFFFFu;
  };
  auto be32 = [](uint32_t v) { return std::string{char(v >> 24), char(v >> 16), char(v >> 8), char(v)}; };
  const std::string ihdr = "IHDR" + be32(width) + be32(height) + std::string{8, 2, 0, 0, 0};  // 8-bit RGB
  const std::string idat = "IDAT" + std::string("\x78\x9c\x03\x00\x00\x00\x00\x01", 8);       // an empty zlib stream
  std::ofstream out(path, std::ios::binary);
  out << "\x89PNG\r\n\x1a\n"
      << be32(13) << ihdr << be32(crc32(ihdr)) << be32(8) << idat << be32(crc32(idat)) << be32(0) << "IEND"
      << be32(crc32("IEND"));
  if (!out) throw std::runtime_error("cannot write " + path);
}

}  // namespace sinsr::test
