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

class MpiCommunicator final : public Communicator {
 public:
  explicit MpiCommunicator(const MpiContext& mpi) : rank_(mpi.rank()), size_(mpi.size()) {}
  int rank() const override { return rank_; }
  int size() const override { return size_; }
  std::string name() const override { return "mpi"; }
  void all_reduce_sum(at::Tensor& flat) override {
    if (size_ == 1) return;
    check_contiguous_cpu(flat);
    if (MPI_Allreduce(MPI_IN_PLACE, flat.data_ptr(), static_cast<int>(flat.numel()), mpi_type(flat.scalar_type()), MPI_SUM,
                      MPI_COMM_WORLD) != MPI_SUCCESS)
      throw std::runtime_error("MPI_Allreduce failed");
  }
  void broadcast(at::Tensor& t, int root) override {
    if (size_ == 1) return;
    check_contiguous_cpu(t);
    if (MPI_Bcast(t.data_ptr(), static_cast<int>(t.numel()), mpi_type(t.scalar_type()), root, MPI_COMM_WORLD) != MPI_SUCCESS)
      throw std::runtime_error("MPI_Bcast failed");
  }

 private:
  int rank_, size_;
  static void check_contiguous_cpu(const at::Tensor& t) {
    if (!t.is_contiguous() || !t.device().is_cpu()) throw std::runtime_error("MpiCommunicator: needs contiguous CPU tensors");
  }
};

}  // namespace

std::unique_ptr<Communicator> make_mpi_communicator(const MpiContext& mpi) { return std::make_unique<MpiCommunicator>(mpi); }

void all_reduce_gradients(const std::vector<at::Tensor>& params, Communicator& comm, size_t bucket_bytes) {
  if (comm.size() == 1) return;
  std::vector<at::Tensor> bucket;
  size_t bytes = 0;
  auto flush = [&] {
    if (bucket.empty()) return;
    std::vector<at::Tensor> flats;
    for (const at::Tensor& g : bucket) flats.push_back(g.reshape(-1));
    at::Tensor flat = at::cat(flats);
    comm.all_reduce_sum(flat);
    int64_t offset = 0;
    for (const at::Tensor& g : bucket) {
      g.copy_(flat.narrow(0, offset, g.numel()).view_as(g));
      offset += g.numel();
    }
    bucket.clear();
    bytes = 0;
  };
  for (const at::Tensor& p : params) {
    at::Tensor g = p.grad();
    if (!g.defined()) throw std::runtime_error("all_reduce_gradients: a parameter has no gradient");
    bucket.push_back(g);
    bytes += static_cast<size_t>(g.numel()) * g.element_size();
    if (bytes >= bucket_bytes) flush();
  }
  flush();
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
