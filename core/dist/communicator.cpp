#include "core/dist/communicator.h"

#include <ATen/ATen.h>
#include <mpi.h>

#include <stdexcept>

#include "core/dist/mpi_context.h"

namespace sinsr::dist {

namespace {

MPI_Datatype mpi_type(at::ScalarType t) {
  switch (t) {
    case at::kFloat: return MPI_FLOAT;
    case at::kDouble: return MPI_DOUBLE;
    case at::kLong: return MPI_INT64_T;
    case at::kInt: return MPI_INT32_T;
    case at::kByte: return MPI_UINT8_T;
    default: throw std::runtime_error("MpiCommunicator: unsupported dtype");
  }
}

class MpiPending final : public PendingCollective {
 public:
  explicit MpiPending(MPI_Request request) : request_(request) {}
  ~MpiPending() override {
    if (request_ != MPI_REQUEST_NULL) MPI_Wait(&request_, MPI_STATUS_IGNORE);  // never free a buffer MPI still writes
  }
  void poll() override {
    int done = 0;
    if (request_ != MPI_REQUEST_NULL) MPI_Test(&request_, &done, MPI_STATUS_IGNORE);
  }
  void wait() override {
    if (MPI_Wait(&request_, MPI_STATUS_IGNORE) != MPI_SUCCESS) throw std::runtime_error("MPI_Iallreduce failed");
  }

 private:
  MPI_Request request_;
};

class MpiCommunicator final : public Communicator {
 public:
  explicit MpiCommunicator(const MpiContext& mpi) : rank_(mpi.rank()), size_(mpi.size()) {}
  int rank() const override { return rank_; }
  int size() const override { return size_; }
  std::string name() const override { return "mpi"; }
  void all_reduce_sum(at::Tensor& flat) override {
    if (size_ == 1) return;
    check_contiguous_cpu(flat);
    if (MPI_Allreduce(MPI_IN_PLACE, flat.data_ptr(), static_cast<int>(flat.numel()), mpi_type(flat.scalar_type()),
                      MPI_SUM, MPI_COMM_WORLD) != MPI_SUCCESS)
      throw std::runtime_error("MPI_Allreduce failed");
  }
  std::unique_ptr<PendingCollective> start_all_reduce_sum(at::Tensor& flat) override {
    if (size_ == 1) return std::make_unique<MpiPending>(MPI_REQUEST_NULL);
    check_contiguous_cpu(flat);
    MPI_Request request = MPI_REQUEST_NULL;
    if (MPI_Iallreduce(MPI_IN_PLACE, flat.data_ptr(), static_cast<int>(flat.numel()), mpi_type(flat.scalar_type()),
                       MPI_SUM, MPI_COMM_WORLD, &request) != MPI_SUCCESS)
      throw std::runtime_error("MPI_Iallreduce failed");
    return std::make_unique<MpiPending>(request);
  }
  void broadcast(at::Tensor& t, int root) override {
    if (size_ == 1) return;
    check_contiguous_cpu(t);
    if (MPI_Bcast(t.data_ptr(), static_cast<int>(t.numel()), mpi_type(t.scalar_type()), root, MPI_COMM_WORLD) !=
        MPI_SUCCESS)
      throw std::runtime_error("MPI_Bcast failed");
  }

 private:
  int rank_, size_;
  static void check_contiguous_cpu(const at::Tensor& t) {
    if (!t.is_contiguous() || !t.device().is_cpu())
      throw std::runtime_error("MpiCommunicator: needs contiguous CPU tensors");
  }
};

}  // namespace

std::unique_ptr<Communicator> make_mpi_communicator(const MpiContext& mpi) {
  return std::make_unique<MpiCommunicator>(mpi);
}

void broadcast_tensors(const std::vector<at::Tensor>& tensors, Communicator& comm, int root) {
  if (comm.size() == 1) return;
  for (const at::Tensor& t : tensors) {
    at::Tensor c = t.detach().contiguous();
    comm.broadcast(c, root);
    if (!c.is_same(t)) t.detach().copy_(c);
  }
}

bool replicas_agree(const std::vector<at::Tensor>& tensors, Communicator& comm) {
  if (comm.size() == 1) return true;
  double sum = 0;
  for (const at::Tensor& t : tensors)
    if (t.is_floating_point()) sum += t.detach().to(at::kDouble).sum().item<double>();
  // The communicator's device (NCCL reduces CUDA tensors only).
  const at::Device device = tensors.empty() ? at::Device(at::kCPU) : tensors.front().device();
  at::Tensor root_sum = at::full({1}, sum, at::TensorOptions().dtype(at::kDouble).device(device));
  comm.broadcast(root_sum, 0);
  at::Tensor differs = at::full({1}, root_sum.item<double>() == sum ? 0.0f : 1.0f, at::TensorOptions().device(device));
  comm.all_reduce_sum(differs);
  return differs.item<float>() == 0.0f;
}

}  // namespace sinsr::dist
