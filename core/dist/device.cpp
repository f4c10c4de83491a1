#include "core/dist/device.h"

#include <torch/cuda.h>

#include <iostream>

#include "core/util/errors.h"

namespace sinsr::dist {

const char* const kDeviceHelp =
    "cpu, cuda (one GPU per rank: the rank's index on its node; a usage error without a CUDA LibTorch or a visible "
    "GPU) "
    "or auto (cuda when LibTorch sees a GPU, else cpu)";

c10::Device select_device(const std::string& requested, int local_rank, int local_size) {
  if (requested == "cpu" || (requested == "auto" && !torch::cuda::is_available())) return c10::Device(c10::kCPU);
  if (requested != "cuda" && requested != "auto")
    throw UsageError("--device takes cpu, cuda or auto, not '" + requested + "'");
  if (!torch::cuda::is_available())
    throw UsageError(
        "--device cuda: no GPU visible to LibTorch (a CPU-only LibTorch, or CUDA_VISIBLE_DEVICES empty); "
        "use --device cpu or a CUDA LibTorch build");
  const int gpus = static_cast<int>(torch::cuda::device_count());
  // Launchers usually expose every GPU of the node to every rank (or one each via CUDA_VISIBLE_DEVICES): the
  // node-local rank picks its own either way.
  if (local_size > gpus && local_rank == 0)
    std::cerr << "warning: " << local_size << " ranks on this node share " << gpus << " GPU(s)\n";
  return c10::Device(c10::kCUDA, static_cast<c10::DeviceIndex>(local_rank % gpus));
}

c10::Device rank_device(const std::string& requested, const MpiContext& mpi) {
  return select_device(requested, mpi.local_rank(), mpi.local_size());
}

std::unique_ptr<Communicator> make_communicator(const MpiContext& mpi, const c10::Device& device) {
  if (device.is_cuda()) return make_nccl_communicator(mpi, device.index());
  return make_mpi_communicator(mpi);
}

}  // namespace sinsr::dist
