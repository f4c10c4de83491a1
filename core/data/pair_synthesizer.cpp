#include "core/data/pair_synthesizer.h"

#include <iostream>
#include <stdexcept>

#include "core/data/image_ops.h"
#include "core/util/error_text.h"
#include "core/util/errors.h"
#include "core/util/seed.h"

namespace sinsr::data {

namespace {

constexpr int kRandomAttempts = 8;  // replacement draws before the in-order scan

}  // namespace

PairSynthesizer::PairSynthesizer(std::vector<std::string> paths, HrDataConfig data, DegradationConfig degradation,
                                 uint64_t seed, Log log)
    : paths_(std::move(paths)), data_(std::move(data)), degradation_(degradation), seed_(seed), log_(std::move(log)) {
  if (paths_.empty()) throw UsageError("no HR photos to degrade");
  if (paths_.size() > UINT32_MAX) throw UsageError("more than 2^32 HR photos are not supported");
  if (data_.gt_size % degradation_.sf)
    throw UsageError("data.gt_size (" + std::to_string(data_.gt_size) + ") must be a multiple of degradation.sf (" +
                     std::to_string(degradation_.sf) + ")");
  if (!log_) log_ = [](const std::string& line) { std::cerr << line << "\n"; };
}

PairSynthesizer PairSynthesizer::from_config(const Config& cfg, Log log) {
  HrDataConfig data = HrDataConfig::from_config(cfg);
  std::vector<std::string> paths = list_hr_images(data);
  const auto seed = static_cast<uint64_t>(data.seed);
  return PairSynthesizer(std::move(paths), std::move(data), DegradationConfig::from_config(cfg), seed, std::move(log));
}

size_t PairSynthesizer::image_for(int64_t index) const {
  const auto n = static_cast<int64_t>(paths_.size());
  const int64_t epoch = index / n;
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = permutations_.find(epoch);
  if (it == permutations_.end()) {
    SampleRng rng(derive_seed(seed_, "epoch", static_cast<uint64_t>(epoch)));
    std::vector<uint32_t> perm = shuffled_indices(paths_.size(), rng);
    if (permutations_.size() >= 2) permutations_.erase(permutations_.begin());
    it = permutations_.emplace(epoch, std::move(perm)).first;
  }
  return it->second[static_cast<size_t>(index % n)];
}

bool PairSynthesizer::known_bad(size_t image) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return bad_images_.count(image) > 0;
}

void PairSynthesizer::mark_bad(size_t image, const std::string& why) const {
  bool first = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    first = bad_images_.insert(image).second;
  }
  if (first) log_("warning: skipping HR photo " + why + "; samples that draw it use another photo");
}

cv::Mat PairSynthesizer::photo(size_t image) const {
  if (!data_.cache_images) return read_hr_image(paths_[image], data_);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (auto it = cache_.find(image); it != cache_.end()) return it->second;
  }
  cv::Mat decoded = read_hr_image(paths_[image], data_);  // outside the lock: decoding is slow
  std::lock_guard<std::mutex> lock(mutex_);
  return cache_.emplace(image, decoded).first->second;
}

bool PairSynthesizer::try_make(int64_t index, size_t image, Pair& pair) const {
  if (known_bad(image)) return false;
  // The sample's randomness does not depend on which attempt succeeds: every attempt starts afresh.
  SampleRng rng(derive_seed(seed_, "sample", static_cast<uint64_t>(index)));
  try {
    cv::Mat gt = prepare_gt(photo(image), data_, rng);
    if (degradation_.use_sharp) gt = usm_sharpen(gt);
    pair.lq = degrade(gt, degradation_, rng, &pair.trace);
    pair.gt = quantize_to_u8(gt);
  } catch (const std::domain_error&) {
    mark_bad(image, paths_[image] + ": its degradation produced non-finite values");
    return false;
  } catch (const std::runtime_error& e) {  // names the file (read_hr_image)
    mark_bad(image, e.what());
    return false;
  } catch (const std::exception& e) {  // OpenCV or an allocation while preparing or degrading it
    mark_bad(image, paths_[image] + ": " + error_text(e));
    return false;
  }
  pair.index = index;
  pair.image = image;
  return true;
}

Pair PairSynthesizer::make(int64_t index) const {
  if (index < 0) throw std::invalid_argument("sample index must be >= 0");
  Pair pair;
  if (try_make(index, image_for(index), pair)) return pair;
  for (int attempt = 1; attempt <= kRandomAttempts; ++attempt) {
    SampleRng rng(derive_seed(seed_, "replace", std::to_string(index) + "/" + std::to_string(attempt)));
    if (try_make(index, static_cast<size_t>(rng.randint(0, static_cast<int64_t>(paths_.size()) - 1)), pair))
      return pair;
  }
  SampleRng rng(derive_seed(seed_, "replace-scan", static_cast<uint64_t>(index)));
  const auto start = static_cast<size_t>(rng.randint(0, static_cast<int64_t>(paths_.size()) - 1));
  for (size_t k = 0; k < paths_.size(); ++k)
    if (try_make(index, (start + k) % paths_.size(), pair)) return pair;
  throw std::runtime_error("none of the " + std::to_string(paths_.size()) +
                           " HR photos could be read (first: " + paths_.front() + "); check data.hr");
}

}  // namespace sinsr::data
