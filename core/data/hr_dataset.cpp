#include "core/data/hr_dataset.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <utility>

#include "core/util/errors.h"

namespace fs = std::filesystem;

namespace sinsr::data {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool listed_extension(const fs::path& p, const std::vector<std::string>& extensions) {
  std::string ext = p.extension().string();
  if (ext.empty()) return false;
  ext = lower(ext.substr(1));
  return std::find(extensions.begin(), extensions.end(), ext) != extensions.end();
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

// libjpeg decodes a truncated JPEG without an error (it fills the rest with gray), so check for the
// end-of-image marker FF D9 near the end (a few trailing bytes after it are common and harmless).
bool is_truncated_jpeg(const std::vector<uint8_t>& bytes) {
  if (bytes.size() < 4 || bytes[0] != 0xFF || bytes[1] != 0xD8) return false;  // not a JPEG
  const size_t last = bytes.size() - 2, first = last > 1024 ? last - 1024 : 2;
  for (size_t i = first; i <= last; ++i)
    if (bytes[i] == 0xFF && bytes[i + 1] == 0xD9) return false;
  return true;
}

// Width and height from a PNG (IHDR) or baseline/progressive JPEG (SOFn) header; nullopt for other formats
// or a header too short to say. Lets a 100000 x 100000 claim be refused without allocating for it.
std::optional<std::pair<int64_t, int64_t>> header_size(const std::vector<uint8_t>& b) {
  const auto be16 = [&](size_t i) { return (int64_t{b[i]} << 8) | b[i + 1]; };
  const auto be32 = [&](size_t i) { return (be16(i) << 16) | be16(i + 2); };
  static const uint8_t kPng[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  if (b.size() >= 24 && std::equal(kPng, kPng + 8, b.begin())) return std::make_pair(be32(16), be32(20));
  if (b.size() < 4 || b[0] != 0xFF || b[1] != 0xD8) return std::nullopt;
  for (size_t i = 2; i + 9 < b.size();) {
    if (b[i] != 0xFF) return std::nullopt;
    const uint8_t marker = b[i + 1];
    const bool sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    if (sof) return std::make_pair(be16(i + 7), be16(i + 5));
    i += 2 + static_cast<size_t>(be16(i + 2));
  }
  return std::nullopt;
}

}  // namespace

std::vector<std::string> list_hr_images(const HrDataConfig& cfg) {
  if (cfg.source.empty()) throw UsageError("no HR photos given: set data.hr to a folder or a list file");
  std::error_code ec;
  std::vector<std::string> paths;
  if (fs::is_directory(cfg.source, ec)) {
    for (auto it = fs::recursive_directory_iterator(cfg.source, fs::directory_options::follow_directory_symlink, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
      if (it->is_regular_file(ec) && listed_extension(it->path(), cfg.extensions)) paths.push_back(it->path().string());
    if (ec) throw UsageError(cfg.source + ": cannot list the folder (" + ec.message() + ")");
    std::sort(paths.begin(), paths.end());
    if (paths.empty())
      throw UsageError(cfg.source + ": no images with the extensions of data.extensions below this folder");
    return paths;
  }
  std::ifstream list(cfg.source);
  if (!list) throw UsageError(cfg.source + ": no such folder or list file (data.hr)");
  const fs::path base = fs::path(cfg.source).parent_path();
  std::string line;
  while (std::getline(list, line)) {  // getline keeps a last line without its newline whole
    line = trim(line);
    if (line.empty()) continue;
    const fs::path p(line);
    paths.push_back(p.is_absolute() ? p.string() : (base / p).string());
  }
  if (paths.empty()) throw UsageError(cfg.source + ": the list file names no images");
  return paths;
}

cv::Mat read_hr_image(const std::string& path, int64_t max_pixels) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot open the file");
  const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw std::runtime_error(path + ": read error");
  if (bytes.empty()) throw std::runtime_error(path + ": empty file");
  if (is_truncated_jpeg(bytes)) throw std::runtime_error(path + ": truncated JPEG (no end-of-image marker)");
  if (const auto size = header_size(bytes); size && size->first * size->second > max_pixels)
    throw std::runtime_error(path + ": " + std::to_string(size->first) + " x " + std::to_string(size->second) +
                             " pixels, more than data.max_pixels (" + std::to_string(max_pixels) + ")");
  cv::Mat rgb;
  try {
    const cv::Mat bgr = cv::imdecode(bytes, cv::IMREAD_COLOR);
    if (bgr.empty())
      throw std::runtime_error(path + ": not a readable image (corrupt, truncated or unsupported format)");
    cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
    rgb.convertTo(rgb, CV_32FC3, 1.0 / 255.0);
  } catch (const cv::Exception& e) {  // OpenCV's size limit, a failed allocation in the decoder, ...
    throw std::runtime_error(path + ": cannot decode (" + e.err + ")");
  }
  return rgb;
}

cv::Mat prepare_gt(const cv::Mat& image, const HrDataConfig& cfg, SampleRng& rng) {
  cv::Mat img = image;  // never written: `image` may be a cached photo shared by threads
  if (cfg.use_hflip && rng.uniform() < 0.5) {
    cv::Mat flipped;
    cv::flip(image, flipped, 1);
    img = flipped;
  }
  int h = img.rows, w = img.cols;
  const int gt_size = static_cast<int>(cfg.gt_size);
  const int crop = cfg.rescale_gt ? std::max(std::min(h, w), gt_size) : gt_size;
  // Pad bottom/right by reflection, at most the current size at a time (the reference's loop).
  while (h < crop || w < crop) {
    const int pad_h = std::min(std::max(0, crop - h), h), pad_w = std::min(std::max(0, crop - w), w);
    cv::copyMakeBorder(img, img, 0, pad_h, 0, pad_w, cv::BORDER_REFLECT_101);
    h = img.rows, w = img.cols;
  }
  if (h > crop || w > crop) {
    const int top = static_cast<int>(rng.randint(0, h - crop));
    const int left = static_cast<int>(rng.randint(0, w - crop));
    img = img(cv::Rect(left, top, crop, crop));
  }
  if (crop != gt_size) {
    cv::Mat resized;
    cv::resize(img, resized, cv::Size(gt_size, gt_size), 0, 0, cv::INTER_AREA);
    return resized;
  }
  return img.clone();
}

cv::Mat read_hr_image(const std::string& path, const HrDataConfig& cfg) {
  cv::Mat image = read_hr_image(path, cfg.max_pixels);
  const int64_t longer = std::max(image.rows, image.cols), max_side = cfg.max_side;
  if (max_side <= 0 || longer <= max_side) return image;
  const double f = static_cast<double>(max_side) / static_cast<double>(longer);
  cv::Mat small;
  cv::resize(image, small,
             cv::Size(std::max(1, static_cast<int>(std::lround(image.cols * f))),
                      std::max(1, static_cast<int>(std::lround(image.rows * f)))),
             0, 0, cv::INTER_AREA);
  return small;
}

}  // namespace sinsr::data
