#include "core/io/image_io.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <filesystem>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <stdexcept>

#include "core/util/atomic_file.h"

namespace sinsr::io {

namespace fs = std::filesystem;

LoadedImage read_image(const std::string& path) {
  if (!fs::is_regular_file(path)) throw std::runtime_error("cannot read image '" + path + "': no such file");
  if (fs::file_size(path) == 0) throw std::runtime_error("cannot read image '" + path + "': the file is empty");
  cv::Mat raw;
  try {
    raw = cv::imread(path, cv::IMREAD_UNCHANGED);
  } catch (const cv::Exception& e) {
    throw std::runtime_error("cannot read image '" + path + "': " + e.what());
  }
  if (raw.empty())
    throw std::runtime_error("cannot read image '" + path + "': not an image OpenCV can decode, or truncated");

  LoadedImage out;
  double scale;
  switch (raw.depth()) {
    case CV_8U: scale = 1.0 / 255.0; break;
    case CV_16U: scale = 1.0 / 65535.0; break;
    case CV_32F: scale = 1.0; break;
    default: throw std::runtime_error("cannot read image '" + path + "': unsupported pixel depth");
  }
  cv::Mat rgb;
  switch (raw.channels()) {
    case 1: cv::cvtColor(raw, rgb, cv::COLOR_GRAY2RGB); break;
    case 3: cv::cvtColor(raw, rgb, cv::COLOR_BGR2RGB); break;
    case 4:
      cv::cvtColor(raw, rgb, cv::COLOR_BGRA2RGB);
      out.warnings.push_back("alpha channel dropped");
      break;
    default:
      throw std::runtime_error("cannot read image '" + path + "': " + std::to_string(raw.channels()) + " channels");
  }
  cv::Mat f;
  rgb.convertTo(f, CV_32F, scale);
  // HWC (OpenCV) -> CHW; clone so the tensor owns its memory.
  out.rgb = at::from_blob(f.data, {f.rows, f.cols, 3}, at::kFloat).permute({2, 0, 1}).clone().clamp_(0, 1);
  return out;
}

at::Tensor to_uint8(const at::Tensor& rgb01) { return at::round(rgb01.clamp(0, 1) * 255.0).to(at::kByte); }

at::Tensor rgb_mat_view(const cv::Mat& rgb) {
  // HWC with OpenCV's row stride (a Mat may be a region of a larger one) -> a CHW view.
  return at::from_blob(rgb.data, {rgb.rows, rgb.cols, 3}, {static_cast<int64_t>(rgb.step[0]), 3, 1}, at::kByte)
      .permute({2, 0, 1});
}

cv::Mat to_rgb_mat(const at::Tensor& chw_u8) {
  const at::Tensor hwc = chw_u8.detach().cpu().permute({1, 2, 0}).contiguous();
  return cv::Mat(static_cast<int>(hwc.size(0)), static_cast<int>(hwc.size(1)), CV_8UC3, hwc.data_ptr<uint8_t>())
      .clone();
}

void write_image(const std::string& path, const at::Tensor& rgb01) {
  write_image_u8(path, to_rgb_mat(to_uint8(rgb01.detach().cpu())));
}

void write_image_u8(const std::string& path, const cv::Mat& rgb) {
  cv::Mat bgr;
  cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
  std::vector<uchar> bytes;
  const std::string ext = fs::path(path).extension().string();
  std::vector<int> params;
  if (ext == ".jpg" || ext == ".jpeg") params = {cv::IMWRITE_JPEG_QUALITY, 95};
  if (!cv::imencode(ext, bgr, bytes, params)) throw std::runtime_error("cannot encode image '" + path + "' as " + ext);
  write_file_atomically(path, bytes.data(), bytes.size());
}

bool has_image_extension(const std::string& path) {
  std::string ext = fs::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), ::tolower);
  for (const char* e : {".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff"})
    if (ext == e) return true;
  return false;
}

std::vector<std::string> list_images(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.is_regular_file() && has_image_extension(entry.path().string())) out.push_back(entry.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace sinsr::io
