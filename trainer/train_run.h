// The two training commands: SinSR distillation (sinsr train; docs/method.md §4.3, docs/architecture.md §5) over
// datagen's pair shards or online pairs, and ResShift teacher training (sinsr train-teacher; docs/method.md §4.8). Both
// run the same data-parallel, resumable loop (train_loop.h).
#pragma once
#include <string>

#include "core/dist/mpi_context.h"
#include "core/nn/precision.h"
#include "core/util/config.h"
#include "trainer/train_config.h"

namespace sinsr::train {

struct TrainSettings {
  std::string data_dir, run_dir;
  std::string teacher_path;      // student initialisation (train.init = teacher)
  std::string init_path;         // optional: start the network from this .pth instead
  std::string autoencoder_path;  // latent space: online mode, teacher training; with shards, decoded validation
  bool online = false;           // --data-mode online: degrade and run the teacher every step
  std::string device = "auto";   // --device: cpu, cuda (one GPU per rank, NCCL) or auto
  Config config;  // [model] (student and teacher), [diffusion], [train]; online: [autoencoder] [degradation] [data]
};

// Returns the exit code: 0 done, 75 checkpointed on a stop signal.
// train.precision: fp32 or bf16. fp16 is refused: its gradients underflow without a dynamic loss scaler,
// which the trainer does not have (bf16 has float32's range and needs none).
Precision train_precision(const TrainConfig& train);

int run_train(const TrainSettings& settings, const dist::MpiContext& mpi);

// Teacher training: [model] from scratch (train.init = random) or from --init; data from [data] hr with
// [degradation]; latent space with the autoencoder or pixel space (diffusion.latent_flag). Same exit codes.
int run_train_teacher(const TrainSettings& settings, const dist::MpiContext& mpi);

}  // namespace sinsr::train
