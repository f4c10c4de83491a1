// HR training photos (RealESRGANDataset's file list and GT preparation, docs/method.md §5.1-5.2).
#pragma once
#include <opencv2/core/mat.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "core/data/data_config.h"
#include "core/data/sample_rng.h"

namespace sinsr::data {

// The photo paths: every file below a folder whose extension is listed (recursive, sorted, so the order
// does not depend on the file system), or the lines of a text file (blank lines skipped; the last line
// needs no newline: the reference drops its last character, we do not). Relative paths in a list are
// taken relative to the list's folder. Throws UsageError for a missing source or an empty result.
std::vector<std::string> list_hr_images(const HrDataConfig& cfg);

// Reads a photo like the reference (cv2 IMREAD_COLOR: 8-bit, gray -> 3 channels, alpha dropped) as RGB
// float32 in [0, 1]. Throws std::runtime_error naming the file if it is missing, empty, truncated, not an
// image, or larger than `max_pixels` (read from a PNG or JPEG header before decoding; OpenCV's own limit
// of 2^30 pixels for the other formats).
cv::Mat read_hr_image(const std::string& path, int64_t max_pixels);
// read_hr_image, then area-downscaled so that the longer side is at most cfg.max_side (0: as read).
cv::Mat read_hr_image(const std::string& path, const HrDataConfig& cfg);

// The reference's GT preparation: horizontal flip with p = 0.5, then with rescale_gt a random square of
// side max(min(h, w), gt_size) (reflect-101 padding when a side is shorter) area-resized to gt_size;
// without, a random gt_size crop (padded likewise).
cv::Mat prepare_gt(const cv::Mat& image, const HrDataConfig& cfg, SampleRng& rng);

}  // namespace sinsr::data
