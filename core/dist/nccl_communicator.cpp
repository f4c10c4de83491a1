// The NCCL communicator (SINSR_WITH_NCCL=ON, with a CUDA LibTorch): CUDA tensors, the ncclUniqueId
// broadcast over MPI like llm.c does. Blocking collectives are enqueued on the caller's current stream and
// return at once: later GPU work and any host read of the result (.item(), .to(kCPU)) are ordered after
// them, so a training step never waits on the host for a collective. Started ones run on a side stream
// that waits for the caller's stream, so they overlap the caller's later work until wait().
#include <ATen/cuda/CUDAEvent.h>
#include <c10/cuda/CUDAStream.h>
#include <cuda_runtime.h>
#include <mpi.h>
#include <nccl.h>

#include <stdexcept>
#include <string>

#include "core/dist/communicator.h"
#include "core/dist/mpi_context.h"

namespace sinsr::dist {

namespace {

void check_cuda(cudaError_t rc, const char* what) {
  if (rc != cudaSuccess) throw std::runtime_error(std::string(what) + ": " + cudaGetErrorString(rc));
}

void check_nccl(ncclResult_t rc, const char* what) {
  if (rc != ncclSuccess) throw std::runtime_error(std::string(what) + ": " + ncclGetErrorString(rc));
}

ncclDataType_t nccl_type(at::ScalarType t) {
  switch (t) {
    case at::kFloat: return ncclFloat32;
    case at::kDouble: return ncclFloat64;
    case at::kHalf: return ncclFloat16;
    case at::kBFloat16: return ncclBfloat16;
    case at::kLong: return ncclInt64;
    case at::kInt: return ncclInt32;
    case at::kByte: return ncclUint8;
    default: throw std::runtime_error("NcclCommunicator: unsupported dtype");
  }
}

class NcclPending final : public PendingCollective {
 public:
  NcclPending(int device, at::cuda::CUDAEvent done) : device_(device), done_(std::move(done)) {}
  void wait() override { done_.block(c10::cuda::getCurrentCUDAStream(static_cast<c10::DeviceIndex>(device_))); }

 private:
  int device_;
  at::cuda::CUDAEvent done_;
};

class NcclCommunicator final : public Communicator {
 public:
  NcclCommunicator(const MpiContext& mpi, int device)
      : rank_(mpi.rank()),
        size_(mpi.size()),
        device_(device),
        side_(c10::cuda::getStreamFromPool(/*isHighPriority=*/true, static_cast<c10::DeviceIndex>(device))) {
    check_cuda(cudaSetDevice(device), "cudaSetDevice");
    ncclUniqueId id{};
    if (mpi.is_root()) check_nccl(ncclGetUniqueId(&id), "ncclGetUniqueId");
    if (MPI_Bcast(&id, sizeof id, MPI_BYTE, 0, MPI_COMM_WORLD) != MPI_SUCCESS)
      throw std::runtime_error("MPI_Bcast of the NCCL id");
    const ncclResult_t rc = ncclCommInitRank(&comm_, size_, id, rank_);
    if (rc == ncclInvalidUsage) {
      // Its usual cause, which NCCL itself names only under NCCL_DEBUG=WARN ("Duplicate GPU detected"): two ranks of
      // one node on one GPU, e.g. more ranks than GPUs (rank_device maps them modulo the GPU count).
      char bus[32] = "?";
      cudaDeviceGetPCIBusId(bus, sizeof bus, device);
      throw std::runtime_error(
          "ncclCommInitRank: " + std::string(ncclGetErrorString(rc)) + " (rank " + std::to_string(rank_) + ", GPU " +
          std::to_string(device) + " at " + bus + ", " + std::to_string(mpi.local_size()) +
          " ranks on this node); the usual cause: two ranks on one GPU, which NCCL refuses; launch at most "
          "one rank per GPU");
    }
    check_nccl(rc, "ncclCommInitRank");
  }
  ~NcclCommunicator() override { ncclCommDestroy(comm_); }
  int rank() const override { return rank_; }
  int size() const override { return size_; }
  std::string name() const override { return "nccl"; }
  void all_reduce_sum(at::Tensor& flat) override {
    check_tensor(flat);
    all_reduce_on(flat, current_stream());
  }
  std::unique_ptr<PendingCollective> start_all_reduce_sum(at::Tensor& flat) override {
    check_tensor(flat);
    at::cuda::CUDAEvent inputs_ready, done;
    inputs_ready.record(current_stream());
    inputs_ready.block(side_);
    all_reduce_on(flat, side_);
    done.record(side_);
    return std::make_unique<NcclPending>(device_, std::move(done));
  }
  void broadcast(at::Tensor& t, int root) override {
    check_tensor(t);
    check_nccl(ncclBroadcast(t.data_ptr(), t.data_ptr(), static_cast<size_t>(t.numel()), nccl_type(t.scalar_type()),
                             root, comm_, current_stream().stream()),
               "ncclBroadcast");
  }

 private:
  int rank_, size_, device_;
  c10::cuda::CUDAStream side_;
  ncclComm_t comm_ = nullptr;
  c10::cuda::CUDAStream current_stream() const {
    return c10::cuda::getCurrentCUDAStream(static_cast<c10::DeviceIndex>(device_));
  }
  void all_reduce_on(at::Tensor& flat, const c10::cuda::CUDAStream& stream) {
    check_nccl(ncclAllReduce(flat.data_ptr(), flat.data_ptr(), static_cast<size_t>(flat.numel()),
                             nccl_type(flat.scalar_type()), ncclSum, comm_, stream.stream()),
               "ncclAllReduce");
  }
  // NCCL reads raw device pointers: a CPU tensor, another GPU's or a strided view would be garbage or a crash.
  void check_tensor(const at::Tensor& t) const {
    if (!t.is_cuda() || t.get_device() != device_ || !t.is_contiguous())
      throw std::runtime_error("NcclCommunicator: needs contiguous tensors on cuda:" + std::to_string(device_) +
                               ", got " + t.device().str() + (t.is_contiguous() ? "" : " (not contiguous)"));
  }
};

}  // namespace

std::unique_ptr<Communicator> make_nccl_communicator(const MpiContext& mpi, int device) {
  return std::make_unique<NcclCommunicator>(mpi, device);
}

}  // namespace sinsr::dist
