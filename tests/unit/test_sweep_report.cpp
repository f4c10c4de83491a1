// sinsr sweep-report on synthetic sweeps: runs ranked per metric following higher_is_better, the setting
// columns (loss weights + keys that differ), runs without results, the CSV/Markdown/plots, clear errors.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <sstream>

#include "core/util/atomic_file.h"
#include "eval/report.h"
#include "eval/sweep_report.h"

namespace sinsr::test {
namespace {

namespace fs = std::filesystem;
using eval::ScoreRow;

class SweepReport : public ::testing::Test {
 protected:
  fs::path dir = fs::temp_directory_path() / ("sinsr_sweep_report_" + std::to_string(::getpid()) + "_" +
                                              ::testing::UnitTest::GetInstance()->current_test_info()->name());
  void SetUp() override {
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  void TearDown() override { fs::remove_all(dir); }

  // A run folder as sinsr train + sinsr eval leave it: config.ini ([train] weights, extra lines) and
  // eval/results.json with psnr (higher is better) and lpips (lower is better) at steps 2 and 4.
  void make_run(const std::string& name, const std::string& weights_ini, double psnr2, double psnr4, double lpips4,
                const std::string& extra_train = "") {
    const fs::path run = dir / name;
    fs::create_directories(run / "eval");
    write_file_atomically((run / "config.ini").string(),
                          "[model]\nimage_size = 16\n[train]\n" + weights_ini + extra_train);
    std::vector<ScoreRow> rows = {
        {"000000002", 2, "student", "bench", "psnr", "pyiqa-ycbcr", psnr2, 1, true},
        {"000000002", 2, "ema", "bench", "psnr", "pyiqa-ycbcr", psnr2 - 0.5, 1, true},
        {"000000004", 4, "student", "bench", "psnr", "pyiqa-ycbcr", psnr4, 1, true},
        {"000000004", 4, "ema", "bench", "psnr", "pyiqa-ycbcr", psnr4 - 0.5, 1, true},
        {"000000004", 4, "student", "bench", "lpips", "alex", lpips4, 1, false},
        {"000000004", 4, "ema", "bench", "lpips", "alex", lpips4 + 0.1, 1, false},
    };
    eval::write_results_json((run / "eval" / "results.json").string(), rows);
  }
  void make_standard_sweep() {
    make_run("d1-i1-g1", "w_distill = 1\nw_inverse = 1\nw_gt = 1\n", 20, 21, 0.30);
    make_run("d1-i0.5-g1", "w_distill = 1\nw_inverse = 0.5\nw_gt = 1\n", 23, 22, 0.40);  // best PSNR, at step 2
    make_run("d1-i1-g0+train.lr=1e-4", "w_distill = 1\nw_inverse = 1\nw_gt = 0\n", 19, 20, 0.20,
             "lr = 1e-4\n");                   // best (lowest) LPIPS
    fs::create_directories(dir / "d2-i1-g1");  // still training: config only
    write_file_atomically((dir / "d2-i1-g1" / "config.ini").string(), "[train]\nw_distill = 2\n");
    fs::create_directories(dir / "logs");  // not a run
    write_file_atomically((dir / "logs" / "sinsr-sweep-1_0.out").string(), "log\n");
  }
};

TEST_F(SweepReport, ResultsJsonRoundTrips) {
  const std::vector<ScoreRow> rows = {{"000000002", 2, "student", "b", "psnr", "pyiqa-ycbcr", 21.5, 3, true},
                                      {"000000002", 2, "ema", "b", "lpips", "alex", std::nan(""), 3, false}};
  eval::write_results_json((dir / "r.json").string(), rows);
  const auto back = eval::read_results_json((dir / "r.json").string());
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[0].checkpoint, "000000002");
  EXPECT_EQ(back[0].step, 2);
  EXPECT_EQ(back[0].value, 21.5);
  EXPECT_EQ(back[0].images, 3);
  EXPECT_TRUE(back[0].higher_is_better);
  EXPECT_TRUE(std::isnan(back[1].value));  // written as null
  EXPECT_FALSE(back[1].higher_is_better);
}

TEST_F(SweepReport, RanksRunsPerMetricFollowingHigherIsBetter) {
  make_standard_sweep();
  const eval::SweepReport r = eval::collect_sweep(dir.string());
  ASSERT_EQ(r.runs.size(), 3u);
  EXPECT_EQ(r.without_results, std::vector<std::string>{"d2-i1-g1"});
  // Loss weights first, then the key that differs (train.lr); not image_size, which is the same everywhere.
  EXPECT_EQ(r.setting_keys, (std::vector<std::string>{"train.w_distill", "train.w_inverse", "train.w_gt", "train.lr"}));
  ASSERT_EQ(r.boards.size(), 2u);

  const eval::SweepBoard& psnr = r.boards[0];
  EXPECT_EQ(psnr.metric, "psnr");
  EXPECT_TRUE(psnr.higher_is_better);
  ASSERT_EQ(psnr.entries.size(), 3u);
  EXPECT_EQ(r.runs[psnr.entries[0].run].name, "d1-i0.5-g1");
  EXPECT_EQ(psnr.entries[0].best, 23);  // its best checkpoint (step 2), not its last
  EXPECT_EQ(psnr.entries[0].best_step, 2);
  EXPECT_EQ(psnr.entries[0].best_weights, "student");
  EXPECT_EQ(psnr.entries[0].final_step, 4);
  EXPECT_EQ(psnr.entries[0].final_student, 22);
  EXPECT_EQ(psnr.entries[0].final_ema, 21.5);
  EXPECT_EQ(r.runs[psnr.entries[1].run].name, "d1-i1-g1");
  EXPECT_EQ(r.runs[psnr.entries[2].run].name, "d1-i1-g0+train.lr=1e-4");

  const eval::SweepBoard& lpips = r.boards[1];
  EXPECT_EQ(lpips.metric, "lpips");
  EXPECT_FALSE(lpips.higher_is_better);
  EXPECT_EQ(r.runs[lpips.entries[0].run].name, "d1-i1-g0+train.lr=1e-4");  // lowest
  EXPECT_DOUBLE_EQ(lpips.entries[0].best, 0.20);
  EXPECT_EQ(r.runs[lpips.entries[2].run].name, "d1-i0.5-g1");

  const eval::SweepRun& lr_run = r.runs[lpips.entries[0].run];
  ASSERT_EQ(lr_run.setting.size(), 4u);
  EXPECT_EQ(lr_run.setting[2].second, "0");
  EXPECT_EQ(lr_run.setting[3].second, "1e-4");
  EXPECT_EQ(r.runs[psnr.entries[0].run].setting[3].second, "5e-5");  // the default where a run did not set it

  const std::string summary = eval::sweep_best_summary(r);
  EXPECT_NE(summary.find("best bench: PSNR (pyiqa-ycbcr), higher is better: d1-i0.5-g1 [w_distill=1 w_inverse=0.5 "
                         "w_gt=1 lr=5e-5] = 23"),
            std::string::npos)
      << summary;
  EXPECT_NE(summary.find("best bench: LPIPS (alex), lower is better: d1-i1-g0+train.lr=1e-4"), std::string::npos)
      << summary;
}

TEST_F(SweepReport, WritesCsvMarkdownAndPlots) {
  make_standard_sweep();
  const eval::SweepReport r = eval::collect_sweep(dir.string());
  const eval::SweepFiles files = eval::write_sweep_report(r, (dir / "report").string());

  const std::string csv = read_file(files.csv);
  std::istringstream lines(csv);
  std::string header, first;
  std::getline(lines, header);
  std::getline(lines, first);
  EXPECT_EQ(header,
            "benchmark,metric,variant,higher_is_better,rank,run,train.w_distill,train.w_inverse,train.w_gt,train.lr,"
            "best,best_checkpoint,best_step,best_weights,final_step,final_student,final_ema");
  EXPECT_EQ(first, "bench,psnr,pyiqa-ycbcr,true,1,d1-i0.5-g1,1,0.5,1,5e-5,23,000000002,2,student,4,22,21.5");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 1 + 2 * 3);
  EXPECT_NE(csv.find("bench,lpips,alex,false,1,d1-i1-g0+train.lr=1e-4,1,1,0,1e-4,0.2,000000004,4,student,4,0.2,0.3"),
            std::string::npos)
      << csv;

  const std::string md = read_file(files.markdown);
  EXPECT_NE(md.find("## Best setting per metric"), std::string::npos);
  EXPECT_NE(
      md.find("| bench | psnr | pyiqa-ycbcr | higher | **d1-i0.5-g1** | 1 | 0.5 | 1 | 5e-5 | 23 | 000000002 student |"),
      std::string::npos)
      << md;
  EXPECT_NE(md.find("| bench | lpips | alex | lower | **d1-i1-g0+train.lr=1e-4** |"), std::string::npos) << md;
  EXPECT_NE(md.find("without (still running, failed or not evaluated): d2-i1-g1"), std::string::npos) << md;
  EXPECT_NE(md.find("![bench: PSNR (pyiqa-ycbcr)](plots/bench_psnr_pyiqa-ycbcr.png)"), std::string::npos) << md;
  ASSERT_EQ(files.plots.size(), 2u);
  for (const auto& p : files.plots) EXPECT_GT(fs::file_size(p), 1000u) << p;
}

TEST_F(SweepReport, ClearErrorsWithoutResults) {
  try {
    eval::collect_sweep((dir / "missing").string());
    FAIL() << "no error for a missing folder";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("does not exist"), std::string::npos) << e.what();
  }
  try {
    eval::collect_sweep(dir.string());  // empty
    FAIL() << "no error for an empty folder";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("holds no run folder"), std::string::npos) << e.what();
  }
  fs::create_directories(dir / "a");
  write_file_atomically((dir / "a" / "config.ini").string(), "[train]\nw_gt = 2\n");
  try {
    eval::collect_sweep(dir.string());
    FAIL() << "no error for a sweep without results";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("no run in"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("(a)"), std::string::npos) << e.what();
  }
  fs::create_directories(dir / "a" / "eval");
  write_file_atomically((dir / "a" / "eval" / "results.json").string(), "{\"rows\": [{\"checkpoint\": 3}]}");
  try {
    eval::collect_sweep(dir.string());
    FAIL() << "no error for a malformed results.json";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("results.json"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace sinsr::test
