// Training checkpoints (DESIGN.md §5): RUN_DIR/ckpt/<step, 9 digits>/ with
//   student.pth, ema.pth   reference key names, readable by Python's torch.load
//   optimizer.pt           AdamW moments (LibTorch archive)
//   state.json             step, learning rate, global batch, data set hash, seed, config
// The folder is written under a temporary name and renamed; then RUN_DIR/ckpt/latest (the folder's name)
// is replaced atomically, so `latest` always points at a complete checkpoint. The last `keep` are kept.
#pragma once
#include <c10/core/Device.h>

#include <cstdint>
#include <optional>
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

// The checkpoint `latest` points at, if any.
std::optional<std::string> latest_checkpoint(const std::string& run_dir);
// Loads student, EMA (into `ema`) and optimizer state; returns state.json.
// The optimizer state is restored onto `device` (the student's).
CheckpointState load_checkpoint(const std::string& dir, torch::nn::Module& student, io::TensorDict& ema,
                                torch::optim::Optimizer& optimizer, const c10::Device& device);

}  // namespace sinsr::train
