// SHA-256 of bytes and files: checksums of weights and pair shards in manifests. OpenSSL's libcrypto computes it.
#pragma once
#include <string>

namespace sinsr {

// Lowercase hex, 64 characters.
std::string sha256_hex(const std::string& bytes);
// Streams the file; throws std::runtime_error naming it when it cannot be read.
std::string sha256_file(const std::string& path);

}  // namespace sinsr
