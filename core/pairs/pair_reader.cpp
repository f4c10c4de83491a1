#include "core/pairs/pair_reader.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <filesystem>

#include "core/pairs/manifest.h"
#include "core/pairs/shard_names.h"
#include "core/util/errors.h"

namespace fs = std::filesystem;

namespace sinsr::pairs {

PairShards::PairShards(const std::string& dir) : dir_(dir) {
  if (!fs::exists(manifest_path(dir)))
    throw UsageError(dir + ": no " + kManifestName + "; make the data with sinsr datagen (and let it finish) first");
  const Manifest m = read_manifest(dir);
  if (m.schema != kSchema) throw UsageError(manifest_path(dir) + ": not a " + kSchema + " data set");
  num_samples_ = m.num_samples;
  content_sha256_ = m.content_sha256;
  // Missing or truncated shards are found here, cheaply (a stat each); damage inside a shard when its samples
  // are read (Fletcher32). Hashing every shard is datagen-verify's job: too slow for every start.
  for (const ManifestShard& s : m.shards) {
    const std::string path = (fs::path(dir) / s.file).string();
    std::error_code ec;
    const auto size = fs::file_size(path, ec);
    if (ec)
      throw IntegrityError(path + ": listed in the manifest but missing; run sinsr datagen-verify " + dir +
                           " --repair");
    if (static_cast<int64_t>(size) != s.bytes)
      throw IntegrityError(path + ": " + std::to_string(size) + " bytes, the manifest says " + std::to_string(s.bytes) +
                           " (truncated or replaced); run sinsr datagen-verify " + dir + " --repair");
    shards_.push_back({s.first_index, s.count, path, nullptr});
  }
  std::sort(shards_.begin(), shards_.end(), [](const Shard& a, const Shard& b) { return a.first < b.first; });
}

PairShards::Shard& PairShards::shard_of(int64_t index) {
  auto it =
      std::upper_bound(shards_.begin(), shards_.end(), index, [](int64_t i, const Shard& s) { return i < s.first; });
  if (it == shards_.begin() || index >= std::prev(it)->first + std::prev(it)->count)
    throw IntegrityError(dir_ + ": no shard holds sample " + std::to_string(index) + "; run sinsr datagen-verify");
  Shard& s = *std::prev(it);
  if (!s.reader) {
    try {
      s.reader = std::make_unique<io::H5Reader>(s.path);
    } catch (const std::exception& e) {
      throw IntegrityError(std::string(e.what()) + "; run sinsr datagen-verify " + dir_ + " --repair");
    }
  }
  return s;
}

PairRows PairShards::load(const std::vector<int64_t>& indices, bool with_gt) {
  std::vector<at::Tensor> x_T, z_teacher, z_gt, lq, gt;
  for (int64_t i : indices) {
    Shard& s = shard_of(i);
    const int64_t row = i - s.first;
    try {
      x_T.push_back(s.reader->read_rows("x_T", row, 1));
      z_teacher.push_back(s.reader->read_rows("z_teacher", row, 1));
      z_gt.push_back(s.reader->read_rows("z_gt", row, 1));
      lq.push_back(s.reader->read_rows("lq", row, 1));
      if (with_gt) gt.push_back(s.reader->read_rows("gt", row, 1));
    } catch (const std::exception& e) {  // a checksum error, a short read
      throw IntegrityError("sample " + std::to_string(i) + ": " + e.what() + "; run sinsr datagen-verify " + dir_ +
                           " --repair");
    }
    for (const at::Tensor& t : {x_T.back(), z_teacher.back(), z_gt.back()})
      if (!t.isfinite().all().item<bool>())
        throw IntegrityError(s.path + ": sample " + std::to_string(i) +
                             " holds NaN or infinite values; remake the data set");
  }
  PairRows b;
  b.x_T = at::cat(x_T);
  b.z_teacher = at::cat(z_teacher);
  b.z_gt = at::cat(z_gt);
  b.lq = at::cat(lq).to(at::kFloat) / 255.0 * 2 - 1;  // the [-1, 1] the networks were trained with
  b.index = at::tensor(indices, at::kLong);
  if (with_gt) b.gt = at::cat(gt).to(at::kFloat) / 255.0 * 2 - 1;
  return b;
}

}  // namespace sinsr::pairs
