// NCCL communicator check (built with -DSINSR_WITH_NCCL=ON). Without arguments it only proves that the
// communicator compiled and linked (the CI check). On GPU nodes:
//   mpirun -np 2 build-nccl/nccl_check --run
// Each rank takes the GPU the trainer would give it (dist::rank_device("cuda"): its index among the ranks of
// its node, modulo the visible GPUs) and checks, on the host:
//   1. raw buffers: (rank + 1) in a 1M-float cudaMalloc buffer, all-reduced, then root's 42 broadcast;
//   2. the trainer's path on LibTorch CUDA tensors: GradientSync over several buckets, overlapped with a
//      real backward (side stream) and after it, broadcast_tensors (float32, float64, int64) and
//      replicas_agree (true, then false after one rank changes a value).
// NCCL refuses two ranks on one GPU, so `-np 2` on a one-GPU machine fails in ncclCommInitRank unless each
// rank claims another host (NCCL_HOSTID, tools/gpu-check.sh does that to test the 2-rank path anyway).
#include <cuda_runtime.h>

#include <ATen/ATen.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "core/dist/communicator.h"
#include "core/dist/device.h"
#include "core/dist/grad_sync.h"
#include "core/dist/mpi_context.h"

namespace {

bool raw_buffers(sinsr::dist::Communicator& comm, int device, std::ostream& log) {
  constexpr int64_t n = 1 << 20;
  float* buf = nullptr;
  if (cudaMalloc(&buf, n * sizeof(float)) != cudaSuccess) {
    log << " cudaMalloc failed;";
    return false;
  }
  std::vector<float> host(n, static_cast<float>(comm.rank() + 1));
  cudaMemcpy(buf, host.data(), n * sizeof(float), cudaMemcpyHostToDevice);
  at::Tensor t = at::from_blob(buf, {n}, at::TensorOptions().dtype(at::kFloat).device(at::kCUDA, device));
  comm.all_reduce_sum(t);
  cudaMemcpy(host.data(), buf, n * sizeof(float), cudaMemcpyDeviceToHost);
  const float want = static_cast<float>(comm.size() * (comm.size() + 1) / 2);
  bool ok = host.front() == want && host.back() == want && host[n / 2] == want;
  if (comm.rank() == 0) host.assign(n, 42.f);
  cudaMemcpy(buf, host.data(), n * sizeof(float), cudaMemcpyHostToDevice);
  comm.broadcast(t, 0);
  cudaMemcpy(host.data(), buf, n * sizeof(float), cudaMemcpyDeviceToHost);
  ok = ok && host.front() == 42.f && host.back() == 42.f && host[n / 2] == 42.f;
  cudaFree(buf);
  log << " raw all-reduce+broadcast " << (ok ? "ok" : "WRONG") << ";";
  return ok;
}

bool trainer_path(sinsr::dist::Communicator& comm, const c10::Device& device, std::ostream& log) {
  const int rank = comm.rank(), size = comm.size();
  const auto f32 = at::TensorOptions().dtype(at::kFloat).device(device);
  // Parameter sizes that straddle the 1 MiB buckets used below: several buckets, one tensor larger than a bucket.
  const std::vector<int64_t> sizes = {1000, 300000, 7, 524288, 12345, 3};
  bool grads_ok = true;
  for (const auto mode : {sinsr::dist::GradSyncMode::Overlap, sinsr::dist::GradSyncMode::AfterBackward}) {
    std::vector<at::Tensor> params;
    for (int64_t n : sizes) params.push_back(at::zeros({n}, f32).requires_grad_());
    sinsr::dist::GradientSync sync(params, comm, mode, size_t{1} << 20);
    // Two micro-batches like the trainer: the first only accumulates, the second communicates. d loss / d p_i =
    // (rank + 1)(i + 1) per micro-batch, so the sum over ranks and both micro-batches is size(size+1)(i+1).
    for (const bool last : {false, true}) {
      at::Tensor loss = at::zeros({}, f32);
      for (size_t i = 0; i < params.size(); ++i)
        loss = loss + params[i].sum() * static_cast<double>((rank + 1) * (i + 1));
      sync.begin_backward(last);
      loss.backward();
    }
    sync.finish();
    for (size_t i = 0; i < params.size(); ++i) {
      const float want = static_cast<float>(size * (size + 1) * (i + 1));
      grads_ok = grads_ok && params[i].grad().eq(want).all().item<bool>();
    }
  }
  log << " GradientSync (overlap, after_backward) " << (grads_ok ? "ok" : "WRONG") << ";";

  // Root's values everywhere, whatever dtype (weights float32, EMA float64 sums, int64 index buffers).
  std::vector<at::Tensor> ts = {at::full({4096}, 100.0f + rank, f32),
                                at::full({77}, 0.25 + rank, f32.dtype(at::kDouble)),
                                at::arange(1000, f32.dtype(at::kLong)) + rank};
  sinsr::dist::broadcast_tensors(ts, comm, 0);
  const bool bcast_ok = ts[0].eq(100.0f).all().item<bool>() && ts[1].eq(0.25).all().item<bool>() &&
                        ts[2].equal(at::arange(1000, f32.dtype(at::kLong)));
  log << " broadcast_tensors " << (bcast_ok ? "ok" : "WRONG") << ";";

  // The trainer's drift check: equal replicas agree; one changed value on the last rank is seen by every rank.
  std::vector<at::Tensor> replica;
  for (int64_t n : sizes) replica.push_back(at::full({n}, 1.0f + rank, f32));
  sinsr::dist::broadcast_tensors(replica, comm, 0);
  bool agree_ok = sinsr::dist::replicas_agree(replica, comm);
  if (size > 1) {
    if (rank == size - 1) replica[1].add_(1.0f);
    agree_ok = agree_ok && !sinsr::dist::replicas_agree(replica, comm);
  }
  log << " replicas_agree " << (agree_ok ? "ok" : "WRONG") << ";";
  return grads_ok && bcast_ok && agree_ok;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::string(argv[1]) != "--run") {
    std::cout << "nccl_check: NCCL communicator linked; run `mpirun -np N nccl_check --run` on GPU nodes\n";
    return 0;
  }
  sinsr::dist::MpiContext mpi;
  std::ostringstream log;
  bool ok = false;
  log << "nccl_check: rank " << mpi.rank() << " of " << mpi.size() << " (local " << mpi.local_rank() << " of "
      << mpi.local_size() << ")";
  try {
    const c10::Device dev = sinsr::dist::rank_device("cuda", mpi);  // the trainer's and datagen's mapping
    const int device = dev.index();
    cudaDeviceProp prop{};
    cudaGetDeviceProperties(&prop, device);
    char bus[32] = "?";
    cudaDeviceGetPCIBusId(bus, sizeof bus, device);
    log << " on GPU " << device << " (" << prop.name << ", " << bus << "):";
    const auto t0 = std::chrono::steady_clock::now();
    auto comm = sinsr::dist::make_communicator(mpi, dev);
    log << " " << comm->name() << " init "
        << std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() << " s;";
    const bool raw = raw_buffers(*comm, device, log);
    const bool path = trainer_path(*comm, dev, log);
    ok = raw && path;
    log << (ok ? " ALL CORRECT" : " WRONG RESULTS");
  } catch (const std::exception& e) {
    log << " error: " << e.what();
  }
  std::cout << log.str() << "\n" << std::flush;
  // A rank that failed alone would leave the others waiting in a collective (MPI_Finalize too): take the job down.
  if (!ok) mpi.abort(1);
  return 0;
}
