#include "eval/report.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iterator>
#include <map>
#include <set>
#include <tuple>

#include "core/util/atomic_file.h"
#include "core/util/json.h"
#include "core/util/line_chart.h"
#include "eval/html_page.h"

namespace sinsr::eval {
namespace {

std::string format_double(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

// RFC 4180: quote a field holding a separator, a quote or a line break; double the quotes inside.
std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

Json row_json(const ScoreRow& r) {
  Json j = Json::object();
  j.set("checkpoint", Json::string(r.checkpoint));
  j.set("step", Json::number(static_cast<double>(r.step)));
  j.set("weights", Json::string(r.weights));
  j.set("benchmark", Json::string(r.benchmark));
  j.set("metric", Json::string(r.metric));
  j.set("variant", Json::string(r.variant));
  // JSON has no NaN or infinity: a mean that is not a number is written as null.
  j.set("value", std::isfinite(r.value) ? Json::number(r.value) : Json());
  j.set("images", Json::number(static_cast<double>(r.images)));
  j.set("higher_is_better", Json::boolean(r.higher_is_better));
  return j;
}

using SeriesKey = std::tuple<std::string, std::string, std::string>;  // benchmark, metric, variant

SeriesKey series_key(const ScoreRow& r) { return {r.benchmark, r.metric, r.variant}; }

// Distinct values of `key(row)` in order of first appearance.
template <typename Key, typename F>
std::vector<Key> distinct_in_order(const std::vector<const ScoreRow*>& rows, F key) {
  std::vector<Key> out;
  for (const ScoreRow* r : rows)
    if (std::find(out.begin(), out.end(), key(*r)) == out.end()) out.push_back(key(*r));
  return out;
}

std::vector<const ScoreRow*> pointers_to(const std::vector<ScoreRow>& rows) {
  std::vector<const ScoreRow*> out;
  for (const auto& r : rows) out.push_back(&r);
  return out;
}

// Letters, digits, '.', '-' and '_' kept; anything else (spaces, slashes, non-ASCII) becomes '_'.
std::string file_name_part(const std::string& s) {
  std::string out = s;
  for (char& c : out)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_') c = '_';
  return out;
}

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// "Set5: PSNR (pyiqa-ycbcr)"; `separator` goes after the benchmark (the charts' Hershey font is ASCII only).
std::string series_title(const std::string& benchmark, const std::string& metric, const std::string& variant,
                         const std::string& separator) {
  const std::string of_variant = variant.empty() ? "" : " (" + variant + ")";
  return (benchmark.empty() ? "" : benchmark + separator) + upper(metric) + of_variant;
}

ChartColour weights_colour(const std::string& weights, size_t index) {
  if (weights == "student") return {31, 119, 180};  // blue
  if (weights == "ema") return {255, 127, 14};      // orange
  static const ChartColour others[] = {{44, 160, 44}, {214, 39, 40}, {148, 103, 189}, {140, 86, 75}};
  return others[index % std::size(others)];
}

LineChart metric_chart(const SeriesKey& key, const std::vector<const ScoreRow*>& rows) {
  const auto& [benchmark, metric, variant] = key;
  LineChart chart;
  chart.title = series_title(benchmark, metric, variant, ": ");
  chart.x_label = "training step";
  chart.y_label = upper(metric) + (rows.front()->higher_is_better ? ", higher is better" : ", lower is better");
  const auto weights = distinct_in_order<std::string>(rows, [](const ScoreRow& r) { return r.weights; });
  for (size_t i = 0; i < weights.size(); ++i) {
    ChartSeries& series = chart.series.emplace_back();
    series.label = weights[i].empty() ? "(no weights name)" : weights[i];
    series.colour = weights_colour(weights[i], i);
    series.markers = true;  // a point per checkpoint: often only a handful
    for (const ScoreRow* r : rows)
      if (r->weights == weights[i]) series.points.emplace_back(static_cast<double>(r->step), r->value);
    std::sort(series.points.begin(), series.points.end());
  }
  return chart;
}

// Decimals that show the differences between checkpoints that matter for each metric.
std::string format_value(const std::string& metric, double v) {
  if (metric == "psnr") return format_double("%.3f", v);
  if (metric == "ssim" || metric == "lpips" || metric == "clipiqa") return format_double("%.4f", v);
  if (metric == "musiq") return format_double("%.2f", v);
  return format_double("%.4g", v);
}

// The best finite value per (benchmark, metric, variant), following the first row's higher_is_better.
std::map<SeriesKey, double> best_values(const std::vector<ScoreRow>& rows) {
  std::map<SeriesKey, double> best;
  std::map<SeriesKey, bool> higher;
  for (const auto& r : rows) {
    if (!std::isfinite(r.value)) continue;
    const SeriesKey key = series_key(r);
    const auto [it, fresh] = best.emplace(key, r.value);
    const bool higher_is_better = higher.emplace(key, r.higher_is_better).first->second;
    if (!fresh) it->second = higher_is_better ? std::max(it->second, r.value) : std::min(it->second, r.value);
  }
  return best;
}

struct TableLine {
  std::string checkpoint;
  int64_t step;
  std::string weights;
  std::vector<std::vector<const ScoreRow*>> cells;  // one per column; more than one if rows repeat
};

struct Column {
  std::string metric, variant;
  bool higher_is_better;
};

std::string column_header(const Column& c) {
  const char* arrow = c.higher_is_better ? "&uarr;" : "&darr;";
  const char* hint = c.higher_is_better ? "higher is better" : "lower is better";
  return "<th class=\"num\" title=\"" + std::string(hint) + "\">" + html_escape(upper(c.metric)) + "&nbsp;" + arrow +
         "<span class=\"variant\">" + html_escape(c.variant) + "</span></th>";
}

std::string value_cell(const std::vector<const ScoreRow*>& cell, const std::map<SeriesKey, double>& best) {
  if (cell.empty()) return "<td class=\"num missing\">&ndash;</td>";
  std::string html = "<td class=\"num\">";
  for (size_t i = 0; i < cell.size(); ++i) {
    const ScoreRow& r = *cell[i];
    const auto b = best.find(series_key(r));
    const bool is_best = b != best.end() && r.value == b->second;
    const std::string text = html_escape(format_value(r.metric, r.value));
    html += (i ? "<br>" : "") + std::string("<span title=\"") + format_double("%.10g", r.value) + " over " +
            std::to_string(r.images) + " images\">" + (is_best ? "<strong>" + text + "</strong>" : text) + "</span>";
  }
  return html + "</td>";
}

std::string images_note(const std::vector<const ScoreRow*>& rows) {
  int64_t lo = rows.front()->images, hi = lo;
  for (const ScoreRow* r : rows) lo = std::min(lo, r->images), hi = std::max(hi, r->images);
  const std::string count = lo == hi ? std::to_string(lo) : std::to_string(lo) + "&ndash;" + std::to_string(hi);
  return "<p class=\"note\">Means over " + count + " images. Best per column in bold.</p>\n";
}

std::string benchmark_table(const std::string& benchmark, const std::vector<const ScoreRow*>& rows,
                            const std::map<SeriesKey, double>& best) {
  std::vector<Column> columns;
  std::vector<TableLine> lines;
  for (const ScoreRow* r : rows) {
    auto col = std::find_if(columns.begin(), columns.end(),
                            [&](const Column& c) { return c.metric == r->metric && c.variant == r->variant; });
    if (col == columns.end()) col = columns.insert(columns.end(), Column{r->metric, r->variant, r->higher_is_better});
    auto line = std::find_if(lines.begin(), lines.end(), [&](const TableLine& l) {
      return l.checkpoint == r->checkpoint && l.step == r->step && l.weights == r->weights;
    });
    if (line == lines.end()) line = lines.insert(lines.end(), TableLine{r->checkpoint, r->step, r->weights, {}});
    line->cells.resize(columns.size());
    line->cells[static_cast<size_t>(col - columns.begin())].push_back(r);
  }
  const std::string heading = benchmark.empty() ? "Prediction folders" : html_escape(benchmark);
  std::string html = "<h3>" + heading + "</h3>\n" + images_note(rows);
  html += "<div class=\"table-wrap\"><table>\n<thead><tr>";
  html += "<th>checkpoint</th><th class=\"num\">step</th><th>weights</th>";
  for (const auto& c : columns) html += column_header(c);
  html += "</tr></thead>\n<tbody>\n";
  for (auto& line : lines) {
    line.cells.resize(columns.size());  // lines that ended before a later column appeared
    html += "<tr><td>" + html_escape(line.checkpoint) + "</td><td class=\"num\">" +
            (line.step >= 0 ? std::to_string(line.step) : "&ndash;") + "</td><td>" +
            (line.weights.empty() ? "&ndash;" : html_escape(line.weights)) + "</td>";
    for (const auto& cell : line.cells) html += value_cell(cell, best);
    html += "</tr>\n";
  }
  return html + "</tbody>\n</table></div>\n";
}

std::string results_section(const std::vector<ScoreRow>& rows) {
  std::string html = "<h2>Results</h2>\n";
  if (rows.empty()) return html + "<p class=\"note\">No scores.</p>\n";
  const auto all = pointers_to(rows);
  const auto best = best_values(rows);
  for (const auto& benchmark : distinct_in_order<std::string>(all, [](const ScoreRow& r) { return r.benchmark; })) {
    std::vector<const ScoreRow*> of_benchmark;
    for (const ScoreRow* r : all)
      if (r->benchmark == benchmark) of_benchmark.push_back(r);
    html += benchmark_table(benchmark, of_benchmark, best);
  }
  return html;
}

std::string plots_section(const std::vector<MetricPlot>& plots) {
  if (plots.empty()) return "";
  std::string html = "<h2>Against training step</h2>\n<div class=\"grid\">\n";
  for (const auto& p : plots)
    html += figure("plot", p.png, series_title(p.benchmark, p.metric, p.variant, " \xC2\xB7 "));  // a middle dot
  return html + "</div>\n";
}

}  // namespace

void write_results_csv(const std::string& path, const std::vector<ScoreRow>& rows) {
  std::string text = "checkpoint,step,weights,benchmark,metric,variant,value,images,higher_is_better\n";
  for (const auto& r : rows) {
    text += csv_field(r.checkpoint) + "," + std::to_string(r.step) + "," + csv_field(r.weights) + "," +
            csv_field(r.benchmark) + "," + csv_field(r.metric) + "," + csv_field(r.variant) + "," +
            format_double("%.10g", r.value) + "," + std::to_string(r.images) + "," +
            (r.higher_is_better ? "true" : "false") + "\n";
  }
  write_file_atomically(path, text);
}

void write_results_json(const std::string& path, const std::vector<ScoreRow>& rows) {
  Json list = Json::array();
  for (const auto& r : rows) list.push_back(row_json(r));
  Json doc = Json::object();
  doc.set("rows", std::move(list));
  write_file_atomically(path, doc.dump(2) + "\n");
}

std::vector<MetricPlot> write_metric_plots(const std::string& dir, const std::vector<ScoreRow>& rows) {
  std::vector<const ScoreRow*> stepped;
  for (const auto& r : rows)
    if (r.step >= 0) stepped.push_back(&r);
  if (stepped.empty()) return {};
  std::filesystem::create_directories(dir);
  // The report lives in dir's parent folder, so the PNGs are linked as "<dir name>/<file>".
  const std::filesystem::path dir_path = std::filesystem::path(dir).lexically_normal();
  const std::string dir_name = (dir_path.has_filename() ? dir_path : dir_path.parent_path()).filename().string();

  std::vector<MetricPlot> written;
  std::set<std::string> used_names;
  for (const auto& key : distinct_in_order<SeriesKey>(stepped, series_key)) {
    std::vector<const ScoreRow*> of_key;
    for (const ScoreRow* r : stepped)
      if (series_key(*r) == key) of_key.push_back(r);
    const auto& [benchmark, metric, variant] = key;
    // Names that differ only in replaced characters must not overwrite each other.
    const std::string stem = file_name_part(benchmark + "_" + metric + (variant.empty() ? "" : "_" + variant));
    std::string name = stem + ".png";
    for (int n = 2; used_names.count(name); ++n) name = stem + "_" + std::to_string(n) + ".png";
    if (!write_line_chart_png((std::filesystem::path(dir) / name).string(), metric_chart(key, of_key))) continue;
    used_names.insert(name);
    written.push_back({benchmark, metric, variant, dir_name + "/" + name});
  }
  return written;
}

void write_html_report(const std::string& path, const std::string& title, const std::vector<ScoreRow>& rows,
                       const std::vector<MetricPlot>& plots, const std::vector<CropSet>& crops) {
  write_html_page(path, title, results_section(rows) + plots_section(plots) + crops_section(crops));
}

}  // namespace sinsr::eval
