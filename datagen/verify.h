// sinsr datagen-verify: checks a pair data set against its manifest (files, SHA-256, schema, counts,
// index coverage, HDF5 Fletcher32 checksums, finite values) and can regenerate the bad shards.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace sinsr::datagen {

struct VerifyReport {
  std::vector<std::string> problems;         // one line each, naming the file
  std::vector<std::string> bad_shards;       // shard file names to regenerate
  std::vector<std::string> unlisted_shards;  // pairs-*.h5 the manifest does not list (moved aside by --repair)
  bool has_manifest = false;
  bool manifest_edited = false;  // its config/weights/seed no longer hash to its content_sha256: no repair
  int64_t shards_ok = 0, pairs_ok = 0, bytes = 0;
  bool ok() const { return problems.empty(); }
};

VerifyReport verify_pairs(const std::string& dir, bool show_progress);

}  // namespace sinsr::datagen
