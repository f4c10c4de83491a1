// Sample i of a training-pair stream: which photo, its GT crop and its degraded LR, all a pure function of
// (seed, i) (docs/architecture.md §6). Thread-safe; many loader threads call make() at once.
#pragma once
#include <opencv2/core/mat.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <unordered_set>
#include <vector>

#include "core/data/degradation.h"
#include "core/data/hr_dataset.h"

namespace sinsr {
class Config;
}

namespace sinsr::data {

struct Pair {
  int64_t index = 0;
  size_t image = 0;  // the photo it came from (after any replacement)
  cv::Mat gt;        // RGB uint8 (CV_8UC3), gt_size^2, rounded half to even
  cv::Mat lq;        // RGB uint8, (gt_size / sf)^2
  DegradationTrace trace;
};

class PairSynthesizer {
 public:
  using Log = std::function<void(const std::string&)>;

  PairSynthesizer(std::vector<std::string> paths, HrDataConfig data, DegradationConfig degradation, uint64_t seed,
                  Log log = nullptr);
  // [data] and [degradation] of the config; lists the photos (UsageError when there are none).
  static PairSynthesizer from_config(const Config& cfg, Log log = nullptr);

  // Sample `index`: photo perm_epoch[index % N] of a per-epoch permutation (epoch = index / N). A photo that
  // cannot be read (or whose degradation is not finite) is logged once and replaced by another drawn from
  // (seed, index, attempt); after a few misses the photos are scanned in order from a drawn start.
  // Throws std::runtime_error when no photo at all can be read.
  Pair make(int64_t index) const;

  size_t size() const { return paths_.size(); }
  const std::string& path(size_t image) const { return paths_[image]; }
  const HrDataConfig& data_config() const { return data_; }
  const DegradationConfig& degradation_config() const { return degradation_; }
  int lr_size() const { return data_.gt_size / degradation_.sf; }

 private:
  std::vector<std::string> paths_;
  HrDataConfig data_;
  DegradationConfig degradation_;
  uint64_t seed_;
  Log log_;

  mutable std::mutex mutex_;
  mutable std::map<int64_t, std::vector<uint32_t>> permutations_;  // the two most recent epochs
  mutable std::unordered_set<size_t> bad_images_;
  mutable std::map<size_t, cv::Mat> cache_;  // data.cache_images: decoded photos (never modified once in)

  size_t image_for(int64_t index) const;
  bool known_bad(size_t image) const;
  void mark_bad(size_t image, const std::string& why) const;
  bool try_make(int64_t index, size_t image, Pair& pair) const;
  // The decoded (and downscaled) photo; from the cache with data.cache_images.
  cv::Mat photo(size_t image) const;
};

}  // namespace sinsr::data
