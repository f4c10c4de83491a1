// The random source of one data sample. Seeded from derive_seed(seed, purpose, index), so everything
// random about sample i (which image, crop, flip, kernels, noise, JPEG quality) is a pure function of
// (seed, i), whichever thread, batch or rank computes it (DESIGN.md §6).
#pragma once
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace sinsr::data {

class SampleRng {
 public:
  explicit SampleRng(uint64_t derived_seed) : engine_(derived_seed) {}

  // Uniform in [low, high), 53 random bits.
  double uniform(double low = 0.0, double high = 1.0) {
    return low + (high - low) * (static_cast<double>(engine_() >> 11) * 0x1.0p-53);
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
  // Standard normal (Box-Muller; the second value of each pair is kept for the next call).
  float normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    const double u1 = 1.0 - uniform();  // (0, 1]: log is finite
    const double u2 = uniform();
    const double r = std::sqrt(-2.0 * std::log(u1));
    spare_ = static_cast<float>(r * std::sin(2.0 * M_PI * u2));
    has_spare_ = true;
    return static_cast<float>(r * std::cos(2.0 * M_PI * u2));
  }
  std::mt19937_64& engine() { return engine_; }

 private:
  std::mt19937_64 engine_;
  float spare_ = 0;
  bool has_spare_ = false;
};

}  // namespace sinsr::data
