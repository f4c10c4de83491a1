// Where a rank computes: the CPU, or one GPU per rank chosen by the rank's index on its node, and the
// communicator that goes with it (NCCL for CUDA tensors, MPI for CPU tensors). Training and datagen
// take this from `--device`; everything after it only sees an at::Device and a Communicator.
#pragma once
#include <c10/core/Device.h>

#include <memory>
#include <string>

#include "core/dist/communicator.h"
#include "core/dist/mpi_context.h"

namespace sinsr::dist {

// The meaning of every command's --device: "cpu", "cuda" (GPU local_rank mod the visible GPUs; throws
// UsageError when LibTorch has no CUDA or no GPU is visible) or "auto" (cuda when available, else cpu).
c10::Device select_device(const std::string& requested, int local_rank = 0, int local_size = 1);
// select_device for an MPI rank: its index among the ranks of its node picks the GPU.
c10::Device rank_device(const std::string& requested, const MpiContext& mpi);
// The --help text of that flag, the same for every command.
extern const char* const kDeviceHelp;

// NCCL for a CUDA device (throws when the build has no NCCL), MPI for the CPU.
std::unique_ptr<Communicator> make_communicator(const MpiContext& mpi, const c10::Device& device);

}  // namespace sinsr::dist
