// Atomic file replacement: write to "<path>.tmp.<pid>", fsync, rename over <path>, fsync the directory.
// Readers never see a half-written file under the final name (DESIGN.md §6).
#pragma once
#include <cstddef>
#include <string>

namespace sinsr {

void write_file_atomically(const std::string& path, const void* data, size_t size);
inline void write_file_atomically(const std::string& path, const std::string& text) {
  write_file_atomically(path, text.data(), text.size());
}

// Whole file into memory; throws std::runtime_error naming the file.
std::string read_file(const std::string& path);

}  // namespace sinsr
