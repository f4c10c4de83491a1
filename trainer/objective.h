// What a training run optimises. Two objectives share one loop (train_loop.h): SinSR distillation
// (sinsr train, distill_objective.h) and the ResShift teacher objective (sinsr train-teacher,
// teacher_objective.h). The loop owns ranks, optimizer, EMA, checkpoints, resume, signals and metrics;
// an objective owns its data and its loss.
#pragma once
#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/util/json.h"

namespace sinsr::nn {
class UNetModelSwinImpl;
}

namespace sinsr::train {

// One rank's samples of a training step, staged on the device: named tensors whose first dimension is the sample.
// The loop cuts it into micro-batches without knowing what an objective put in it.
class StagedBatch {
 public:
  void add(std::string name, at::Tensor samples);
  const at::Tensor& operator[](const std::string& name) const;  // throws std::logic_error naming a missing one
  int64_t size() const;
  StagedBatch slice(int64_t first, int64_t n) const;  // samples [first, first + n) of every tensor

 private:
  std::vector<std::pair<std::string, at::Tensor>> tensors_;
};

class Objective {
 public:
  virtual ~Objective() = default;
  // Names of the logged loss terms (metrics.jsonl keys); the first is the optimised total.
  virtual std::vector<std::string> terms() const = 0;
  // What a resumed run must find unchanged (the data set and its settings).
  virtual std::string identity() const = 0;
  virtual std::string describe() const = 0;
  // This rank's share of training step `step` (1-based; global batch `batch`, `per_rank` samples from offset
  // rank * per_rank), on `device`.
  virtual StagedBatch load(int64_t step, int64_t batch, int rank, int64_t per_rank, const c10::Device& device) = 0;
  // Per-sample loss terms of `samples` (a batch from load, or a slice of one): [terms().size(), n], row 0 the
  // total. A function of its arguments only.
  virtual at::Tensor losses(nn::UNetModelSwinImpl& net, const StagedBatch& samples) const = 0;
  // Validation metrics on held-out samples (called on rank 0 with the network in eval mode); an empty
  // object when there is nothing to validate on.
  virtual Json validate(nn::UNetModelSwinImpl& net, int64_t micro) = 0;
};

}  // namespace sinsr::train
