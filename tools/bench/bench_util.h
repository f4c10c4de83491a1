// Helpers of the benchmarks that drive the sinsr binary (bench_datagen, bench_train).
#pragma once
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/io/pth.h"
#include "core/io/state_dict.h"
#include "core/nn/model_config.h"
#include "core/nn/unet_swin.h"
#include "core/nn/vq_autoencoder.h"
#include "core/util/config.h"

namespace sinsr::bench {

// Which BLAS libtorch's linear layers and matmuls call: the file mapped as libblas.so.3, which Debian's
// alternatives (or LD_LIBRARY_PATH) point at the reference BLAS or OpenBLAS.
inline std::string blas_library() {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line))
    if (line.find("libblas.so") != std::string::npos) return line.substr(line.find('/'));
  return "unknown";
}

// "64,128,256" -> {64, 128, 256} (the benches' --sizes and --steps).
inline std::vector<int64_t> parse_int_list(const std::string& list) {
  std::vector<int64_t> out;
  std::stringstream in(list);
  std::string item;
  while (std::getline(in, item, ',')) out.push_back(std::stoll(item));
  return out;
}

// Runs a shell command, returns its output; throws with the output when it fails.
inline std::string run_or_throw(const std::string& cmd) {
  std::string out;
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  if (pclose(p) != 0) throw std::runtime_error("failed: " + cmd + "\n" + out);
  return out;
}

// Random-initialised teacher.pth and vq.pth of the config in `dir` (the work does not depend on values).
inline void write_random_weights(const Config& cfg, const std::filesystem::path& dir) {
  torch::manual_seed(0);
  nn::UNetModelSwin teacher(UNetConfig::from_config(cfg));
  nn::VQModelTorch vq(VQConfig::from_config(cfg));
  io::write_state_dict((dir / "teacher.pth").string(), io::module_state_dict(*teacher));
  io::write_state_dict((dir / "vq.pth").string(), io::module_state_dict(*vq));
}

inline const char* kMpirun2 = "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 mpirun -np 2 --oversubscribe ";

}  // namespace sinsr::bench
