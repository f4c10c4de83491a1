// What a training checkpoint holds (its folder layout and commit: core/run/run_folder.h):
//   student.pth, ema.pth   reference key names, readable by Python's torch.load
//   optimizer.pt           AdamW moments (LibTorch archive)
//   state.json             step, learning rate, global batch, data set hash, seed, config
#pragma once
#include <c10/core/Device.h>

#include <cstdint>
#include <string>

#include "core/io/pth.h"
#include "core/util/json.h"

namespace torch::optim {
class Optimizer;
}
namespace torch::nn {
class Module;
}

namespace sinsr::train {

struct CheckpointState {
  int64_t step = 0;
  Json info;  // state.json: everything else a resume checks or reports
};

void save_checkpoint(const std::string& run_dir, const CheckpointState& state, const torch::nn::Module& student,
                     const io::TensorDict& ema, torch::optim::Optimizer& optimizer, int keep);

// Loads student, EMA (into `ema`) and optimizer state; returns state.json.
// The optimizer state is restored onto `device` (the student's).
CheckpointState load_checkpoint(const std::string& dir, torch::nn::Module& student, io::TensorDict& ema,
                                torch::optim::Optimizer& optimizer, const c10::Device& device);

}  // namespace sinsr::train
