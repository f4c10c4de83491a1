// Counter-based seeds (docs/architecture.md §6): every random draw is keyed by (seed, purpose, key), so it does not
// depend on thread timing, processing order or what else a run does.
#pragma once
#include <cstdint>
#include <string_view>

namespace sinsr {

// A 64-bit seed derived from (seed, purpose, key) with SplitMix64 over an FNV-1a hash of the strings.
uint64_t derive_seed(uint64_t seed, std::string_view purpose, std::string_view key);
uint64_t derive_seed(uint64_t seed, std::string_view purpose, uint64_t index);

}  // namespace sinsr
