// NCCL communicator check (built with -DSINSR_WITH_NCCL=ON). Without arguments it only proves that the
// communicator compiled and linked (the CI check). On GPU nodes:
//   mpirun -np 2 build-nccl/nccl_check --run
// each rank puts (rank + 1) into a 1M-float buffer on GPU <local rank>, all-reduces and broadcasts it
// through the NCCL communicator, and checks the sums on the host.
#include <cuda_runtime.h>

#include <ATen/ATen.h>

#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "core/dist/communicator.h"
#include "core/dist/mpi_context.h"

int main(int argc, char** argv) {
  if (argc < 2 || std::string(argv[1]) != "--run") {
    std::cout << "nccl_check: NCCL communicator linked; run `mpirun -np N nccl_check --run` on GPU nodes\n";
    return 0;
  }
  sinsr::dist::MpiContext mpi;
  const char* local = std::getenv("OMPI_COMM_WORLD_LOCAL_RANK");
  const int device = local ? std::atoi(local) : 0;
  auto comm = sinsr::dist::make_nccl_communicator(mpi, device);
  constexpr int64_t n = 1 << 20;
  float* buf = nullptr;
  if (cudaMalloc(&buf, n * sizeof(float)) != cudaSuccess) {
    std::cerr << "nccl_check: cudaMalloc failed\n";
    return 1;
  }
  std::vector<float> host(n, static_cast<float>(mpi.rank() + 1));
  cudaMemcpy(buf, host.data(), n * sizeof(float), cudaMemcpyHostToDevice);
  at::Tensor t = at::from_blob(buf, {n}, at::TensorOptions().dtype(at::kFloat).device(at::kCUDA, device));
  comm->all_reduce_sum(t);
  cudaMemcpy(host.data(), buf, n * sizeof(float), cudaMemcpyDeviceToHost);
  const float want = static_cast<float>(mpi.size() * (mpi.size() + 1) / 2);
  bool ok = host.front() == want && host.back() == want;
  if (mpi.is_root()) host.assign(n, 42.f);
  cudaMemcpy(buf, host.data(), n * sizeof(float), cudaMemcpyHostToDevice);
  comm->broadcast(t, 0);
  cudaMemcpy(host.data(), buf, n * sizeof(float), cudaMemcpyDeviceToHost);
  ok = ok && host.front() == 42.f && host.back() == 42.f;
  cudaFree(buf);
  std::cout << "nccl_check: rank " << mpi.rank() << " of " << mpi.size() << " on GPU " << device << ": "
            << (ok ? "all-reduce and broadcast correct" : "WRONG RESULTS") << "\n";
  return ok ? 0 : 1;
}
