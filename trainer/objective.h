// What a training run optimises. Two objectives share one loop (train_loop.h): SinSR distillation
// (sinsr train, distill_objective.h) and the ResShift teacher objective (sinsr train-teacher,
// teacher_objective.h). The loop owns ranks, optimizer, EMA, checkpoints, resume, signals and metrics;
// an objective owns its data and its loss.
#pragma once
#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/util/json.h"

namespace sinsr::nn {
class UNetModelSwinImpl;
}

namespace sinsr::train {

class Objective {
 public:
  virtual ~Objective() = default;
  // Names of the logged loss terms (metrics.jsonl keys); the first is the optimised total.
  virtual std::vector<std::string> terms() const = 0;
  // What a resumed run must find unchanged (the data set and its settings).
  virtual std::string identity() const = 0;
  virtual std::string describe() const = 0;
  // Stages this rank's share of training step `step` (1-based; global batch `batch`, `per_rank` samples
  // from offset rank * per_rank) on `device`.
  virtual void load(int64_t step, int64_t batch, int rank, int64_t per_rank, const c10::Device& device) = 0;
  // Per-sample loss terms of staged samples [first, first + n): [terms().size(), n], row 0 the total.
  virtual at::Tensor losses(nn::UNetModelSwinImpl& net, int64_t first, int64_t n) = 0;
  // Validation metrics on held-out samples (called on rank 0 with the network in eval mode); an empty
  // object when there is nothing to validate on.
  virtual Json validate(nn::UNetModelSwinImpl& net, int64_t micro) = 0;
};

}  // namespace sinsr::train
