// Collective operations the trainer needs, independent of the transport (docs/architecture.md §5): MPI for CPU
// tensors, NCCL for CUDA tensors. The trainer loop only sees this interface.
#pragma once
#include <ATen/core/Tensor.h>

#include <memory>
#include <string>
#include <vector>

namespace sinsr::dist {

class MpiContext;

// A collective in flight on a buffer that must stay alive and untouched until wait() returns.
class PendingCollective {
 public:
  virtual ~PendingCollective() = default;
  // Lets the transport advance the operation without blocking (MPI progresses non-blocking collectives
  // only inside MPI calls); a no-op where the hardware progresses it (NCCL).
  virtual void poll() {}
  // CPU: returns when the buffer holds the result. CUDA: orders the caller's current stream after the
  // collective, without blocking the host.
  virtual void wait() = 0;
};

class Communicator {
 public:
  virtual ~Communicator() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  virtual std::string name() const = 0;
  // In place, on a contiguous float32 tensor: the sum over ranks, identical on every rank.
  virtual void all_reduce_sum(at::Tensor& flat) = 0;
  // The same sum, started and returned at once (GradientSync uses it in both of its modes, so that they
  // reduce in the same order).
  virtual std::unique_ptr<PendingCollective> start_all_reduce_sum(at::Tensor& flat) = 0;
  // In place: root's values on every rank (any dtype, contiguous).
  virtual void broadcast(at::Tensor& t, int root) = 0;
};

// CPU tensors over MPI_COMM_WORLD.
std::unique_ptr<Communicator> make_mpi_communicator(const MpiContext& mpi);
// CUDA tensors over NCCL, bootstrapped by broadcasting the ncclUniqueId over MPI (like llm.c). Throws
// std::runtime_error when the build has no NCCL (SINSR_WITH_NCCL=OFF).
std::unique_ptr<Communicator> make_nccl_communicator(const MpiContext& mpi, int device);

// Root's values for every tensor (initial weights).
void broadcast_tensors(const std::vector<at::Tensor>& tensors, Communicator& comm, int root = 0);
// True on every rank when all ranks hold the same values (a float64 checksum of every tensor compared
// with root's): replicas that drift apart mean a bug or a hardware fault.
bool replicas_agree(const std::vector<at::Tensor>& tensors, Communicator& comm);

}  // namespace sinsr::dist
