#include "datagen/datagen_plan.h"

#include <algorithm>

#include "core/util/errors.h"
#include "core/util/sha256.h"

namespace sinsr::datagen {

const std::vector<std::string> kDatagenSections = {"model",       "autoencoder", "diffusion",
                                                   "degradation", "data",        "datagen"};

// Keys that change how a data set is made, not what it holds.
bool is_speed_only_key(const std::string& dotted) {
  return dotted == "data.workers" || dotted == "data.prefetch_batches" || dotted == "datagen.batch_size" ||
         dotted == "datagen.peer_timeout";
}

// Content keys added after the schema's first release: they enter the identity only when set to another
// value than their default, so a data set begun by an earlier build keeps its identity and resumes.
bool is_later_content_key(const std::string& dotted) { return dotted == "data.max_pixels"; }

std::string content_text(const Config& cfg) {
  std::string out;
  for (const ConfigKey& k : config_schema()) {
    const std::string key = k.dotted();
    if (std::find(kDatagenSections.begin(), kDatagenSections.end(), k.section) == kDatagenSections.end() ||
        is_speed_only_key(key) || (is_later_content_key(key) && cfg.str(key) == k.default_value))
      continue;
    out += key + "=" + cfg.str(key) + "\n";
  }
  return out;
}

std::string content_sha256(const Config& cfg, const std::string& teacher_sha256,
                           const std::string& autoencoder_sha256) {
  return sha256_hex(std::string(pairs::kSchema) + "\n" + content_text(cfg) + "teacher_sha256=" + teacher_sha256 +
                    "\nautoencoder_sha256=" + autoencoder_sha256 + "\n");
}

std::vector<pairs::ShardRange> plan_shards(int64_t num_samples, int64_t shard_size) {
  if (num_samples < 1) throw UsageError("--num-samples must be >= 1");
  std::vector<pairs::ShardRange> shards;
  for (int64_t first = 0; first < num_samples; first += shard_size)
    shards.push_back({first, std::min(shard_size, num_samples - first)});
  return shards;
}

}  // namespace sinsr::datagen
