// sinsr sweep-report SWEEP_DIR: the leaderboard of a loss-weight sweep (slurm/sweep.sbatch) from every run's
// eval results.
#include <iostream>

#include "eval/sweep_report.h"
#include "launcher/commands.h"

namespace sinsr::cli {

namespace {

struct SweepReportOptions {
  std::string sweep_dir, out_dir;  // out_dir empty: SWEEP_DIR/report
};

void declare(po::options_description& o, po::positional_options_description& p, SweepReportOptions& r) {
  o.add_options()("sweep_dir", po::value(&r.sweep_dir)->required()->value_name("SWEEP_DIR"), "the sweep folder")(
      "out", po::value(&r.out_dir)->value_name("DIR"), "report folder (default SWEEP_DIR/report)");
  p.add("sweep_dir", 1);
}

int run(SweepReportOptions& r, const Invocation&) {
  const std::string& dir = r.sweep_dir;
  const std::string out = r.out_dir.empty() ? dir + "/report" : r.out_dir;
  const eval::SweepReport report = eval::collect_sweep(dir);
  const eval::SweepFiles files = eval::write_sweep_report(report, out);
  std::cout << "sweep-report: " << report.runs.size() << " run(s) with results";
  if (!report.without_results.empty()) {
    std::cout << ", " << report.without_results.size() << " without (still running, failed or not evaluated):";
    for (const auto& n : report.without_results) std::cout << " " << n;
  }
  std::cout << "\n"
            << eval::sweep_best_summary(report) << "wrote " << files.csv << ", " << files.markdown << " and "
            << files.plots.size() << " plot(s) in " << out << "/plots\n";
  return 0;
}

}  // namespace

Command sweep_report_command() {
  Command c("sweep-report", "leaderboard of a loss-weight sweep: every run's eval results, best setting per metric",
            "sinsr sweep-report SWEEP_DIR [--out DIR]",
            R"(Reads every run folder SWEEP_DIR/<run>/ of a sweep (slurm/sweep.sbatch): its config.ini (written by
sinsr train) and eval/results.json (sinsr eval --checkpoints). Per benchmark, metric and variant the
runs are ranked by their best value over all checkpoints and weights (student, EMA), following the
metric's direction. Writes OUT/leaderboard.csv, OUT/leaderboard.md (best setting per metric, one
table per metric) and OUT/plots/*.png (metric against step, one line per run), and prints the best
setting per metric. The setting columns are the loss weights and every config key that differs
between the runs. Runs without results yet are listed; a sweep with none is an error.)");
  bind_options(c, declare, run);
  return c;
}

}  // namespace sinsr::cli
