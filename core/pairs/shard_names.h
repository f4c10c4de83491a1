// Names and ranges of pair shards (docs/architecture.md §4): pairs-<first index, 9 digits>.h5, written as
// "<name>.tmp.<pid>" until complete.
#pragma once
#include <cstdint>
#include <string>

namespace sinsr::pairs {

inline constexpr const char* kSchema = "sinsr-pairs/1";

struct ShardRange {
  int64_t first = 0, count = 0;
};

std::string shard_file_name(int64_t first);  // "pairs-000000256.h5"
// A finished shard's name (pairs-*.h5), whatever its index.
bool is_shard_file_name(const std::string& file_name);
// The temporary name a writer uses in `dir`; every "<final>.tmp.*" is stale once its writer is gone.
std::string shard_temp_path(const std::string& dir, int64_t first);
bool is_temp_shard_name(const std::string& file_name);

}  // namespace sinsr::pairs
