#include "trainer/metrics_log.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <utility>

#include "core/run/run_folder.h"
#include "core/util/atomic_file.h"

namespace fs = std::filesystem;

namespace sinsr::train {

namespace {

// The JSON lines of a log; a torn line is dropped: a resumed run writes that step again.
std::vector<std::pair<std::string, Json>> read_json_lines(const std::string& path) {
  std::vector<std::pair<std::string, Json>> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    try {
      out.emplace_back(line, Json::parse(line));
    } catch (const std::exception&) {
    }
  }
  return out;
}

// The log up to `step`, rewritten atomically.
void truncate_log(const std::string& path, int64_t step) {
  if (!fs::exists(path)) return;
  std::string kept;
  for (const auto& [line, j] : read_json_lines(path))
    if (j["step"].as_int() <= step) kept += line + "\n";
  write_file_atomically(path, kept);
}

void append_line(std::ofstream& out, const std::string& path, const std::string& line) {
  errno = 0;
  out << line << "\n" << std::flush;
  if (!out) throw std::runtime_error("cannot append to " + path + ": " + (errno ? std::strerror(errno) : "I/O error"));
}

std::vector<LossPoint> read_loss_points(const std::string& path, const std::vector<std::string>& terms) {
  std::vector<LossPoint> points;
  for (const auto& [line, j] : read_json_lines(path)) {
    LossPoint p{j["step"].as_int(), {}};
    for (const std::string& term : terms)
      if (j[term].is_number()) p.values.push_back(j[term].as_number());
    if (p.values.size() == terms.size()) points.push_back(std::move(p));  // a skipped step's losses are null
  }
  return points;
}

}  // namespace

MetricsLog::MetricsLog(const std::string& run_dir, std::vector<std::string> terms, int64_t resume_step)
    : metrics_path_((fs::path(run_dir) / run::kMetricsLog).string()),
      validation_path_((fs::path(run_dir) / run::kValidationLog).string()),
      plot_path_((fs::path(run_dir) / "metrics.png").string()),
      terms_(std::move(terms)) {
  truncate_log(metrics_path_, resume_step);
  truncate_log(validation_path_, resume_step);
  metrics_.open(metrics_path_, std::ios::app);
  validation_.open(validation_path_, std::ios::app);
  history_ = read_loss_points(metrics_path_, terms_);
}

void MetricsLog::log_step(const StepMetrics& m) {
  Json line = Json::object();
  line.set("step", Json::number(static_cast<double>(m.step)));
  for (size_t i = 0; i < terms_.size(); ++i) line.set(terms_[i], Json::number(m.losses.at(i)));
  line.set("lr", Json::number(m.lr));
  line.set("grad_norm", Json::number(m.grad_norm));
  if (m.skipped_steps > 0) line.set("skipped_steps", Json::number(static_cast<double>(m.skipped_steps)));
  line.set("samples_per_s", Json::number(m.samples_per_s));
  line.set("s_per_step", Json::number(m.s_per_step));
  line.set("data_wait", Json::number(m.data_wait));
  line.set("peak_mem_mb", Json::number(m.peak_mem_mb));  // the root rank's
  append_line(metrics_, metrics_path_, line.dump());
  history_.push_back({m.step, m.losses});
  write_loss_plot(plot_path_, terms_, history_);
}

void MetricsLog::log_validation(int64_t step, Json metrics) {
  if (metrics.as_object().empty()) return;
  metrics.set("step", Json::number(static_cast<double>(step)));
  append_line(validation_, validation_path_, metrics.dump());
}

}  // namespace sinsr::train
