// [datagen]: how teacher pair shards are cut and produced (docs/architecture.md §4).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/util/config_table.h"

namespace sinsr::datagen {

struct DatagenConfig : ConfigSection<DatagenConfig> {
  int64_t shard_size;   // samples per shard file
  int64_t batch_size;   // samples per teacher call
  double peer_timeout;  // seconds without a peer's progress before giving up
  std::string precision;

  static ConfigTable<DatagenConfig> table();  // [datagen]
};

}  // namespace sinsr::datagen
