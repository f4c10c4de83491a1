#include "core/util/threads.h"

#include <ATen/Parallel.h>
#include <dlfcn.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <thread>

#include "core/util/errors.h"

namespace sinsr {

namespace {

int env_int(const char* name) {
  const char* v = std::getenv(name);
  if (!v || !*v) return 0;
  try {
    return std::stoi(v);
  } catch (const std::exception&) {
    return 0;
  }
}

// OpenBLAS (Debian's libblas.so.3 when libopenblas0 is installed) runs its own thread pool, sized to every
// core, behind libtorch's matmuls; left alone it oversubscribes the cores of co-located ranks. Found at run
// time because which BLAS libblas.so.3 resolves to is the machine's choice.
void set_blas_threads(int threads) {
  using SetThreads = void (*)(int);
  if (auto fn = reinterpret_cast<SetThreads>(::dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) fn(threads);
}

}  // namespace

int local_rank_count() {
  for (const char* var : {"OMPI_COMM_WORLD_LOCAL_SIZE", "PMIX_LOCAL_SIZE", "SLURM_NTASKS_PER_NODE", "MPI_LOCALNRANKS"})
    if (int n = env_int(var); n > 0) return n;
  return 1;
}

int set_threads(int threads) {
  if (threads <= 0) threads = env_int("SINSR_THREADS");
  if (threads <= 0) {
    const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    threads = std::max(1, cores / local_rank_count());
  }
  at::set_num_threads(threads);
  set_blas_threads(threads);
  return threads;
}

int configure_threads() {
  const char* v = std::getenv("SINSR_THREADS");
  if (v && *v && env_int("SINSR_THREADS") <= 0)
    throw UsageError(std::string("SINSR_THREADS='") + v + "' is not a positive integer");
  return set_threads(0);
}

}  // namespace sinsr
