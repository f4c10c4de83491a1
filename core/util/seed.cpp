#include "core/util/seed.h"

#include <string>

namespace sinsr {
namespace {

uint64_t splitmix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

uint64_t fnv1a(std::string_view s, uint64_t h = 0xCBF29CE484222325ull) {
  for (unsigned char c : s) h = (h ^ c) * 0x100000001B3ull;
  return h;
}

}  // namespace

uint64_t derive_seed(uint64_t seed, std::string_view purpose, std::string_view key) {
  // The purpose and key are hashed with a separator so ("ab","c") and ("a","bc") differ.
  const uint64_t h = fnv1a(key, fnv1a("\x1f", fnv1a(purpose)));
  return splitmix64(splitmix64(seed) ^ h);
}

uint64_t derive_seed(uint64_t seed, std::string_view purpose, uint64_t index) {
  return derive_seed(seed, purpose, std::to_string(index));
}

}  // namespace sinsr
