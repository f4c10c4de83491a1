// The SinSR distillation loop (SPEC.md §4.3, DESIGN.md §5) over datagen's pair shards, data-parallel over
// MPI ranks, resumable, stopping cleanly on SIGTERM/SIGUSR1.
#pragma once
#include <string>

#include "core/dist/mpi_context.h"
#include "core/util/config.h"

namespace sinsr::train {

struct TrainSettings {
  std::string data_dir, run_dir;
  std::string teacher_path;  // student initialisation (train.init = teacher)
  std::string init_path;     // optional: start the student from this .pth instead
  std::string autoencoder_path;  // online mode only
  bool online = false;       // --data-mode online: degrade and run the teacher every step
  std::string device = "auto";  // --device: cpu, cuda (one GPU per rank, NCCL) or auto
  Config config;             // [model] (student and teacher), [diffusion], [train]; online: [autoencoder] [degradation] [data]
};

// Returns the exit code: 0 done, 75 checkpointed on a stop signal.
int run_train(const TrainSettings& settings, const dist::MpiContext& mpi);

}  // namespace sinsr::train
