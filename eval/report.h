// What `sinsr eval` writes for a set of scores: results.csv / results.json (one row per checkpoint x
// benchmark x metric x variant), one PNG per (benchmark, metric, variant) of the value against training
// step, and an HTML report with the table, the plots and side-by-side crops.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "eval/html_page.h"

namespace sinsr::eval {

struct ScoreRow {
  std::string checkpoint;  // checkpoint folder name ("000000200") or, for --pred, the prediction folder
  int64_t step = -1;       // training step; -1 when the row is not a checkpoint's
  std::string weights;     // "student", "ema", or "" for --pred
  std::string benchmark;   // benchmark name, or "" for --pred
  std::string metric;      // "psnr", "ssim", "lpips", "clipiqa", "musiq"
  std::string variant;     // e.g. "pyiqa-ycbcr", "basicsr", "alex", "rn50", "koniq"
  double value = 0;        // mean over the images
  int64_t images = 0;      // how many images the mean is over
  bool higher_is_better = true;
};

// Atomic writes (temporary name + rename). CSV: a header line, then one row per ScoreRow in the given order,
// values printed with enough digits to round-trip (%.10g), fields quoted where they contain a comma or quote.
void write_results_csv(const std::string& path, const std::vector<ScoreRow>& rows);
// JSON: {"rows": [{"checkpoint": ..., "step": ..., ...}, ...]}. (Added:) a non-finite value is written as null,
// as JSON has no NaN or infinity.
void write_results_json(const std::string& path, const std::vector<ScoreRow>& rows);

struct MetricPlot {
  std::string benchmark, metric, variant;
  std::string png;  // path relative to the report's folder
};
// One PNG per (benchmark, metric, variant) that has rows with step >= 0: value against step, one line per
// `weights` ("student", "ema"). Written into `dir` (created); returns what was written, in a stable order.
// (Added:) the order is the rows' order of first appearance; the report is expected in dir's parent folder,
// so MetricPlot::png is "<dir's last component>/<file>". A key whose values are all non-finite gets no PNG.
std::vector<MetricPlot> write_metric_plots(const std::string& dir, const std::vector<ScoreRow>& rows);

// A self-contained HTML page (inline CSS, no scripts, relative links to the PNGs): a title, the results
// table (best value per benchmark x metric x variant in bold, following higher_is_better), the plots and
// the crop sets. Written atomically.
void write_html_report(const std::string& path, const std::string& title, const std::vector<ScoreRow>& rows,
                       const std::vector<MetricPlot>& plots, const std::vector<CropSet>& crops);

}  // namespace sinsr::eval
