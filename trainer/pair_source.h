// Where training pairs come from: pregenerated shards (datagen) or computed on the fly like the reference
// (degrade + 15 teacher steps per sample, `--data-mode online`). The loop sees only this interface.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <c10/core/Device.h>

#include "core/nn/precision.h"
#include "core/pairs/pair_reader.h"

namespace sinsr {
class Config;
}

namespace sinsr::train {

class PairSource {
 public:
  virtual ~PairSource() = default;
  // The sample indices of training step `step` (1-based), global batch `batch`, all ranks together.
  virtual std::vector<int64_t> step_indices(int64_t step, int64_t batch, uint64_t seed) const = 0;
  virtual pairs::PairRows load(const std::vector<int64_t>& indices, bool with_gt = false) = 0;
  // Samples never trained on, for validation (none online: every sample there is new).
  virtual std::vector<int64_t> held_out() const = 0;
  // What a resumed run must find unchanged.
  virtual std::string identity() const = 0;
  virtual std::string describe() const = 0;
};

// Pregenerated pairs; the last `held_out` samples are never trained on (validation).
std::unique_ptr<PairSource> shard_source(const std::string& dir, int64_t held_out);
// Online: sample i is PairSynthesizer's pair i ([data], [degradation]) and its teacher latents; step s uses
// samples (s-1) B .. s B - 1, so every step sees fresh crops and degradations.
// The teacher and autoencoder run on `device`.
std::unique_ptr<PairSource> online_source(const Config& cfg, Precision precision, const std::string& teacher_path,
                                          const std::string& autoencoder_path, const c10::Device& device);

}  // namespace sinsr::train
