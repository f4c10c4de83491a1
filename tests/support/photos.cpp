#include "tests/support/photos.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
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

}  // namespace sinsr::test
