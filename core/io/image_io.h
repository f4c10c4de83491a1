// Image files through OpenCV, as RGB float tensors in [0, 1].
#pragma once
#include <ATen/core/Tensor.h>
#include <opencv2/core/mat.hpp>

#include <string>
#include <vector>

namespace sinsr::io {

struct LoadedImage {
  at::Tensor rgb;                     // float32 [3, H, W] in [0, 1]
  std::vector<std::string> warnings;  // e.g. an alpha channel that was dropped
};

// Whatever OpenCV decodes (PNG, JPEG, BMP, WebP, TIFF; decided by content, not extension), 8 or 16 bit,
// gray (replicated to 3 channels) or with alpha (dropped, with a warning). Throws std::runtime_error
// naming the file when it is missing, empty, truncated or not an image.
LoadedImage read_image(const std::string& path);

// Writes [3, H, W] RGB in [0, 1] as 8-bit (round half to even, like numpy's round in the reference), in the
// format of the path's extension (.png, .jpg, ...), atomically (temporary file + rename).
void write_image(const std::string& path, const at::Tensor& rgb01);

// The same for an RGB uint8 image (CV_8UC3, H x W).
void write_image_u8(const std::string& path, const cv::Mat& rgb);

// The one conversion between OpenCV's RGB uint8 images (CV_8UC3, H x W) and tensors (uint8 [3, H, W]).
// rgb_mat_view copies nothing: the view is valid while the Mat lives (clone() it to keep it, or copy_() it into a
// batch). to_rgb_mat copies.
at::Tensor rgb_mat_view(const cv::Mat& rgb);
cv::Mat to_rgb_mat(const at::Tensor& chw_u8);

// [3, H, W] float in [0, 1] -> uint8 with round-half-to-even.
at::Tensor to_uint8(const at::Tensor& rgb01);

// Files in `dir` (not recursive) with an image extension (png, jpg, jpeg, bmp, webp, tif, tiff; any case),
// sorted by name.
std::vector<std::string> list_images(const std::string& dir);
bool has_image_extension(const std::string& path);

}  // namespace sinsr::io
