// sinsr infer end to end with the small fixture networks, on a folder of awkward inputs.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <iostream>

#include "core/util/atomic_file.h"
#include "core/util/errors.h"
#include "tests/support/processes.h"
#include "tests/support/run.h"

namespace sinsr::test {
namespace {

namespace fs = std::filesystem;

const std::string kNets =
    " --config configs/tiny.ini --model tests/fixtures/parity/unet_small.pth --autoencoder "
    "tests/fixtures/parity/vq_small.pth";

cv::Mat noise_image(int rows, int cols, int type) {
  cv::Mat m(rows, cols, type);
  cv::randu(m, 0, type == CV_16UC3 ? 65535 : 255);
  return m;
}

// A folder with every kind of input the command must cope with; returns the sizes of the good ones.
std::map<std::string, cv::Size> make_inputs(const fs::path& dir) {
  cv::theRNG().state = 42;
  cv::imwrite((dir / "rgb.png").string(), noise_image(20, 24, CV_8UC3));
  cv::imwrite((dir / "gray.png").string(), noise_image(13, 9, CV_8UC1));
  cv::imwrite((dir / "alpha.png").string(), noise_image(16, 16, CV_8UC4));
  cv::imwrite((dir / "deep.png").string(), noise_image(7, 11, CV_16UC3));
  cv::imwrite((dir / "photo.jpg").string(), noise_image(30, 17, CV_8UC3));
  cv::imwrite((dir / "pic.bmp").string(), noise_image(5, 6, CV_8UC3));
  cv::imwrite((dir / "mislabelled.jpeg").string(), noise_image(8, 8, CV_8UC3));  // written as JPEG...
  fs::rename(dir / "mislabelled.jpeg", dir / "mislabelled.png");                 // ...named .png
  std::ofstream(dir / "empty.png").close();
  std::ofstream(dir / "text.jpg") << "not an image";
  const std::string png = read_file((dir / "rgb.png").string());
  std::ofstream(dir / "truncated.png", std::ios::binary) << png.substr(0, png.size() / 2);
  std::ofstream(dir / "notes.txt") << "ignored: not an image extension";
  return {{"rgb", {24, 20}},   {"gray", {9, 13}}, {"alpha", {16, 16}},    {"deep", {11, 7}},
          {"photo", {17, 30}}, {"pic", {6, 5}},   {"mislabelled", {8, 8}}};
}

TEST(InferCli, FolderOfMixedInputsGivesExactlyScaledOutputsAndReportsBadFiles) {
  const fs::path in = fresh_dir("sinsr_infer_in"), out = fs::temp_directory_path() / "sinsr_infer_out";
  fs::remove_all(out);
  const auto good = make_inputs(in);
  auto r = run_command(sinsr_binary() + " infer -i " + in.string() + " -o " + out.string() + kNets + " --chop-size 16");
  EXPECT_EQ(r.exit_code, kExitFailure) << r.output;  // three unreadable files
  for (const char* bad : {"empty.png", "text.jpg", "truncated.png"})
    EXPECT_NE(r.output.find(std::string("skipping ") + (in / bad).string()), std::string::npos) << bad << "\n"
                                                                                                << r.output;
  EXPECT_NE(r.output.find("alpha channel dropped"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("7 written"), std::string::npos) << r.output;
  for (const auto& [stem, size] : good) {
    cv::Mat o = cv::imread((out / (stem + ".png")).string(), cv::IMREAD_UNCHANGED);
    ASSERT_FALSE(o.empty()) << stem;
    EXPECT_EQ(o.cols, 4 * size.width) << stem;
    EXPECT_EQ(o.rows, 4 * size.height) << stem;
    EXPECT_EQ(o.type(), CV_8UC3) << stem;
  }
  EXPECT_FALSE(fs::exists(out / "notes.png"));
}

TEST(InferCli, ResultsDependOnSeedAndFileNameOnlyNotOrderOrCompany) {
  const fs::path in = fresh_dir("sinsr_infer_det_in");
  make_inputs(in);
  const fs::path a = fresh_dir("sinsr_infer_det_a"), b = fresh_dir("sinsr_infer_det_b"),
                 c = fresh_dir("sinsr_infer_det_c");
  run_command(sinsr_binary() + " infer -i " + in.string() + " -o " + a.string() + kNets + " --chop-size 16");
  // One file alone, from another folder with other files around it: same bytes.
  const fs::path alone = fresh_dir("sinsr_infer_det_alone");
  fs::copy_file(in / "photo.jpg", alone / "photo.jpg");
  cv::imwrite((alone / "aaa_first.png").string(), noise_image(9, 9, CV_8UC3));
  auto r =
      run_command(sinsr_binary() + " infer -i " + alone.string() + " -o " + b.string() + kNets + " --chop-size 16");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(read_file((a / "photo.png").string()), read_file((b / "photo.png").string()));
  // Another seed: different output.
  run_command(sinsr_binary() + " infer -i " + (in / "photo.jpg").string() + " -o " + c.string() + kNets +
              " --chop-size 16 --seed 7");
  EXPECT_NE(read_file((a / "photo.png").string()), read_file((c / "photo.png").string()));
}

TEST(InferCli, UsageMistakesAreRefusedBeforeAnyWork) {
  const fs::path in = fresh_dir("sinsr_infer_usage");
  cv::imwrite((in / "x.png").string(), noise_image(8, 8, CV_8UC3));
  const std::string before = read_file((in / "x.png").string());
  auto r = run_command(sinsr_binary() + " infer -i " + in.string() + " -o " + in.string() + kNets);
  EXPECT_EQ(r.exit_code, kExitUsage) << r.output;
  EXPECT_NE(r.output.find("is an input file"), std::string::npos) << r.output;
  EXPECT_EQ(read_file((in / "x.png").string()), before);
  cv::imwrite((in / "x.jpg").string(), noise_image(8, 8, CV_8UC3));
  r = run_command(sinsr_binary() + " infer -i " + in.string() + " -o /tmp/sinsr_infer_usage_out" + kNets);
  EXPECT_EQ(r.exit_code, kExitUsage) << "x.png and x.jpg both map to x.png: " << r.output;
  r = run_command(sinsr_binary() + " infer -i " + (in / "x.png").string() + " -o /tmp/sinsr_infer_usage_out" + kNets +
                  " --steps 7");
  EXPECT_EQ(r.exit_code, kExitUsage) << r.output;
  r = run_command(sinsr_binary() + " infer -i /nonexistent -o /tmp/sinsr_infer_usage_out" + kNets);
  EXPECT_EQ(r.exit_code, kExitUsage) << r.output;
  r = run_command(sinsr_binary() + " infer -i " + (in / "x.png").string() + " -o /tmp/sinsr_infer_usage_out" +
                  " --config configs/tiny.ini --model tests/fixtures/parity/vq_small.pth --autoencoder "
                  "tests/fixtures/parity/vq_small.pth");
  EXPECT_EQ(r.exit_code, kExitFailure) << "a VQ checkpoint given as the UNet: " << r.output;
  EXPECT_NE(r.output.find("vq_small.pth"), std::string::npos) << r.output;
  const std::string one =
      sinsr_binary() + " infer -i " + (in / "x.png").string() + " -o /tmp/sinsr_infer_usage_out" + kNets;
  for (const auto& [flags, says] :
       std::vector<std::pair<std::string, std::string>>{{" --max-memory 6Q", "unknown unit 'Q'"},
                                                        {" --max-memory lots", "--max-memory takes a memory size"},
                                                        {" --max-memory 1G --chop-size 64", "not both"},
                                                        {" --chop-stride 8", "--chop-stride needs --chop-size"}}) {
    r = run_command(one + flags);
    EXPECT_EQ(r.exit_code, kExitUsage) << flags << ": " << r.output;
    EXPECT_NE(r.output.find(says), std::string::npos) << flags << ": " << r.output;
  }
}

TEST(InferCli, TooSmallAMemoryBudgetWarnsAndStillWritesTheImage) {
  const fs::path in = fresh_dir("sinsr_infer_budget"), out = fs::temp_directory_path() / "sinsr_infer_budget_out";
  fs::remove_all(out);
  cv::imwrite((in / "x.png").string(), noise_image(40, 36, CV_8UC3));
  const auto r =
      run_command(sinsr_binary() + " infer -i " + in.string() + " -o " + out.string() + kNets + " --max-memory 1M");
  EXPECT_EQ(r.exit_code, kExitOk) << r.output;
  EXPECT_NE(r.output.find("tiles sized for 1 MB"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("even 16-pixel tiles need more than 1 MB"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("x.png: 3x3 tiles of 16 px, stride 14"), std::string::npos) << r.output;
  EXPECT_EQ(cv::imread((out / "x.png").string()).size(), cv::Size(144, 160));
}

TEST(InferCli, FullChainAndJpegOutput) {
  const fs::path in = fresh_dir("sinsr_infer_chain"), out = fresh_dir("sinsr_infer_chain_out");
  cv::imwrite((in / "x.png").string(), noise_image(12, 10, CV_8UC3));
  auto r = run_command(sinsr_binary() + " infer -i " + (in / "x.png").string() + " -o " + out.string() + kNets +
                       " --steps 15 --sampler stochastic --fp jpg");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  cv::Mat o = cv::imread((out / "x.jpg").string());
  EXPECT_EQ(o.cols, 40);
  EXPECT_EQ(o.rows, 48);
}

// --precision bf16 (CPU autocast) against fp32 on the trained demo teacher's 15-step chain: outputs within
// 45 dB PSNR of each other (measured 59.2 dB), never identical (autocast is on). The latent-space path
// (bf16 autoencoder) runs on the fixtures too; their random weights make no precision yardstick (a
// rounding flips a codebook choice of the random quantiser: 21.8 dB measured), so there it only must run.
TEST(InferCli, Bf16OutputsMatchFp32WithinTheMeasuredPsnr) {
  const fs::path in = fresh_dir("sinsr_infer_prec_in"), out = fresh_dir("sinsr_infer_prec_out");
  cv::theRNG().state = 7;
  cv::Mat img(48, 40, CV_8UC3);
  cv::randu(img, 0, 255);
  cv::GaussianBlur(img, img, cv::Size(5, 5), 1.5);  // photo-like smoothness: pure noise is no SR input
  cv::imwrite((in / "x.png").string(), img);
  auto psnr_between = [&](const std::string& nets, const fs::path& dir) {
    for (const std::string p : {"fp32", "bf16"}) {
      const auto r = run_command(sinsr_binary() + " infer -i " + in.string() + " -o " + (dir / p).string() + nets +
                                 " --precision " + p);
      EXPECT_EQ(r.exit_code, 0) << r.output;
      EXPECT_NE(r.output.find(", " + p), std::string::npos) << r.output;
    }
    return cv::PSNR(cv::imread((dir / "fp32" / "x.png").string()), cv::imread((dir / "bf16" / "x.png").string()));
  };
  const double teacher =
      psnr_between(" --config configs/demo.ini --model models/demo-teacher-x2.pth --steps 15", out / "teacher");
  const double fixture = psnr_between(kNets, out / "fixture");
  std::cout << "  bf16 vs fp32 PSNR: demo teacher 15 steps " << teacher << " dB, fixtures 1 step " << fixture
            << " dB\n";
  EXPECT_GE(teacher, 45.0);
  EXPECT_LT(teacher, 100.0);  // cv::PSNR of identical images is 361
  EXPECT_LT(fixture, 100.0);
  // fp16 is a GPU precision: a usage error on the CPU, naming the flag.
  const auto r = run_command(sinsr_binary() + " infer -i " + in.string() + " -o " + (out / "fp16").string() + kNets +
                             " --device cpu --precision fp16");
  EXPECT_EQ(r.exit_code, kExitUsage) << r.output;
  EXPECT_NE(r.output.find("--precision = fp16 on the CPU"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace sinsr::test
