// manifest.json of a pair data set (docs/architecture.md §4.5): written by datagen once every shard is complete,
// read by datagen (resume), datagen-verify and the trainer. It lists each shard with its size and SHA-256, and
// records how the data was made (config, weights, seed) under one content hash.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sinsr::pairs {

inline constexpr const char* kManifestName = "manifest.json";
// The autoencoder checksum of a pixel-space data set (no autoencoder), as the content hash records it.
inline constexpr const char* kNoAutoencoder = "none (pixel space)";

struct ManifestShard {
  std::string file;
  int64_t first_index = 0, count = 0, bytes = 0;
  std::string sha256;
};

struct WeightsRecord {
  std::string path, sha256;
};

struct Manifest {
  std::string schema;
  int64_t num_samples = 0, shard_size = 0, seed = 0;
  std::string content_sha256;
  WeightsRecord teacher;
  std::optional<WeightsRecord> autoencoder;  // none in pixel space
  std::string config;                        // the INI text of the run
  std::string generator;                     // "sinsr <version>"
  std::vector<ManifestShard> shards;

  std::string autoencoder_sha256() const { return autoencoder ? autoencoder->sha256 : kNoAutoencoder; }
};

std::string manifest_path(const std::string& dir);
// Throws std::runtime_error naming the file when it is missing, not JSON, or lacks a field.
Manifest read_manifest(const std::string& dir);
// Replaces DIR/manifest.json atomically.
void write_manifest(const std::string& dir, const Manifest& manifest);

}  // namespace sinsr::pairs
