#include "eval/sweep_report.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <sstream>
#include <stdexcept>
#include <tuple>

#include "core/util/atomic_file.h"
#include "core/util/config.h"
#include "core/util/config_file.h"
#include "core/util/errors.h"
#include "core/util/json.h"
#include "core/util/line_chart.h"

namespace sinsr::eval {
namespace {

namespace fs = std::filesystem;

const char* const kWeightKeys[] = {"train.w_distill", "train.w_inverse", "train.w_gt"};
// What sinsr train writes to RUN/config.ini; the sweep's differences are looked for there.
const char* const kRunSections[] = {"model", "diffusion", "train"};

std::string results_path(const fs::path& run) { return (run / "eval" / "results.json").string(); }

std::string format(const char* fmt, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, v);
  return buf;
}

// "train.w_distill" -> "w_distill": the sweep's own section stays implicit in tables.
std::string short_key(const std::string& dotted) { return dotted.rfind("train.", 0) == 0 ? dotted.substr(6) : dotted; }

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string md_cell(const std::string& s) {
  std::string out;
  for (char c : s) out += c == '|' ? std::string("\\|") : std::string(1, c);
  return out;
}

std::string file_part(const std::string& s) {
  std::string out = s.empty() ? "none" : s;
  for (char& c : out)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_') c = '_';
  return out;
}

bool better(double a, double b, bool higher_is_better) { return higher_is_better ? a > b : a < b; }

std::string setting_text(const SweepRun& run) {
  std::string s;
  for (const auto& [k, v] : run.setting) s += (s.empty() ? "" : " ") + short_key(k) + "=" + v;
  return s;
}

std::string board_title(const SweepBoard& b) {
  return (b.benchmark.empty() ? "" : b.benchmark + ": ") + upper(b.metric) +
         (b.variant.empty() ? "" : " (" + b.variant + ")");
}

// Ten distinguishable line colours (matplotlib's tab10), cycled.
ChartColour run_colour(size_t i) {
  static const ChartColour kColours[] = {{31, 119, 180},  {255, 127, 14}, {44, 160, 44},   {214, 39, 40},
                                         {148, 103, 189}, {140, 86, 75},  {227, 119, 194}, {127, 127, 127},
                                         {188, 189, 34},  {23, 190, 207}};
  return kColours[i % std::size(kColours)];
}

using BoardKey = std::tuple<std::string, std::string, std::string>;
BoardKey key_of(const ScoreRow& r) { return {r.benchmark, r.metric, r.variant}; }
BoardKey key_of(const SweepBoard& b) { return {b.benchmark, b.metric, b.variant}; }

SweepEntry entry_for(const SweepReport& report, size_t run_index, const BoardKey& key, bool higher_is_better) {
  SweepEntry e;
  e.run = run_index;
  const auto& rows = report.runs[run_index].rows;
  for (const auto& r : rows) {
    if (key_of(r) != key) continue;
    e.final_step = std::max(e.final_step, r.step);
    if (std::isfinite(r.value) && (std::isnan(e.best) || better(r.value, e.best, higher_is_better))) {
      e.best = r.value;
      e.best_checkpoint = r.checkpoint;
      e.best_weights = r.weights;
      e.best_step = r.step;
    }
  }
  for (const auto& r : rows) {
    if (key_of(r) != key || r.step != e.final_step) continue;
    if (r.weights == "student") e.final_student = r.value;
    if (r.weights == "ema") e.final_ema = r.value;
  }
  return e;
}

}  // namespace

std::vector<ScoreRow> read_results_json(const std::string& path) {
  Json j;
  try {
    j = Json::parse(read_file(path));
  } catch (const std::exception& e) {
    throw std::runtime_error("cannot read eval results " + path + ": " + e.what());
  }
  std::vector<ScoreRow> rows;
  try {
    for (const Json& r : j["rows"].as_array()) {
      ScoreRow s;
      s.checkpoint = r["checkpoint"].as_string();
      s.step = r["step"].as_int();
      s.weights = r["weights"].as_string();
      s.benchmark = r["benchmark"].as_string();
      s.metric = r["metric"].as_string();
      s.variant = r["variant"].as_string();
      s.value = r["value"].is_null() ? std::numeric_limits<double>::quiet_NaN() : r["value"].as_number();
      s.images = r["images"].as_int();
      s.higher_is_better = r["higher_is_better"].as_bool();
      rows.push_back(std::move(s));
    }
  } catch (const std::exception& e) {
    throw std::runtime_error(path + " is not a results.json of sinsr eval ({\"rows\": [...]}): " + e.what());
  }
  return rows;
}

SweepReport collect_sweep(const std::string& sweep_dir) {
  if (!fs::is_directory(sweep_dir))
    throw UsageError("sweep folder '" + sweep_dir + "' does not exist or is not a folder");
  SweepReport report;
  report.sweep_dir = sweep_dir;

  std::vector<fs::path> folders;
  for (const auto& e : fs::directory_iterator(sweep_dir))
    if (e.is_directory() && (fs::exists(e.path() / "config.ini") || fs::exists(results_path(e.path()))))
      folders.push_back(e.path());
  std::sort(folders.begin(), folders.end());
  if (folders.empty())
    throw std::runtime_error("'" + sweep_dir +
                             "' holds no run folder (<run>/config.ini from sinsr train or "
                             "<run>/eval/results.json from sinsr eval): is it the SWEEP_DIR of slurm/sweep.sbatch?");

  std::vector<Config> configs;
  std::vector<bool> has_config;
  for (const fs::path& f : folders) {
    const std::string name = f.filename().string();
    std::vector<ScoreRow> rows;
    if (fs::exists(results_path(f))) rows = read_results_json(results_path(f));
    if (rows.empty()) {
      report.without_results.push_back(name);
      continue;
    }
    SweepRun run;
    run.name = name;
    run.rows = std::move(rows);
    report.runs.push_back(std::move(run));
    const bool with_config = fs::exists(f / "config.ini");
    has_config.push_back(with_config);
    try {
      configs.push_back(with_config ? load_config((f / "config.ini").string()) : Config::defaults());
    } catch (const std::exception& e) {
      throw std::runtime_error("run '" + name + "': cannot read its config.ini: " + e.what());
    }
  }
  if (report.runs.empty()) {
    std::string names;
    for (const auto& n : report.without_results) names += (names.empty() ? "" : ", ") + n;
    throw std::runtime_error("no run in '" + sweep_dir + "' has eval results yet: none of its " +
                             std::to_string(folders.size()) + " run folder(s) (" + names +
                             ") has eval/results.json with rows; wait for the sweep's eval steps, or see their logs");
  }

  // The loss weights always; then every key of the runs' config.ini that differs between them.
  report.setting_keys.assign(std::begin(kWeightKeys), std::end(kWeightKeys));
  for (const ConfigKey& k : config_schema()) {
    const std::string dotted = k.dotted();
    if (std::find(std::begin(kRunSections), std::end(kRunSections), k.section) == std::end(kRunSections)) continue;
    if (std::find(report.setting_keys.begin(), report.setting_keys.end(), dotted) != report.setting_keys.end())
      continue;
    bool differs = false;
    for (size_t i = 1; i < configs.size(); ++i) differs |= configs[i].str(dotted) != configs[0].str(dotted);
    if (differs) report.setting_keys.push_back(dotted);
  }
  for (size_t i = 0; i < report.runs.size(); ++i)
    for (const std::string& k : report.setting_keys)
      report.runs[i].setting.emplace_back(k, has_config[i] ? configs[i].str(k) : "?");

  // One board per (benchmark, metric, variant), in order of first appearance.
  for (const SweepRun& run : report.runs)
    for (const ScoreRow& r : run.rows) {
      const BoardKey key = key_of(r);
      if (std::none_of(report.boards.begin(), report.boards.end(),
                       [&](const SweepBoard& b) { return key_of(b) == key; }))
        report.boards.push_back({r.benchmark, r.metric, r.variant, r.higher_is_better, {}});
    }
  for (SweepBoard& b : report.boards) {
    for (size_t i = 0; i < report.runs.size(); ++i) {
      const auto& rows = report.runs[i].rows;
      if (std::any_of(rows.begin(), rows.end(), [&](const ScoreRow& r) { return key_of(r) == key_of(b); }))
        b.entries.push_back(entry_for(report, i, key_of(b), b.higher_is_better));
    }
    std::stable_sort(b.entries.begin(), b.entries.end(), [&](const SweepEntry& x, const SweepEntry& y) {
      if (std::isnan(x.best) || std::isnan(y.best)) return !std::isnan(x.best) && std::isnan(y.best);
      return better(x.best, y.best, b.higher_is_better);
    });
  }
  return report;
}

std::string sweep_best_summary(const SweepReport& report) {
  std::ostringstream o;
  for (const SweepBoard& b : report.boards) {
    o << "best " << board_title(b) << ", " << (b.higher_is_better ? "higher" : "lower") << " is better: ";
    if (b.entries.empty() || std::isnan(b.entries.front().best)) {
      o << "no finite value\n";
      continue;
    }
    const SweepEntry& e = b.entries.front();
    const SweepRun& run = report.runs[e.run];
    o << run.name << " [" << setting_text(run) << "] = " << format("%.6g", e.best) << " at " << e.best_checkpoint << " "
      << e.best_weights << "\n";
  }
  return o.str();
}

SweepFiles write_sweep_report(const SweepReport& report, const std::string& out_dir) {
  fs::create_directories(fs::path(out_dir) / "plots");
  SweepFiles files;
  auto value_or_empty = [](double v, const char* fmt) { return std::isfinite(v) ? format(fmt, v) : std::string(); };

  // Plots: value against step per run.
  std::map<BoardKey, std::string> plot_of;
  for (const SweepBoard& b : report.boards) {
    LineChart chart;
    chart.title = board_title(b);
    chart.x_label = "training step";
    chart.y_label = upper(b.metric) + (b.higher_is_better ? ", higher is better" : ", lower is better");
    for (const SweepEntry& e : b.entries) {
      const SweepRun& run = report.runs[e.run];
      const bool has_student = std::any_of(run.rows.begin(), run.rows.end(), [&](const ScoreRow& r) {
        return key_of(r) == key_of(b) && r.weights == "student";
      });
      ChartSeries& s = chart.series.emplace_back();
      s.label = run.name;
      s.colour = run_colour(e.run);
      s.markers = true;
      for (const ScoreRow& r : run.rows)
        if (key_of(r) == key_of(b) && r.weights == (has_student ? "student" : "ema") && r.step >= 0)
          s.points.emplace_back(static_cast<double>(r.step), r.value);
      std::sort(s.points.begin(), s.points.end());
    }
    const std::string rel =
        "plots/" + file_part(b.benchmark) + "_" + file_part(b.metric) + "_" + file_part(b.variant) + ".png";
    const std::string path = (fs::path(out_dir) / rel).string();
    if (write_line_chart_png(path, chart)) {
      plot_of[key_of(b)] = rel;
      files.plots.push_back(path);
    }
  }

  // CSV: one row per board x run.
  std::string csv = "benchmark,metric,variant,higher_is_better,rank,run";
  for (const std::string& k : report.setting_keys) csv += "," + csv_field(k);
  csv += ",best,best_checkpoint,best_step,best_weights,final_step,final_student,final_ema\n";
  for (const SweepBoard& b : report.boards)
    for (size_t rank = 0; rank < b.entries.size(); ++rank) {
      const SweepEntry& e = b.entries[rank];
      const SweepRun& run = report.runs[e.run];
      csv += csv_field(b.benchmark) + "," + csv_field(b.metric) + "," + csv_field(b.variant) + "," +
             (b.higher_is_better ? "true" : "false") + "," + std::to_string(rank + 1) + "," + csv_field(run.name);
      for (const auto& kv : run.setting) csv += "," + csv_field(kv.second);
      csv += "," + value_or_empty(e.best, "%.10g") + "," + csv_field(e.best_checkpoint) + "," +
             (e.best_step >= 0 ? std::to_string(e.best_step) : "") + "," + csv_field(e.best_weights) + "," +
             (e.final_step >= 0 ? std::to_string(e.final_step) : "") + "," + value_or_empty(e.final_student, "%.10g") +
             "," + value_or_empty(e.final_ema, "%.10g") + "\n";
    }
  files.csv = (fs::path(out_dir) / "leaderboard.csv").string();
  write_file_atomically(files.csv, csv);

  // Markdown: the best setting per metric, then one ranked table per board.
  auto md_value = [](double v) { return std::isfinite(v) ? format("%.6g", v) : std::string("n/a"); };
  std::string setting_header, setting_rule;
  for (const std::string& k : report.setting_keys)
    setting_header += " " + md_cell(short_key(k)) + " |", setting_rule += "---|";
  std::ostringstream md;
  md << "# Sweep report: " << report.sweep_dir << "\n\n" << report.runs.size() << " run(s) with eval results";
  if (!report.without_results.empty()) {
    md << "; without (still running, failed or not evaluated):";
    for (const auto& n : report.without_results) md << " " << n;
  }
  md << ". Each run's value is its best over all its checkpoints and weights (student, EMA).\n\n"
     << "## Best setting per metric\n\n| benchmark | metric | variant | better | run |" << setting_header
     << " best | at |\n|---|---|---|---|---|" << setting_rule << "---|---|\n";
  for (const SweepBoard& b : report.boards) {
    md << "| " << md_cell(b.benchmark) << " | " << md_cell(b.metric) << " | " << md_cell(b.variant) << " | "
       << (b.higher_is_better ? "higher" : "lower") << " | ";
    if (b.entries.empty() || std::isnan(b.entries.front().best)) {
      md << "n/a |";
      for (size_t i = 0; i < report.setting_keys.size(); ++i) md << " |";
      md << " n/a | |\n";
      continue;
    }
    const SweepEntry& e = b.entries.front();
    md << "**" << md_cell(report.runs[e.run].name) << "** |";
    for (const auto& kv : report.runs[e.run].setting) md << " " << md_cell(kv.second) << " |";
    md << " " << md_value(e.best) << " | " << md_cell(e.best_checkpoint) << " " << md_cell(e.best_weights) << " |\n";
  }
  for (const SweepBoard& b : report.boards) {
    md << "\n## " << md_cell(board_title(b)) << ", " << (b.higher_is_better ? "higher" : "lower") << " is better\n\n"
       << "| rank | run |" << setting_header
       << " best | at (checkpoint, weights) | final step | final student | final EMA |\n"
       << "|---|---|" << setting_rule << "---|---|---|---|---|\n";
    for (size_t rank = 0; rank < b.entries.size(); ++rank) {
      const SweepEntry& e = b.entries[rank];
      const SweepRun& run = report.runs[e.run];
      md << "| " << rank + 1 << " | " << md_cell(run.name) << " |";
      for (const auto& kv : run.setting) md << " " << md_cell(kv.second) << " |";
      md << " " << md_value(e.best) << " | " << md_cell(e.best_checkpoint) << " " << md_cell(e.best_weights) << " | "
         << (e.final_step >= 0 ? std::to_string(e.final_step) : "") << " | " << md_value(e.final_student) << " | "
         << md_value(e.final_ema) << " |\n";
    }
    if (plot_of.count(key_of(b))) md << "\n![" << md_cell(board_title(b)) << "](" << plot_of[key_of(b)] << ")\n";
  }
  files.markdown = (fs::path(out_dir) / "leaderboard.md").string();
  write_file_atomically(files.markdown, md.str());
  return files;
}

}  // namespace sinsr::eval
