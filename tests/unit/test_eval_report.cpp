#include <gtest/gtest.h>
#include <unistd.h>

#include <opencv2/imgcodecs.hpp>

#include <cstdio>
#include <filesystem>
#include <set>

#include "core/util/atomic_file.h"
#include "core/util/json.h"
#include "core/util/line_chart.h"
#include "eval/report.h"

namespace sinsr::test {
namespace {

namespace fs = std::filesystem;
using eval::ScoreRow;

// A fresh folder per test, removed afterwards.
class EvalReport : public ::testing::Test {
 protected:
  fs::path dir = fs::temp_directory_path() / ("sinsr_eval_report_" + std::to_string(::getpid()) + "_" +
                                              ::testing::UnitTest::GetInstance()->current_test_info()->name());
  void SetUp() override {
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  void TearDown() override { fs::remove_all(dir); }
  std::string at(const std::string& name) const { return (dir / name).string(); }
};

ScoreRow row(std::string checkpoint, int64_t step, std::string weights, std::string benchmark, std::string metric,
             std::string variant, double value, bool higher_is_better = true, int64_t images = 5) {
  return {std::move(checkpoint),
          step,
          std::move(weights),
          std::move(benchmark),
          std::move(metric),
          std::move(variant),
          value,
          images,
          higher_is_better};
}

// Two checkpoints x two weights on Set5 (PSNR higher is better, LPIPS lower is better), one on RealSR, and a
// --pred folder (step -1, no benchmark). Strings with the characters CSV and HTML must protect.
std::vector<ScoreRow> sample_rows() {
  return {
      row("000000200", 200, "student", "Set5", "psnr", "pyiqa-ycbcr", 30.123456789012),
      row("000000200", 200, "ema", "Set5", "psnr", "pyiqa-ycbcr", 29.5),
      row("000000400", 400, "student", "Set5", "psnr", "pyiqa-ycbcr", 31.75),
      row("000000400", 400, "ema", "Set5", "psnr", "pyiqa-ycbcr", 31.25),
      row("000000200", 200, "student", "Set5", "lpips", "alex", 0.2345678, false),
      row("000000200", 200, "ema", "Set5", "lpips", "alex", 0.1875, false),
      row("000000400", 400, "student", "Set5", "lpips", "alex", 0.2125, false),
      row("000000400", 400, "ema", "Set5", "lpips", "alex", 0.25, false),
      row("000000400", 400, "student", "RealSR, \"v3\"", "musiq", "koniq", 61.987654, true, 100),
      row("preds/<script>alert(1)</script>", -1, "", "", "clipiqa", "rn50", 0.61234567),
  };
}

// RFC 4180 records (a quoted field may hold separators, doubled quotes and line breaks).
std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> record;
  std::string field;
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c != '"') {
        field += c;
      } else if (i + 1 < text.size() && text[i + 1] == '"') {
        field += '"', ++i;
      } else {
        quoted = false;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',' || c == '\n') {
      record.push_back(field);
      field.clear();
      if (c == '\n') records.push_back(std::move(record)), record.clear();
    } else {
      field += c;
    }
  }
  return records;
}

std::string g10(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

size_t count_of(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

void expect_no_temporary_files(const fs::path& dir) {
  for (const auto& e : fs::recursive_directory_iterator(dir))
    EXPECT_EQ(e.path().filename().string().find(".tmp."), std::string::npos) << e.path();
}

TEST_F(EvalReport, CsvParsesBackToTheRows) {
  auto rows = sample_rows();
  rows[0].checkpoint = "multi\nline";  // a line break inside a quoted field
  eval::write_results_csv(at("results.csv"), rows);
  const std::string text = read_file(at("results.csv"));
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n');
  const auto records = parse_csv(text);
  ASSERT_EQ(records.size(), rows.size() + 1);
  EXPECT_EQ(records[0], (std::vector<std::string>{"checkpoint", "step", "weights", "benchmark", "metric", "variant",
                                                  "value", "images", "higher_is_better"}));
  for (size_t i = 0; i < rows.size(); ++i) {
    const auto& r = rows[i];
    const auto& f = records[i + 1];
    ASSERT_EQ(f.size(), 9u) << "row " << i;
    EXPECT_EQ(f[0], r.checkpoint);
    EXPECT_EQ(std::stoll(f[1]), r.step);
    EXPECT_EQ(f[2], r.weights);
    EXPECT_EQ(f[3], r.benchmark);
    EXPECT_EQ(f[4], r.metric);
    EXPECT_EQ(f[5], r.variant);
    EXPECT_EQ(f[6], g10(r.value));
    EXPECT_NEAR(std::stod(f[6]), r.value, std::fabs(r.value) * 1e-9);
    EXPECT_EQ(std::stoll(f[7]), r.images);
    EXPECT_EQ(f[8], r.higher_is_better ? "true" : "false");
  }
  EXPECT_NE(text.find("\"RealSR, \"\"v3\"\"\""), std::string::npos) << "comma and quotes must be quoted";
  EXPECT_NE(text.find("\n000000200,200,"), std::string::npos) << "plain fields stay unquoted";
  expect_no_temporary_files(dir);
}

TEST_F(EvalReport, JsonParsesBackToTheRows) {
  const auto rows = sample_rows();
  eval::write_results_json(at("results.json"), rows);
  const Json doc = Json::parse(read_file(at("results.json")));
  const Json& list = doc["rows"];
  ASSERT_EQ(list.size(), rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    const auto& r = rows[i];
    const Json& j = list[i];
    EXPECT_EQ(j["checkpoint"].as_string(), r.checkpoint);
    EXPECT_EQ(j["step"].as_int(), r.step);
    EXPECT_EQ(j["weights"].as_string(), r.weights);
    EXPECT_EQ(j["benchmark"].as_string(), r.benchmark);
    EXPECT_EQ(j["metric"].as_string(), r.metric);
    EXPECT_EQ(j["variant"].as_string(), r.variant);
    EXPECT_EQ(j["value"].as_number(), r.value);
    EXPECT_EQ(j["images"].as_int(), r.images);
    EXPECT_EQ(j["higher_is_better"].as_bool(), r.higher_is_better);
  }
  expect_no_temporary_files(dir);
}

TEST_F(EvalReport, JsonWritesNonFiniteValuesAsNull) {
  eval::write_results_json(at("results.json"), {row("a", 1, "ema", "Set5", "psnr", "basicsr", NAN)});
  const Json doc = Json::parse(read_file(at("results.json")));
  EXPECT_TRUE(doc["rows"][0]["value"].is_null());
}

TEST_F(EvalReport, OnePlotPerSteppedSeries) {
  auto rows = sample_rows();
  // A --pred row on a key that also has checkpoints adds no plot of its own.
  rows.push_back(row("preds", -1, "", "Set5", "psnr", "pyiqa-ycbcr", 35.0));
  const auto plots = eval::write_metric_plots(at("plots"), rows);
  ASSERT_EQ(plots.size(), 3u);  // Set5 psnr, Set5 lpips, RealSR musiq; nothing for the step -1 clipiqa rows
  EXPECT_EQ(plots[0].benchmark, "Set5");
  EXPECT_EQ(plots[0].metric, "psnr");
  EXPECT_EQ(plots[0].variant, "pyiqa-ycbcr");
  EXPECT_EQ(plots[1].metric, "lpips");
  EXPECT_EQ(plots[2].benchmark, "RealSR, \"v3\"");
  const LineChart chart_defaults;
  std::set<std::string> names;
  for (const auto& p : plots) {
    EXPECT_EQ(p.png.rfind("plots/", 0), 0u) << p.png << " is not relative to the report's folder";
    EXPECT_EQ(p.png.find_first_of(" ,\"<>"), std::string::npos) << p.png;
    const cv::Mat img = cv::imread((dir / p.png).string(), cv::IMREAD_UNCHANGED);
    ASSERT_FALSE(img.empty()) << p.png;
    EXPECT_EQ(img.cols, chart_defaults.width);
    EXPECT_EQ(img.rows, chart_defaults.height);
    names.insert(fs::path(p.png).filename().string());
  }
  std::set<std::string> on_disk;
  for (const auto& e : fs::directory_iterator(dir / "plots")) on_disk.insert(e.path().filename().string());
  EXPECT_EQ(on_disk, names);
  expect_no_temporary_files(dir);
}

TEST_F(EvalReport, NoPlotsWithoutCheckpointRows) {
  const auto plots = eval::write_metric_plots(at("plots"), {row("preds", -1, "", "", "musiq", "koniq", 50)});
  EXPECT_TRUE(plots.empty());
  EXPECT_FALSE(fs::exists(dir / "plots") && !fs::is_empty(dir / "plots"));
}

TEST_F(EvalReport, PlotNamesThatSanitiseAlikeDoNotCollide) {
  const auto plots = eval::write_metric_plots(
      at("plots"), {row("1", 1, "ema", "a b", "psnr", "x", 1), row("1", 1, "ema", "a/b", "psnr", "x", 2)});
  ASSERT_EQ(plots.size(), 2u);
  EXPECT_NE(plots[0].png, plots[1].png);
  for (const auto& p : plots) EXPECT_TRUE(fs::exists(dir / p.png)) << p.png;
}

TEST_F(EvalReport, ChartWithNothingDrawableWritesNothing) {
  LineChart chart;
  chart.log_y = true;
  chart.series.push_back({"loss", {0, 0, 0}, {{0, 0.0}, {1, -1.0}, {2, NAN}}});
  EXPECT_FALSE(write_line_chart_png(at("empty.png"), chart));
  EXPECT_FALSE(fs::exists(dir / "empty.png"));
  chart.series[0].points.push_back({3, 0.5});
  EXPECT_TRUE(write_line_chart_png(at("one.png"), chart));
  EXPECT_FALSE(cv::imread(at("one.png")).empty());
}

class EvalHtmlReport : public EvalReport {
 protected:
  std::string html;
  void SetUp() override {
    EvalReport::SetUp();
    const auto rows = sample_rows();
    const auto plots = eval::write_metric_plots(at("plots"), rows);
    const std::vector<eval::CropSet> crops = {
        {"baby <1>.png", {{"LR (bicubic x4)", "crops/baby_lr.png"}, {"student & ema", "crops/baby #1.png"}}}};
    eval::write_html_report(at("report.html"), "Eval <run 7>", rows, plots, crops);
    html = read_file(at("report.html"));
  }
};

TEST_F(EvalHtmlReport, ShowsEveryRowsValueAtItsMetricsPrecision) {
  for (const char* value :
       {"30.123", "29.500", "31.750", "31.250", "0.2346", "0.1875", "0.2125", "0.2500", "61.99", "0.6123"})
    EXPECT_NE(html.find(std::string(">") + value + "<"), std::string::npos) << value;
  // The full-precision value is one hover away.
  EXPECT_NE(html.find("title=\"30.12345679 over 5 images\""), std::string::npos);
}

TEST_F(EvalHtmlReport, BoldsTheBestPerSeriesFollowingItsDirection) {
  EXPECT_NE(html.find("<strong>31.750</strong>"), std::string::npos) << "PSNR: higher is better";
  EXPECT_NE(html.find("<strong>0.1875</strong>"), std::string::npos) << "LPIPS: lower is better";
  EXPECT_NE(html.find("<strong>61.99</strong>"), std::string::npos) << "a single value is its series' best";
  EXPECT_EQ(html.find("<strong>0.2500</strong>"), std::string::npos) << "the worst LPIPS";
  EXPECT_EQ(html.find("<strong>31.250</strong>"), std::string::npos);
  EXPECT_EQ(count_of(html, "<strong>"), 4u);  // psnr, lpips, musiq, clipiqa
}

TEST_F(EvalHtmlReport, EscapesEveryStringFromTheData) {
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_NE(html.find("preds/&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("<title>Eval &lt;run 7&gt;</title>"), std::string::npos);
  EXPECT_NE(html.find("RealSR, &quot;v3&quot;"), std::string::npos);
  EXPECT_NE(html.find("baby &lt;1&gt;.png"), std::string::npos);
  EXPECT_NE(html.find(">student &amp; ema<"), std::string::npos);
}

TEST_F(EvalHtmlReport, LinksPlotsAndCropsRelatively) {
  EXPECT_NE(html.find("src=\"plots/Set5_psnr_pyiqa-ycbcr.png\""), std::string::npos);
  EXPECT_NE(html.find("src=\"crops/baby_lr.png\""), std::string::npos);
  EXPECT_NE(html.find("src=\"crops/baby%20%231.png\""), std::string::npos) << "a path is percent-encoded";
  EXPECT_NE(html.find("image-rendering: pixelated"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos) << "self-contained: inline CSS only";
  EXPECT_EQ(html.find("http"), std::string::npos);
  expect_no_temporary_files(dir);
}

}  // namespace
}  // namespace sinsr::test
