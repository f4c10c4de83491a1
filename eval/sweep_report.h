// `sinsr sweep-report SWEEP_DIR`: one leaderboard over the runs of a loss-weight sweep (slurm/sweep.sbatch).
// Each run is a folder SWEEP_DIR/<name>/ holding config.ini (written by sinsr train) and eval/results.json
// (sinsr eval --checkpoints ... --out <run>/eval). Per (benchmark, metric, variant) the runs are ranked by
// their best value over all their checkpoints and weights (student, EMA), following higher_is_better.
#pragma once
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "eval/report.h"

namespace sinsr::eval {

// The rows of a results.json written by write_results_json (a null value reads as NaN). Throws
// std::runtime_error naming the file when it cannot be read or is not in that format.
std::vector<ScoreRow> read_results_json(const std::string& path);

struct SweepRun {
  std::string name;  // the folder's name
  // (dotted key, value): train.w_distill, train.w_inverse, train.w_gt, then every key of config.ini whose value
  // differs between the runs (SweepReport::setting_keys order). "?" when the run has no config.ini.
  std::vector<std::pair<std::string, std::string>> setting;
  std::vector<ScoreRow> rows;  // its eval/results.json
};

// One run's result on one (benchmark, metric, variant).
struct SweepEntry {
  size_t run = 0;                                          // index into SweepReport::runs
  double best = std::numeric_limits<double>::quiet_NaN();  // best finite value over checkpoints and weights
  std::string best_checkpoint, best_weights;
  int64_t best_step = -1;
  int64_t final_step = -1;  // the run's last evaluated step, and its values there (NaN when absent)
  double final_student = std::numeric_limits<double>::quiet_NaN();
  double final_ema = std::numeric_limits<double>::quiet_NaN();
};

struct SweepBoard {
  std::string benchmark, metric, variant;
  bool higher_is_better = true;
  std::vector<SweepEntry> entries;  // best first; runs without a finite value last
};

struct SweepReport {
  std::string sweep_dir;
  std::vector<SweepRun> runs;                // runs with results, sorted by name
  std::vector<std::string> without_results;  // run folders without eval/results.json (or with no rows)
  std::vector<std::string> setting_keys;     // the keys of every run's `setting`, in order
  std::vector<SweepBoard> boards;            // in order of first appearance in the runs' results
};

// Reads every run folder of sweep_dir: immediate subfolders that hold config.ini or eval/results.json
// (others, such as logs/ or report/, are ignored). Throws UsageError when sweep_dir is not a folder and
// std::runtime_error when it has no run folder, or no run has results yet (naming what was looked for).
SweepReport collect_sweep(const std::string& sweep_dir);

struct SweepFiles {
  std::string csv, markdown;
  std::vector<std::string> plots;
};
// Writes out_dir/leaderboard.csv (one row per board x run: rank, setting, best value and where it was
// reached, the final student/EMA values), out_dir/leaderboard.md (the best setting per metric, then one
// ranked table per board with its plot) and out_dir/plots/<benchmark>_<metric>_<variant>.png (value
// against training step, one line per run: its student weights, or EMA where a run has no student rows).
// All files are written atomically; out_dir is created.
SweepFiles write_sweep_report(const SweepReport& report, const std::string& out_dir);

// "best <benchmark> <METRIC> (<variant>, higher is better): <run> [w_distill=1 ...] = <value> at <checkpoint>
// <weights>", one line per board.
std::string sweep_best_summary(const SweepReport& report);

}  // namespace sinsr::eval
