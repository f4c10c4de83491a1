// A prefetching loader of training pairs: N worker threads synthesise samples [first, first + count) into
// a bounded window of batches; next() hands the batches out in index order. Batch contents depend only on
// (seed, index), not on the number of workers or on timing.
#pragma once
#include <ATen/core/Tensor.h>

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "core/data/pair_synthesizer.h"

namespace sinsr::data {

struct PairBatch {
  at::Tensor gt;     // uint8 [B, 3, gt_size, gt_size], RGB
  at::Tensor lq;     // uint8 [B, 3, gt_size / sf, gt_size / sf], RGB
  at::Tensor index;  // int64 [B]
};

struct LoaderOptions {
  int64_t batch_size = 1;
  int workers = 1;           // threads that synthesise samples
  int prefetch_batches = 4;  // batches kept ready or in progress (memory bound)
};

class PairLoader {
 public:
  PairLoader(const PairSynthesizer& source, int64_t first, int64_t count, LoaderOptions options);
  ~PairLoader();
  PairLoader(const PairLoader&) = delete;
  PairLoader& operator=(const PairLoader&) = delete;

  // The next batch (the last may be smaller), or nullopt when all are out. Rethrows a worker's error.
  std::optional<PairBatch> next();
  int64_t batches() const { return num_batches_; }

 private:
  struct Slot {
    PairBatch batch;
    int64_t filled = 0;
  };

  const PairSynthesizer& source_;
  const int64_t first_, count_;
  const LoaderOptions options_;
  const int64_t num_batches_;

  std::mutex mutex_;
  std::condition_variable changed_;
  int64_t next_sample_ = 0;   // next sample (relative to first_) a worker will claim
  int64_t next_to_hand_ = 0;  // the batch next() returns next
  std::map<int64_t, Slot> slots_;
  std::exception_ptr error_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;

  int64_t batch_length(int64_t batch) const;
  void work();
};

}  // namespace sinsr::data
