#include "core/data/pair_loader.h"

#include <ATen/ATen.h>
#include <opencv2/core.hpp>

#include <algorithm>

#include "core/io/image_io.h"

namespace sinsr::data {

PairLoader::PairLoader(const PairSynthesizer& source, int64_t first, int64_t count, LoaderOptions options)
    : source_(source),
      first_(first),
      count_(count),
      options_(options),
      num_batches_(options.batch_size > 0 ? (count + options.batch_size - 1) / options.batch_size : 0) {
  if (options_.batch_size < 1 || options_.workers < 1 || options_.prefetch_batches < 1 || first < 0 || count < 0)
    throw std::invalid_argument("PairLoader: batch size, workers and prefetch must be >= 1, first and count >= 0");
  // One sample per thread: OpenCV's own thread pool would only oversubscribe the cores.
  cv::setNumThreads(1);
  for (int i = 0; i < options_.workers; ++i) workers_.emplace_back([this] { work(); });
}

PairLoader::~PairLoader() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  for (auto& t : workers_) t.join();
}

int64_t PairLoader::batch_length(int64_t batch) const {
  return std::min(options_.batch_size, count_ - batch * options_.batch_size);
}

void PairLoader::work() {
  for (;;) {
    int64_t sample = 0;
    Slot* slot = nullptr;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      // Claim the next sample once its batch is inside the prefetch window.
      changed_.wait(lock, [&] {
        return stopping_ || error_ || next_sample_ >= count_ ||
               next_sample_ / options_.batch_size < next_to_hand_ + options_.prefetch_batches;
      });
      if (stopping_ || error_ || next_sample_ >= count_) return;
      sample = next_sample_++;
      const int64_t b = sample / options_.batch_size;
      auto [it, created] = slots_.try_emplace(b);
      if (created) {
        const int64_t n = batch_length(b), g = source_.data_config().gt_size, l = source_.lr_size();
        it->second.batch.gt = at::empty({n, 3, g, g}, at::kByte);
        it->second.batch.lq = at::empty({n, 3, l, l}, at::kByte);
        it->second.batch.index = at::empty({n}, at::kLong);
      }
      slot = &it->second;  // std::map nodes stay put while other slots come and go
    }
    try {
      const Pair pair = source_.make(first_ + sample);
      const int64_t row = sample % options_.batch_size;
      slot->batch.gt[row].copy_(io::rgb_mat_view(pair.gt));
      slot->batch.lq[row].copy_(io::rgb_mat_view(pair.lq));
      slot->batch.index[row].fill_(pair.index);
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!error_) error_ = std::current_exception();
      changed_.notify_all();
      return;
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      ++slot->filled;
    }
    changed_.notify_all();
  }
}

std::optional<PairBatch> PairLoader::next() {
  std::unique_lock<std::mutex> lock(mutex_);
  if (next_to_hand_ >= num_batches_) return std::nullopt;
  changed_.wait(lock, [&] {
    if (error_) return true;
    auto it = slots_.find(next_to_hand_);
    return it != slots_.end() && it->second.filled == batch_length(next_to_hand_);
  });
  if (error_) std::rethrow_exception(error_);
  auto node = slots_.extract(next_to_hand_);
  ++next_to_hand_;
  lock.unlock();
  changed_.notify_all();
  return std::move(node.mapped().batch);
}

}  // namespace sinsr::data
