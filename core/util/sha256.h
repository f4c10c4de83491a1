// SHA-256 (FIPS 180-4) of bytes and files: checksums of weights and pair shards in manifests.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace sinsr {

class Sha256 {
 public:
  Sha256();
  void update(const void* data, size_t size);
  std::string hex_digest();  // finishes the hash; lowercase hex, 64 characters

 private:
  uint32_t state_[8];
  uint8_t block_[64];
  size_t block_used_ = 0;
  uint64_t total_bytes_ = 0;
  void compress(const uint8_t* block);
};

std::string sha256_hex(const std::string& bytes);
// Streams the file; throws std::runtime_error naming it when it cannot be read.
std::string sha256_file(const std::string& path);

}  // namespace sinsr
