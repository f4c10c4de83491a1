// sinsr eval end to end: folders of outputs against references (bicubic x4 of the bundled val_sr_small
// benchmark), the rank count not changing any number, and a tiny training run's checkpoints scored, cached
// and reported.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <sstream>

#include "core/io/pth.h"
#include "core/util/atomic_file.h"
#include "core/util/json.h"
#include "tests/support/fixtures.h"
#include "tests/support/processes.h"
#include "tests/support/run.h"

namespace fs = std::filesystem;

namespace sinsr::test {
namespace {

const std::string kBench = "data/benchmarks/val_sr_small";
const std::string kMpi = "env OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 mpirun -np 2 --oversubscribe ";

// OpenCV's bicubic x4 of every LQ image (what the metric fixtures call the "SR-like" distortion).
fs::path bicubic_outputs(const std::string& name) {
  const fs::path dir = fresh_dir(name);
  for (const auto& e : fs::directory_iterator(kBench + "/lq")) {
    cv::Mat lq = cv::imread(e.path().string(), cv::IMREAD_COLOR), up;
    cv::resize(lq, up, {}, 4, 4, cv::INTER_CUBIC);
    cv::imwrite((dir / e.path().filename()).string(), up);
  }
  return dir;
}

// results.csv as (metric/variant -> value) for one checkpoint/weights (first match).
std::map<std::string, double> csv_values(const fs::path& csv, const std::string& checkpoint = "",
                                         const std::string& weights = "") {
  std::ifstream in(csv);
  std::string line;
  std::getline(in, line);  // header: checkpoint,step,weights,benchmark,metric,variant,value,images,higher_is_better
  std::map<std::string, double> out;
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::stringstream ss(line);
    for (std::string x; std::getline(ss, x, ',');) f.push_back(x);
    if ((checkpoint.empty() || f[0] == checkpoint) && f[2] == weights) out.emplace(f[4] + "/" + f[5], std::stod(f[6]));
  }
  return out;
}

// The paper's PSNR (pyiqa, ycbcr Y, data range 1, eps 1e-8) computed here in float64, independently of the port.
double mean_psnr_y(const fs::path& pred_dir, const std::string& gt_dir) {
  double sum = 0;
  int n = 0;
  for (const auto& e : fs::directory_iterator(gt_dir)) {
    auto y = [](const std::string& path) {
      cv::Mat bgr = cv::imread(path, cv::IMREAD_COLOR), f;
      bgr.convertTo(f, CV_64F, 1.0 / 255);
      std::vector<cv::Mat> c;
      cv::split(f, c);
      return cv::Mat((c[2] * 65.481 + c[1] * 128.553 + c[0] * 24.966 + 16) / 255);
    };
    const cv::Mat d = y((pred_dir / e.path().filename()).string()) - y(e.path().string());
    sum += 10 * std::log10(1 / (cv::mean(d.mul(d))[0] + 1e-8));
    ++n;
  }
  return sum / n;
}

TEST(Eval, BicubicAgainstGtPrintsEveryPsnrSsimVariantAndNamesMissingWeights) {
  const fs::path pred = bicubic_outputs("sinsr_eval_bicubic"), out = fresh_dir("sinsr_eval_bicubic_out");
  const auto r =
      run_command(sinsr_binary() + " eval --pred " + pred.string() + " --gt " + kBench + "/gt --out " + out.string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const std::string v : {"pyiqa-ycbcr", "pyiqa-rgb", "basicsr-y"})
    for (const std::string m : {"psnr", "ssim"})
      EXPECT_NE(r.output.find(m + "     " + v), std::string::npos) << m << " " << v << "\n" << r.output;
  EXPECT_NE(r.output.find(
                "lpips (alex): unavailable (no weights: set eval.lpips_alex_backbone=... and eval.lpips_alex_lin=...)"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("clipiqa: unavailable (no weights: set eval.clipiqa_weights="), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("musiq: unavailable (no weights: set eval.musiq_weights="), std::string::npos) << r.output;
  const auto values = csv_values(out / "results.csv");
  EXPECT_NEAR(values.at("psnr/pyiqa-ycbcr"), mean_psnr_y(pred, kBench + "/gt"),
              1e-4);  // float32 reference vs float64 here
  EXPECT_GT(values.at("ssim/pyiqa-ycbcr"), 0.3);
  EXPECT_LT(values.at("ssim/pyiqa-ycbcr"), 1.0);
  EXPECT_TRUE(fs::exists(out / "results.json"));
  EXPECT_TRUE(fs::exists(out / "per_image.csv"));
}

TEST(Eval, TwoRanksGiveByteIdenticalResultsAndUnpairedFilesAreListed) {
  const fs::path pred = bicubic_outputs("sinsr_eval_ranks");
  fs::copy_file(pred / fs::directory_iterator(pred)->path().filename(), pred / "extra_without_gt.png");
  const fs::path one = fresh_dir("sinsr_eval_one"), two = fresh_dir("sinsr_eval_two");
  const std::string args = " eval --pred " + pred.string() + " --gt " + kBench + "/gt --out ";
  const auto r1 = run_command("env SINSR_THREADS=1 " + sinsr_binary() + args + one.string());
  const auto r2 = run_command(kMpi + "env SINSR_THREADS=1 " + sinsr_binary() + args + two.string());
  ASSERT_EQ(r1.exit_code, 0) << r1.output;
  ASSERT_EQ(r2.exit_code, 0) << r2.output;
  EXPECT_NE(r1.output.find("1 output(s) without a reference, not scored: extra_without_gt.png"), std::string::npos)
      << r1.output;
  for (const std::string f : {"results.csv", "per_image.csv"})
    EXPECT_EQ(read_file((one / f).string()), read_file((two / f).string())) << f;
}

TEST(Eval, CheckpointsOfATinyRunAreScoredReportedAndCached) {
  const fs::path root = fresh_dir("sinsr_eval_ckpt");
  // A 2-image benchmark (paths relative to its file).
  fs::create_directories(root / "bench/lq");
  fs::create_directories(root / "bench/gt");
  int copied = 0;
  for (const auto& e : fs::directory_iterator(kBench + "/lq")) {
    if (copied++ == 2) break;
    fs::copy_file(e.path(), root / "bench/lq" / e.path().filename());
    fs::copy_file(kBench + "/gt/" + e.path().filename().string(), root / "bench/gt" / e.path().filename());
  }
  write_file_atomically((root / "bench.ini").string(),
                        "[benchmark]\nname = two\nlq = bench/lq\ngt = bench/gt\nmetrics = psnr,ssim,lpips\n"
                        "psnr_ssim_variants = pyiqa-ycbcr\n");
  // LPIPS with the fixture's random AlexNet backbone and real v0.1 heads (stored in the HDF5 file).
  const std::string lpips_h5 = parity_dir() + "/metric_lpips.h5";
  io::write_state_dict((root / "lin.pth").string(),
                       read_state_dict_group(io::H5Reader(lpips_h5), "alex/lin_state_dict"));
  const std::string nets =
      " --config configs/tiny.ini --teacher tests/fixtures/parity/unet_small.pth"
      " --autoencoder tests/fixtures/parity/vq_small.pth";
  ASSERT_EQ(run_command(sinsr_binary() + " datagen" + nets + " --data.hr=" + kBench + "/gt --out " +
                        (root / "pairs").string() + " --num-samples 6")
                .exit_code,
            0);
  ASSERT_EQ(run_command(sinsr_binary() +
                        " train --config configs/tiny.ini --teacher tests/fixtures/parity/unet_small.pth"
                        " --data " +
                        (root / "pairs").string() + " --out " + (root / "run").string() +
                        " --train.steps=6 --train.batch_size=2 --train.microbatch=2 --train.val_samples=1"
                        " --train.ckpt_every=2 --train.keep_ckpts=5 --train.warmup=1")
                .exit_code,
            0);
  const std::string eval = sinsr_binary() + " eval" + nets + " --checkpoints " + (root / "run/ckpt").string() +
                           " --benchmark " + (root / "bench.ini").string() + " --out " + (root / "eval").string() +
                           " --eval.lpips_alex_backbone=" + parity_dir() +
                           "/metric_lpips_alex_backbone.pth --eval.lpips_alex_lin=" + (root / "lin.pth").string() +
                           " --eval.crops=1";
  const auto first = run_command(eval);
  ASSERT_EQ(first.exit_code, 0) << first.output;

  // 3 checkpoints x (student, ema) x (psnr, ssim, lpips alex).
  const std::string csv = read_file((root / "eval/results.csv").string());
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 1 + 3 * 2 * 3) << csv;
  for (const std::string ck : {"000000002", "000000004", "000000006"})
    for (const std::string w : {"student", "ema"}) {
      const auto v = csv_values(root / "eval/results.csv", ck, w);
      EXPECT_EQ(v.size(), 3u) << ck << " " << w;
      EXPECT_GT(v.at("lpips/alex"), 0.0);
      EXPECT_TRUE(fs::exists(root / "eval/outputs/two" / (ck + "-" + w)));
    }
  // The student really changed between checkpoints (warm-up 1: full learning rate).
  EXPECT_NE(csv_values(root / "eval/results.csv", "000000002", "student").at("psnr/pyiqa-ycbcr"),
            csv_values(root / "eval/results.csv", "000000006", "student").at("psnr/pyiqa-ycbcr"));
  const std::string html = read_file((root / "eval/report.html").string());
  for (const std::string p :
       {"plots/two_psnr_pyiqa-ycbcr.png", "plots/two_lpips_alex.png", "teacher", "-student.png", "-gt.png"})
    EXPECT_NE(html.find(p), std::string::npos) << p;
  EXPECT_TRUE(fs::exists(root / "eval/plots/two_lpips_alex.png"));

  // A rerun scores nothing again and reports the same table.
  const auto again = run_command(eval);
  ASSERT_EQ(again.exit_code, 0) << again.output;
  size_t cached = 0;
  for (size_t at = again.output.find(": cached"); at != std::string::npos; at = again.output.find(": cached", at + 1))
    ++cached;
  EXPECT_EQ(cached, 6u) << again.output;
  EXPECT_EQ(read_file((root / "eval/results.csv").string()), csv);

  // A run killed while appending leaves a torn last line: the next run drops it and rescores that
  // score only; a bad line anywhere else is an integrity error naming the cache.
  const std::string cache_path = (root / "eval/cache.jsonl").string();
  const std::string cache = read_file(cache_path);
  const size_t last_line = cache.rfind('\n', cache.size() - 2) + 1;
  write_file_atomically(cache_path, cache.substr(0, last_line) + cache.substr(last_line, 20));
  const auto torn = run_command(eval);
  ASSERT_EQ(torn.exit_code, 0) << torn.output;
  EXPECT_NE(torn.output.find("dropped a torn last line"), std::string::npos) << torn.output;
  EXPECT_EQ(read_file((root / "eval/results.csv").string()), csv);
  EXPECT_EQ(std::count(cache.begin(), cache.end(), '\n'), [&] {
    const std::string now = read_file(cache_path);
    return std::count(now.begin(), now.end(), '\n');
  }());
  write_file_atomically(cache_path, "{\"key\": \n" + cache);
  const auto corrupt = run_command(eval);
  EXPECT_EQ(corrupt.exit_code, 3) << corrupt.output;
  EXPECT_NE(corrupt.output.find(cache_path + ": line 1 is not a score"), std::string::npos) << corrupt.output;
}

}  // namespace
}  // namespace sinsr::test
