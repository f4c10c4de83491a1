#include "trainer/pair_shards.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <filesystem>

#include "core/data/sample_rng.h"
#include "core/util/atomic_file.h"
#include "core/util/errors.h"
#include "core/util/json.h"
#include "core/util/seed.h"

namespace fs = std::filesystem;

namespace sinsr::train {

PairShards::PairShards(const std::string& dir) : dir_(dir) {
  const fs::path manifest = fs::path(dir) / "manifest.json";
  if (!fs::exists(manifest))
    throw UsageError(dir + ": no manifest.json; make the data with sinsr datagen (and let it finish) first");
  const Json m = Json::parse(read_file(manifest.string()));
  if (m["schema"].as_string() != "sinsr-pairs/1") throw UsageError(manifest.string() + ": not a sinsr-pairs/1 data set");
  num_samples_ = m["num_samples"].as_int();
  content_sha256_ = m["content_sha256"].as_string();
  // Missing or truncated shards are found here, cheaply (a stat each); damage inside a shard when its samples
  // are read (Fletcher32). Hashing every shard is datagen-verify's job: too slow for every start.
  for (const Json& s : m["shards"].as_array()) {
    const std::string path = (fs::path(dir) / s["file"].as_string()).string();
    std::error_code ec;
    const auto size = fs::file_size(path, ec);
    if (ec) throw IntegrityError(path + ": listed in the manifest but missing; run sinsr datagen-verify " + dir + " --repair");
    if (static_cast<int64_t>(size) != s["bytes"].as_int())
      throw IntegrityError(path + ": " + std::to_string(size) + " bytes, the manifest says " + std::to_string(s["bytes"].as_int()) +
                           " (truncated or replaced); run sinsr datagen-verify " + dir + " --repair");
    shards_.push_back({s["first_index"].as_int(), s["count"].as_int(), path, nullptr});
  }
  std::sort(shards_.begin(), shards_.end(), [](const Shard& a, const Shard& b) { return a.first < b.first; });
}

PairShards::Shard& PairShards::shard_of(int64_t index) {
  auto it = std::upper_bound(shards_.begin(), shards_.end(), index, [](int64_t i, const Shard& s) { return i < s.first; });
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

TrainBatch PairShards::load(const std::vector<int64_t>& indices, bool with_gt) {
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
      throw IntegrityError("sample " + std::to_string(i) + ": " + e.what() + "; run sinsr datagen-verify " + dir_ + " --repair");
    }
    for (const at::Tensor& t : {x_T.back(), z_teacher.back(), z_gt.back()})
      if (!t.isfinite().all().item<bool>())
        throw IntegrityError(s.path + ": sample " + std::to_string(i) + " holds NaN or infinite values; remake the data set");
  }
  TrainBatch b;
  b.x_T = at::cat(x_T);
  b.z_teacher = at::cat(z_teacher);
  b.z_gt = at::cat(z_gt);
  b.lq = at::cat(lq).to(at::kFloat) / 255.0 * 2 - 1;  // the [-1, 1] the networks were trained with
  b.index = at::tensor(indices, at::kLong);
  if (with_gt) b.gt = at::cat(gt).to(at::kFloat) / 255.0 * 2 - 1;
  return b;
}

std::vector<int64_t> global_batch(int64_t step, int64_t batch, int64_t n, uint64_t seed) {
  if (n > UINT32_MAX) throw UsageError("more than 2^32 training samples are not supported");
  std::vector<int64_t> out;
  std::vector<uint32_t> perm;
  int64_t perm_epoch = -1;
  for (int64_t pos = (step - 1) * batch; pos < step * batch; ++pos) {
    const int64_t epoch = pos / n;
    if (epoch != perm_epoch) {
      data::SampleRng rng(derive_seed(seed, "train-epoch", static_cast<uint64_t>(epoch)));
      perm = data::shuffled_indices(static_cast<size_t>(n), rng);
      perm_epoch = epoch;
    }
    out.push_back(perm[static_cast<size_t>(pos % n)]);
  }
  return out;
}

}  // namespace sinsr::train
