#include "core/util/stop_marker.h"

#include <filesystem>

#include "core/util/atomic_file.h"

namespace sinsr {

void write_stop_marker(const std::string& dir, const std::string& what) {
  write_file_atomically((std::filesystem::path(dir) / kStopMarkerName).string(),
                        what + "; exit code 75: rerun the same command to resume\n");
}

void clear_stop_marker(const std::string& dir) {
  std::error_code ignored;  // absent is the usual case
  std::filesystem::remove(std::filesystem::path(dir) / kStopMarkerName, ignored);
}

}  // namespace sinsr
