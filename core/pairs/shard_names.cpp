#include "core/pairs/shard_names.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>

namespace sinsr::pairs {

std::string shard_file_name(int64_t first) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "pairs-%09lld.h5", static_cast<long long>(first));
  return buf;
}

std::string shard_temp_path(const std::string& dir, int64_t first) {
  return (std::filesystem::path(dir) / (shard_file_name(first) + ".tmp." + std::to_string(::getpid()))).string();
}

bool is_shard_file_name(const std::string& name) {
  return name.rfind("pairs-", 0) == 0 && name.size() > 3 && name.compare(name.size() - 3, 3, ".h5") == 0;
}

bool is_temp_shard_name(const std::string& name) {
  return name.rfind("pairs-", 0) == 0 && name.find(".h5.tmp.") != std::string::npos;
}

}  // namespace sinsr::pairs
