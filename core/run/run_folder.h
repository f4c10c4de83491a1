// The layout of a training run's folder (docs/architecture.md §3.5), owned here for the trainer that writes it and
// for eval and the demo that read it:
//   RUN_DIR/metrics.jsonl, validation.jsonl    one JSON line per logged / validated step
//   RUN_DIR/ckpt/<step, 9 digits>/             student.pth, ema.pth, optimizer.pt, state.json
//   RUN_DIR/ckpt/latest                        the name of the newest complete checkpoint folder
// A checkpoint folder is filled under a temporary name and published by one durable rename; `latest` is then
// replaced atomically, so it always names a complete checkpoint.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sinsr::run {

inline constexpr const char* kCheckpointsFolder = "ckpt";
inline constexpr const char* kStudentWeights = "student.pth";
inline constexpr const char* kEmaWeights = "ema.pth";
// The networks of a checkpoint by the names reports give them: "<name>.pth" in the checkpoint folder.
inline constexpr const char* kWeightNames[] = {"student", "ema"};
inline constexpr const char* kOptimizerState = "optimizer.pt";
inline constexpr const char* kStateFile = "state.json";
inline constexpr const char* kMetricsLog = "metrics.jsonl";
inline constexpr const char* kValidationLog = "validation.jsonl";

// "000000123" for step 123; checkpoint_step is its inverse and refuses any other name.
std::string checkpoint_name(int64_t step);
std::optional<int64_t> checkpoint_step(const std::string& folder_name);

struct CheckpointFolder {
  std::string name, dir;
  int64_t step = 0;
};
// The checkpoint folders under `ckpt_root` (RUN_DIR/ckpt), oldest first; temporaries and other files are skipped.
std::vector<CheckpointFolder> list_checkpoints(const std::string& ckpt_root);

// The checkpoint `latest` names, if any; throws IntegrityError when it names a folder that does not exist.
std::optional<std::string> latest_checkpoint(const std::string& run_dir);

// A fresh, empty temporary folder to fill with step `step`'s files (under RUN_DIR/ckpt, never listed).
std::string begin_checkpoint(const std::string& run_dir, int64_t step);
// Publishes a filled temporary folder as step `step` (replacing a re-save of the same step), points `latest` at it,
// then keeps the newest `keep` checkpoints and drops stale temporaries.
void publish_checkpoint(const std::string& temp_dir, const std::string& run_dir, int64_t step, int keep);

}  // namespace sinsr::run
