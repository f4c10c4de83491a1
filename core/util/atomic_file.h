// Atomic file replacement: write to "<path>.tmp.<pid>", fsync, rename over <path>, fsync the directory.
// Shards (core/pairs) and checkpoint folders (core/run) commit with the same rename_durably.
// Readers never see a half-written file under the final name (docs/architecture.md §6).
#pragma once
#include <cstddef>
#include <string>

namespace sinsr {

void write_file_atomically(const std::string& path, const void* data, size_t size);
inline void write_file_atomically(const std::string& path, const std::string& text) {
  write_file_atomically(path, text.data(), text.size());
}

// Flushes a file or folder to the disk; throws std::runtime_error naming it, with the system's reason, when the
// disk refuses (full, I/O error). Every durable write of the project goes through here and rename_durably.
void sync_path(const std::string& path);
// The commit of every atomic write: `temp` (a finished file or folder) is synced, renamed to `final_path` (replacing
// a file there) and the folder holding it synced, so the new name survives a crash. On failure `temp` stays for the
// caller to remove.
void rename_durably(const std::string& temp, const std::string& final_path);

// Whole file into memory; throws std::runtime_error naming the file.
std::string read_file(const std::string& path);

}  // namespace sinsr
