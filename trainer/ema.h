// Exponential moving average of the student (docs/method.md §4.5): after every optimizer step,
// ema = rate * ema + (1 - rate) * current for every state_dict entry, parameters and float buffers
// alike, except the integer relative_position_index tables (copied once, never averaged).
#pragma once
#include "core/io/pth.h"

namespace torch::nn {
class Module;
}

namespace sinsr::train {

class Ema {
 public:
  Ema(const torch::nn::Module& model, double rate);
  void update(const torch::nn::Module& model);
  const io::TensorDict& state() const { return state_; }
  io::TensorDict& state() { return state_; }

 private:
  io::TensorDict state_;
  double rate_;
};

}  // namespace sinsr::train
