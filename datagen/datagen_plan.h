// What a datagen run makes: samples [0, N) cut into shards of S consecutive indices, and the identity
// (content hash) every shard carries so a resumed run can tell its own shards from foreign ones.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/pairs/shard_names.h"
#include "core/util/config.h"

namespace sinsr::datagen {

struct DatagenSettings {
  std::string out_dir, teacher_path, autoencoder_path;
  int64_t num_samples = 0;
  std::string generator;        // "sinsr <version>", recorded in every shard
  std::string device = "auto";  // --device: cpu, cuda (one GPU per rank) or auto
  Config config;                // [model] (the teacher), [autoencoder], [diffusion], [degradation], [data], [datagen]
};

// The config sections a datagen run reads, and the keys that only tune speed (threads, prefetch, batch
// size): they may change between a run and its resume.
extern const std::vector<std::string> kDatagenSections;
bool is_speed_only_key(const std::string& dotted);

// "section.key=value" lines of every key the samples depend on.
std::string content_text(const Config& cfg);
// SHA-256 over the schema, content_text, both weight checksums and the shard size.
std::string content_sha256(const Config& cfg, const std::string& teacher_sha256, const std::string& autoencoder_sha256);

// Shards covering [0, num_samples), each of datagen.shard_size samples (the last may be shorter).
std::vector<pairs::ShardRange> plan_shards(int64_t num_samples, int64_t shard_size);

}  // namespace sinsr::datagen
