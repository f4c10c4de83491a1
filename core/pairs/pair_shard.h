// Pair shard files, schema sinsr-pairs/1 (docs/architecture.md §4): one HDF5 file per run of consecutive sample
// indices, written under a temporary name and renamed when complete.
#pragma once
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/io/hdf5_file.h"
#include "core/pairs/shard_names.h"

namespace sinsr::pairs {

// What identifies the data set a shard belongs to: a resumed run only keeps shards whose identity matches.
struct ShardIdentity {
  std::string schema, content_sha256;
  int64_t first_index = -1, count = -1;
};
// Reads a shard's identity attributes; throws std::runtime_error when it cannot.
ShardIdentity read_shard_identity(const std::string& path);

struct ShardAttributes {
  std::string teacher_sha256, autoencoder_sha256;
  std::string config;          // the INI text that made it
  std::string content_sha256;  // hash of everything the samples depend on (datagen/datagen_plan.h)
  int64_t seed = 0;
  std::string generator;  // "sinsr <version>"
};

// Shapes of one sample: gt [3, H, W], lq [3, H/sf, W/sf], latents [C, h, w].
struct SampleShapes {
  std::vector<int64_t> gt, lq, latent;
};

// Writes one shard row by row into its temporary file; commit() closes, fsyncs and renames it.
class ShardWriter {
 public:
  ShardWriter(const std::string& dir, ShardRange range, const SampleShapes& shapes, const ShardAttributes& attrs);
  ~ShardWriter();  // an uncommitted shard's temporary file is removed
  // Rows [row, row + n) of every dataset: index int64 [n], gt/lq uint8, latents float32.
  void write(int64_t row, const at::Tensor& index, const at::Tensor& gt, const at::Tensor& lq, const at::Tensor& x_T,
             const at::Tensor& z_teacher, const at::Tensor& z_y, const at::Tensor& z_gt);
  // Returns the final path.
  std::string commit();

 private:
  std::string temp_, final_;
  std::unique_ptr<io::H5Writer> h5_;
  bool committed_ = false;
};

}  // namespace sinsr::pairs
