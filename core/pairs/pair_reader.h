// Training pairs from a datagen folder (DESIGN.md §4): the manifest maps a sample index to its shard and
// row, and a batch reads just those rows.
#pragma once
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/io/hdf5_file.h"

namespace sinsr::train {

struct TrainBatch {
  at::Tensor x_T, z_teacher, z_gt;  // float32 [B, C, h, w]
  at::Tensor lq;                    // float32 [B, 3, H, W] in [-1, 1]
  at::Tensor index;                 // int64 [B]
  at::Tensor gt;                    // float32 [B, 3, sf H, sf W] in [-1, 1]; only when asked for (validation)
};

class PairShards {
 public:
  // Reads DIR/manifest.json; throws UsageError naming the folder when it is not a finished data set.
  explicit PairShards(const std::string& dir);
  int64_t size() const { return num_samples_; }
  const std::string& content_sha256() const { return content_sha256_; }
  TrainBatch load(const std::vector<int64_t>& indices, bool with_gt = false);

 private:
  struct Shard {
    int64_t first, count;
    std::string path;
    std::unique_ptr<io::H5Reader> reader;  // opened on first use
  };
  std::string dir_, content_sha256_;
  int64_t num_samples_ = 0;
  std::vector<Shard> shards_;  // sorted by first index
  Shard& shard_of(int64_t index);
};

// The global batch of training step `step` (1-based): positions [(step-1) B, step B) of a stream of
// per-epoch permutations of [0, n), each keyed by (seed, epoch). A pure function of its arguments, so a
// resumed run draws exactly what the uninterrupted one would have.
std::vector<int64_t> global_batch(int64_t step, int64_t batch, int64_t n, uint64_t seed);

}  // namespace sinsr::train
