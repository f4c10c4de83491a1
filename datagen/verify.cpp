#include "datagen/verify.h"
#include "core/util/config_file.h"

#include <ATen/ATen.h>

#include <filesystem>
#include <map>
#include <set>

#include "core/data/data_config.h"
#include "core/io/hdf5_file.h"
#include "core/pairs/manifest.h"
#include "core/pairs/shard_names.h"
#include "core/util/progress.h"
#include "core/util/sha256.h"
#include "datagen/datagen_plan.h"

namespace fs = std::filesystem;

namespace sinsr::datagen {

namespace {

struct Expected {
  int64_t first, count;
  std::string sha256;
  int64_t bytes;
};

// What a shard's attributes must agree with: the manifest's data set identity and seed.
struct DataSet {
  std::string content_sha256;
  int64_t seed;
};

// The identity a recorded config and weight checksums hash to (what datagen computed when it made them).
std::string identity_of(const std::string& config_text, const std::string& teacher_sha256,
                        const std::string& autoencoder_sha256, const std::string& origin) {
  return content_sha256(config_from_ini_text(config_text, origin), teacher_sha256, autoencoder_sha256);
}

// Empty when the shard is sound, else why not.
std::string check_shard(const fs::path& path, const Expected& e, const DataSet& set) {
  const std::string& content_sha256 = set.content_sha256;
  if (!fs::exists(path)) return "missing";
  if (static_cast<int64_t>(fs::file_size(path)) != e.bytes) return "size differs from the manifest";
  if (sha256_file(path.string()) != e.sha256) return "SHA-256 differs from the manifest (corrupted or replaced)";
  try {
    io::H5Reader h5(path.string());
    if (h5.attr_string("/", "schema") != pairs::kSchema) return "schema is not " + std::string(pairs::kSchema);
    if (h5.attr_string("/", "content_sha256") != content_sha256) return "belongs to another data set (content_sha256)";
    if (identity_of(h5.attr_string("/", "config"), h5.attr_string("/", "teacher_sha256"),
                    h5.attr_string("/", "autoencoder_sha256"), path.string() + " (config attribute)") != content_sha256)
      return "its config and weight attributes do not hash to the data set's content_sha256 (edited?)";
    if (static_cast<int64_t>(h5.attr_double("/", "seed")) != set.seed)
      return "seed attribute " + std::to_string(static_cast<int64_t>(h5.attr_double("/", "seed"))) +
             " differs from the manifest's " + std::to_string(set.seed);
    if (static_cast<int64_t>(h5.attr_double("/", "count")) != e.count ||
        static_cast<int64_t>(h5.attr_double("/", "first_index")) != e.first)
      return "count/first_index attributes differ from the manifest";
    const at::Tensor index = h5.read("index");
    if (index.scalar_type() != at::kLong || !index.equal(at::arange(e.first, e.first + e.count, at::kLong)))
      return "index is not " + std::to_string(e.first) + ".." + std::to_string(e.first + e.count - 1);
    std::vector<int64_t> latent;
    for (const char* name : {"gt", "lq", "x_T", "z_teacher", "z_y", "z_gt"}) {
      const at::Tensor t = h5.read(name);  // a Fletcher32 mismatch fails here
      const bool is_image = std::string(name) == "gt" || std::string(name) == "lq";
      if (t.dim() != 4 || t.size(0) != e.count || (is_image && (t.scalar_type() != at::kByte || t.size(1) != 3)) ||
          (!is_image && t.scalar_type() != at::kFloat))
        return std::string("dataset ") + name + " has the wrong dtype or shape";
      if (!is_image) {
        if (latent.empty()) latent = t.sizes().vec();
        if (t.sizes().vec() != latent) return std::string("dataset ") + name + " differs in shape from x_T";
        if (!at::isfinite(t).all().item<bool>()) return std::string("dataset ") + name + " holds NaN or Inf";
      }
    }
  } catch (const std::exception& ex) {
    return std::string("unreadable: ") + ex.what();
  }
  return "";
}

}  // namespace

VerifyReport verify_pairs(const std::string& dir, bool show_progress) {
  VerifyReport rep;
  const std::string manifest_path = pairs::manifest_path(dir);
  if (!fs::is_directory(dir)) {
    rep.problems.push_back(dir + ": no such folder");
    return rep;
  }
  pairs::Manifest m;
  try {
    m = pairs::read_manifest(dir);
    rep.has_manifest = true;
  } catch (const std::exception& ex) {
    rep.problems.push_back(manifest_path + ": missing or unreadable (" + ex.what() +
                           "); datagen did not finish: rerun it with the same arguments (it resumes)");
    return rep;
  }
  const DataSet set{m.content_sha256, m.seed};
  // The manifest must still describe how the shards were made: its config and weight checksums hash to its
  // content_sha256, and its seed is the config's data.seed. A hand-edited manifest fails here.
  try {
    const Config recorded = config_from_ini_text(m.config, manifest_path + " (config)");
    if (identity_of(m.config, m.teacher.sha256, m.autoencoder_sha256(), manifest_path + " (config)") !=
            m.content_sha256 ||
        data::HrDataConfig::from_config(recorded).seed != set.seed)
      rep.manifest_edited = true;
  } catch (const std::exception&) {
    rep.manifest_edited = true;
  }
  if (rep.manifest_edited)
    rep.problems.push_back(manifest_path +
                           ": its config, seed or weight checksums no longer match its content_sha256 "
                           "(edited by hand?)");
  std::map<int64_t, Expected> by_first;
  std::set<std::string> listed;
  for (const pairs::ManifestShard& j : m.shards) {
    const Expected e{j.first_index, j.count, j.sha256, j.bytes};
    listed.insert(j.file);
    if (j.file != pairs::shard_file_name(e.first) || !by_first.emplace(e.first, e).second)
      rep.problems.push_back(manifest_path + ": shard entry " + j.file + " is inconsistent or duplicated");
  }
  // Coverage: consecutive ranges from 0 to num_samples, no gap, no overlap.
  int64_t next = 0;
  for (const auto& [first, e] : by_first) {
    if (first != next)
      rep.problems.push_back(manifest_path + ": samples " + std::to_string(std::min(first, next)) + ".." +
                             std::to_string(std::max(first, next) - 1) +
                             (first > next ? " are missing" : " appear twice"));
    next = std::max(next, first + e.count);
  }
  if (next != m.num_samples)
    rep.problems.push_back(manifest_path + ": shards end at " + std::to_string(next) + ", not at num_samples " +
                           std::to_string(m.num_samples));

  Progress progress(static_cast<int64_t>(by_first.size()), "shards");
  for (const auto& [first, e] : by_first) {
    const fs::path path = fs::path(dir) / pairs::shard_file_name(first);
    const std::string why = check_shard(path, e, set);
    if (why.empty()) {
      ++rep.shards_ok;
      rep.pairs_ok += e.count;
      rep.bytes += e.bytes;
    } else {
      rep.problems.push_back(path.string() + ": " + why);
      rep.bad_shards.push_back(pairs::shard_file_name(first));
    }
    if (show_progress) progress.advance();
  }
  if (show_progress) progress.finish();
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (pairs::is_temp_shard_name(name))
      rep.problems.push_back(entry.path().string() + ": leftover temporary file of an interrupted run");
    else if (pairs::is_shard_file_name(name) && !listed.count(name)) {
      rep.problems.push_back(entry.path().string() + ": shard not listed in the manifest");
      rep.unlisted_shards.push_back(name);
    }
  }
  return rep;
}

}  // namespace sinsr::datagen
