// The random source of one data sample. Seeded from derive_seed(seed, purpose, index), so everything
// random about sample i (which image, crop, flip, kernels, noise, JPEG quality) is a pure function of
// (seed, i), whichever thread, batch or rank computes it (docs/architecture.md §6).
//
// xoshiro256** rather than std::mt19937_64: the degradation draws one or more numbers per pixel, and the
// generator's speed decides whether data loading keeps up with the GPUs.
#pragma once
#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

namespace sinsr::data {

class SampleRng {
 public:
  explicit SampleRng(uint64_t derived_seed) {
    for (uint64_t& s : state_) {  // SplitMix64 expands the seed into the 256-bit state
      derived_seed += 0x9E3779B97F4A7C15ull;
      uint64_t z = derived_seed;
      z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
      z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
      s = z ^ (z >> 31);
    }
  }

  uint64_t next() {
    const uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }

  // Uniform in [low, high), 53 random bits.
  double uniform(double low = 0.0, double high = 1.0) {
    return low + (high - low) * (static_cast<double>(next() >> 11) * 0x1.0p-53);
  }
  bool bernoulli(double p) { return uniform() < p; }
  // Uniform integer in [low, high] (inclusive, like Python's random.randint).
  int64_t randint(int64_t low, int64_t high) {
    return low + static_cast<int64_t>(uniform() * static_cast<double>(high - low + 1));
  }
  // Index drawn with the given (not necessarily normalised) weights, like random.choices(..., weights)[0].
  size_t choice(const std::vector<double>& weights) {
    double total = 0;
    for (double w : weights) total += w;
    const double u = uniform() * total;
    double acc = 0;
    for (size_t i = 0; i < weights.size(); ++i) {
      acc += weights[i];
      if (u < acc) return i;
    }
    return weights.size() - 1;
  }
  // Standard normal, Box-Muller in float on two 32-bit uniforms (tails to 6.7 sigma: plenty for image
  // noise); the second value of each pair is kept for the next call.
  float normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    const uint64_t r = next();
    const float u1 = static_cast<float>((r >> 32) + 1) * 0x1.0p-32f;  // (0, 1]: log is finite
    const float u2 = static_cast<float>(r & 0xFFFFFFFFu) * 0x1.0p-32f;
    const float radius = std::sqrt(-2.f * std::log(u1));
    const float angle = 6.28318530717958647692f * u2;
    spare_ = radius * std::sin(angle);
    has_spare_ = true;
    return radius * std::cos(angle);
  }

 private:
  uint64_t state_[4];
  float spare_ = 0;
  bool has_spare_ = false;

  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
};

// 0 .. n-1 shuffled by Fisher-Yates with `rng` (epoch orders of photos and of training samples).
inline std::vector<uint32_t> shuffled_indices(size_t n, SampleRng& rng) {
  std::vector<uint32_t> perm(n);
  for (size_t i = 0; i < n; ++i) perm[i] = static_cast<uint32_t>(i);
  for (size_t i = n; i > 1; --i)
    std::swap(perm[i - 1], perm[static_cast<size_t>(rng.randint(0, static_cast<int64_t>(i) - 1))]);
  return perm;
}

}  // namespace sinsr::data
