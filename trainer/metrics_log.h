// What a training run logs, owned in one place (the files are in docs/architecture.md §3.5):
//   RUN_DIR/metrics.jsonl     one JSON line per log step: step, the loss terms, lr, grad_norm, [skipped_steps],
//                             samples_per_s, s_per_step, data_wait, peak_mem_mb
//   RUN_DIR/validation.jsonl  one JSON line per validation: the objective's metrics and step
//   RUN_DIR/metrics.png       the loss curves so far (loss_plot.h)
// Rank 0 only. A torn last line (a crash or a full disk while it was appended) is dropped when the log is opened.
#pragma once
#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include "core/util/json.h"
#include "trainer/loss_plot.h"

namespace sinsr::train {

struct StepMetrics {
  int64_t step = 0;
  std::vector<double> losses;  // batch means, one per term
  double lr = 0, grad_norm = 0;
  int64_t skipped_steps = 0;  // written only when some were skipped
  double samples_per_s = 0, s_per_step = 0, data_wait = 0, peak_mem_mb = 0;
};

class MetricsLog {
 public:
  // Opens the logs of `run_dir` for appending, cut back to `resume_step` (lines past the checkpoint a run
  // resumes from are redone).
  MetricsLog(const std::string& run_dir, std::vector<std::string> terms, int64_t resume_step);
  void log_step(const StepMetrics& m);              // also redraws metrics.png
  void log_validation(int64_t step, Json metrics);  // nothing for an empty object

 private:
  std::string metrics_path_, validation_path_, plot_path_;
  std::vector<std::string> terms_;
  std::ofstream metrics_, validation_;
  std::vector<LossPoint> history_;
};

}  // namespace sinsr::train
