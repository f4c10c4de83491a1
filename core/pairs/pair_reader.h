// Reads pairs from a datagen folder (docs/architecture.md §4.6): the manifest maps a sample index to its shard and
// row, and a batch reads just those rows.
#pragma once
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/io/hdf5_file.h"

namespace sinsr::pairs {

struct PairRows {
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
  PairRows load(const std::vector<int64_t>& indices, bool with_gt = false);

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

}  // namespace sinsr::pairs
