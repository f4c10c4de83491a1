// `sinsr eval`: scores a folder of outputs against references (or alone, no-reference metrics), or every
// checkpoint of a training run on a benchmark (one-step inference with the `sinsr infer` code path, then
// the benchmark's metrics), incrementally: results are cached per (checkpoint file hash, benchmark,
// metric, variant). Images are spread over MPI ranks; the numbers do not depend on how many.
#pragma once
#include <cstdint>
#include <string>

#include "core/dist/mpi_context.h"
#include "core/util/config.h"

namespace sinsr::eval {

struct EvalSettings {
  std::string pred_dir, gt_dir;                                                 // folder mode
  std::string checkpoints_dir, benchmark_path, autoencoder_path, teacher_path;  // checkpoint mode
  std::string out_dir;                                                          // results; required in checkpoint mode
  uint64_t seed = 12345;       // inference noise (as sinsr infer --seed)
  std::string device = "cpu";  // --device (dist::rank_device): inference and the metric networks
  Config config;               // [eval]; checkpoint mode also [model] [autoencoder] [diffusion]
};

// Exit code: 0, or 1 when some image could not be scored (the others are reported).
int run_eval_folders(const EvalSettings& settings, const dist::MpiContext& mpi);
int run_eval_checkpoints(const EvalSettings& settings, const dist::MpiContext& mpi);

}  // namespace sinsr::eval
