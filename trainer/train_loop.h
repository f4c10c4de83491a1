// The training loop every objective shares (docs/architecture.md §5), data-parallel over MPI ranks (or NCCL on
// GPUs), resumable, stopping cleanly on SIGTERM/SIGUSR1. Reads top to bottom like llm.c's: stage the
// rank's batch, accumulate micro-batch gradients, all-reduce, clip, step, EMA, log, validate, checkpoint.
#pragma once
#include <string>

#include "core/dist/mpi_context.h"
#include "core/nn/unet_swin.h"
#include "trainer/objective.h"
#include "trainer/train_config.h"

namespace sinsr::train {

struct LoopSettings {
  std::string run_dir;
  std::string command;  // "train" or "train-teacher": the prefix of log lines
  TrainConfig train;
  std::string recorded_config;  // INI text saved as RUN_DIR/config.ini and in every checkpoint
};

// `net` is the initialised network (any device; moved to `device`, the rank's device from
// dist::rank_device); a checkpoint in RUN_DIR replaces it (resume); rank 0's copy wins.
// Returns the exit code: 0 done, 75 checkpointed on a stop signal.
int run_training_loop(const LoopSettings& s, nn::UNetModelSwin net, Objective& objective, const at::Device& device,
                      const dist::MpiContext& mpi);

}  // namespace sinsr::train
