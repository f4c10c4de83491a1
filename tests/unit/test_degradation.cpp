// The random parts of the degradation pipeline: noise statistics, the JPEG quality effect, the frequency
// of every branch against its configured probability, reproducibility per (seed, index), and the GT
// preparation.
#include <gtest/gtest.h>

#include <opencv2/core.hpp>

#include <cmath>
#include <map>

#include "core/data/degradation.h"
#include "core/data/diff_jpeg.h"
#include "core/data/hr_dataset.h"
#include "core/data/noise.h"
#include "core/util/config.h"
#include "core/util/config_file.h"
#include "core/util/seed.h"
#include "tests/support/photos.h"

namespace sinsr::test {
namespace {

using namespace sinsr::data;

cv::Mat to_float(const cv::Mat& u8) {
  cv::Mat f;
  u8.convertTo(f, CV_32FC3, 1.0 / 255.0);
  return f;
}

// |observed - p| within 4.5 binomial standard deviations (a false alarm about once in 150,000 checks).
void expect_frequency(int64_t hits, int64_t n, double p, const std::string& what) {
  const double observed = static_cast<double>(hits) / static_cast<double>(n);
  const double sd = std::sqrt(p * (1 - p) / static_cast<double>(n));
  EXPECT_LE(std::fabs(observed - p), 4.5 * sd + 1e-12) << what << ": " << hits << "/" << n << " vs p = " << p;
}

TEST(Noise, GaussianStdMatchesSigmaInColourAndGray) {
  const cv::Mat gray_image(256, 256, CV_32FC3, cv::Scalar::all(0.5));
  for (const bool gray : {false, true}) {
    SampleRng rng(7);
    const cv::Mat noisy = add_gaussian_noise(gray_image, 10.0, gray, rng);
    cv::Mat diff = noisy - gray_image;
    cv::Scalar mean, sd;
    cv::meanStdDev(diff.reshape(1), mean, sd);
    EXPECT_NEAR(sd[0], 10.0 / 255.0, 0.02 * 10.0 / 255.0) << (gray ? "gray" : "colour");
    EXPECT_NEAR(mean[0], 0.0, 0.001);
    std::vector<cv::Mat> ch;
    cv::split(diff, ch);
    // Gray noise is one map for all channels; colour noise is independent per channel.
    const double channel_gap = cv::norm(ch[0], ch[1], cv::NORM_INF);
    if (gray)
      EXPECT_EQ(channel_gap, 0.0);
    else
      EXPECT_GT(channel_gap, 0.01);
  }
}

TEST(Noise, PoissonVarianceFollowsTheQuantisedLevels) {
  // All 256 levels occur (vals = 256); the rest of the image is level 128. Poisson(lambda) / vals has
  // variance lambda / vals^2 with lambda = 128/255 * 256, times scale^2.
  cv::Mat image(300, 300, CV_32FC3, cv::Scalar::all(128.0 / 255.0));
  for (int x = 0; x < 256; ++x) image.at<cv::Vec3f>(0, x) = cv::Vec3f::all(static_cast<float>(x) / 255.f);
  const double scale = 1.5, lambda = 128.0 / 255.0 * 256.0;
  const double expected_var = lambda / (256.0 * 256.0) * scale * scale;
  SampleRng rng(11);
  const cv::Mat noisy = add_poisson_noise(image, scale, false, rng);
  const cv::Mat all = noisy - image;
  const cv::Mat diff = all(cv::Rect(0, 1, 300, 299)).clone();
  cv::Scalar mean, sd;
  cv::meanStdDev(diff.reshape(1), mean, sd);
  EXPECT_NEAR(sd[0] * sd[0], expected_var, 0.03 * expected_var);
  EXPECT_NEAR(mean[0], 0.0, 0.002);
  // Gray Poisson noise: the same value in every channel of a pixel.
  SampleRng rng2(12);
  std::vector<cv::Mat> ch;
  cv::split(add_poisson_noise(image, scale, true, rng2) - image, ch);
  EXPECT_EQ(cv::norm(ch[0], ch[2], cv::NORM_INF), 0.0);
}

TEST(DiffJpeg, LowerQualityLosesMore) {
  const cv::Mat photo = to_float(synthetic_photo(96, 128, 3));
  double previous = INFINITY;
  for (const double q : {10.0, 30.0, 50.5, 75.0, 95.0}) {
    const double err = cv::norm(diff_jpeg(photo, q), photo, cv::NORM_L2SQR) / static_cast<double>(photo.total() * 3);
    EXPECT_LT(err, previous) << "quality " << q;
    previous = err;
  }
  EXPECT_GT(previous, 0.0);
  // A real-valued quality is honoured, not rounded to an integer.
  EXPECT_GT(cv::norm(diff_jpeg(photo, 40.0), diff_jpeg(photo, 40.4), cv::NORM_INF), 0.0);
  EXPECT_THROW(diff_jpeg(photo, 100.0), std::invalid_argument);
}

TEST(Degradation, EveryBranchAtItsConfiguredFrequency) {
  const DegradationConfig cfg = DegradationConfig::from_config(Config::defaults());
  const cv::Mat gt = to_float(synthetic_photo(64, 64, 5));
  constexpr int kSamples = 3000;
  std::map<std::string, int64_t> count;
  int64_t second = 0, blur1_mixed = 0, sinc_sized_13plus = 0;
  std::map<int, int64_t> size1;
  for (int i = 0; i < kSamples; ++i) {
    SampleRng rng(derive_seed(1234, "branch-test", static_cast<uint64_t>(i)));
    DegradationTrace t;
    const cv::Mat lq = degrade(gt, cfg, rng, &t);
    ASSERT_EQ(lq.rows, 16);
    ASSERT_EQ(lq.type(), CV_8UC3);
    ++count[std::string("k1 ") + kernel_type_name(t.kernel1)];
    ++count[std::string("final ") + kernel_type_name(t.sinc)];
    ++count["resize1 " + std::to_string(t.resize1_type)];
    ++count[std::string("mode1 ") + resize_mode_name(t.mode1)];
    ++count[std::string("modefinal ") + resize_mode_name(t.mode_final)];
    count["gaussian1"] += t.gaussian1;
    count["gray1"] += t.gray1;
    count["second"] += t.second_order;
    count["final resize first"] += t.final_resize_first;
    ++size1[t.kernel1_size];
    blur1_mixed += t.kernel1 != KernelType::Sinc;
    if (t.second_order) {
      ++second;
      count["second blur"] += t.second_blur;
      ++count["resize2 " + std::to_string(t.resize2_type)];
      count["gaussian2"] += t.gaussian2;
    }
    // Ranges of the continuous draws.
    EXPECT_TRUE(t.jpeg1 >= 30 && t.jpeg1 <= 95 && t.jpeg2 >= 30 && t.jpeg2 <= 95);
    if (t.resize1_type == 0) EXPECT_TRUE(t.scale1 >= 1 && t.scale1 < 1.5);
    if (t.resize1_type == 1) EXPECT_TRUE(t.scale1 >= 0.15 && t.scale1 < 1);
    if (t.gaussian1)
      EXPECT_TRUE(t.noise1 >= 1 && t.noise1 < 30);
    else
      EXPECT_TRUE(t.noise1 >= 0.05 && t.noise1 < 3.0);
    if (t.sinc == KernelType::Sinc) sinc_sized_13plus += t.sinc_size >= 13;
    EXPECT_TRUE(t.sinc == KernelType::Pulse || (t.sinc_size >= 3 && t.sinc_size <= 13));
  }
  const int64_t n = kSamples;
  expect_frequency(count["k1 sinc"], n, 0.1, "first blur sinc");
  const double mixed[6] = {0.45, 0.25, 0.12, 0.03, 0.12, 0.03};
  for (int k = 0; k < 6; ++k)
    expect_frequency(count[std::string("k1 ") + kernel_type_name(static_cast<KernelType>(k))], blur1_mixed, mixed[k],
                     kernel_type_name(static_cast<KernelType>(k)));
  for (int s = 3; s <= 19; s += 2) expect_frequency(size1[s], n, 1.0 / 9, "first kernel size " + std::to_string(s));
  expect_frequency(count["final sinc"], n, 0.8, "final sinc");
  expect_frequency(count["resize1 0"], n, 0.2, "resize up");
  expect_frequency(count["resize1 1"], n, 0.7, "resize down");
  expect_frequency(count["resize1 2"], n, 0.1, "resize keep");
  for (const char* m : {"area", "bilinear", "bicubic"}) {
    expect_frequency(count[std::string("mode1 ") + m], n, 1.0 / 3, std::string("first mode ") + m);
    expect_frequency(count[std::string("modefinal ") + m], n, 1.0 / 3, std::string("final mode ") + m);
  }
  expect_frequency(count["gaussian1"], n, 0.5, "first noise Gaussian");
  expect_frequency(count["gray1"], n, 0.4, "first noise gray");
  expect_frequency(count["second"], n, 0.5, "second order");
  expect_frequency(count["final resize first"], n, 0.5, "final order");
  expect_frequency(count["second blur"], second, 0.8, "second blur");
  expect_frequency(count["resize2 0"], second, 0.3, "second resize up");
  expect_frequency(count["resize2 1"], second, 0.4, "second resize down");
  expect_frequency(count["gaussian2"], second, 0.5, "second noise Gaussian");
  EXPECT_GT(sinc_sized_13plus, 0);
}

TEST(Degradation, ReproducibleFromTheSeedAlone) {
  const DegradationConfig cfg = DegradationConfig::from_config(Config::defaults());
  const cv::Mat gt = to_float(synthetic_photo(128, 128, 9));
  auto run = [&](uint64_t seed) {
    SampleRng rng(seed);
    return degrade(gt, cfg, rng);
  };
  const cv::Mat a = run(1), b = run(1), c = run(2);
  EXPECT_EQ(cv::norm(a, b, cv::NORM_INF), 0.0);
  EXPECT_GT(cv::norm(a, c, cv::NORM_INF), 0.0);
}

TEST(Degradation, ConfigErrorsNameTheKey) {
  // Single-key rules fail in load_config, relations between keys in from_config: both name the key.
  auto fails_with = [](const std::string& key, const std::string& value, const std::string& needle) {
    try {
      DegradationConfig::from_config(load_config("", {{key, value}}));
      ADD_FAILURE() << key << " = " << value << " was accepted";
    } catch (const std::exception& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  fails_with("degradation.kernel_list", "iso,gauss,generalized_iso,generalized_aniso,plateau_iso,plateau_aniso",
             "gauss");
  fails_with("degradation.kernel_prob", "0.5,0.5", "kernel_prob");
  fails_with("degradation.resize_prob", "0.5,0.5", "resize_prob");
  fails_with("degradation.blur_sigma", "3,0.2", "blur_sigma");
  fails_with("degradation.jpeg_range2", "30,100", "jpeg_range");
  fails_with("degradation.blur_kernel_size", "20", "blur_kernel_size");
}

TEST(Degradation, NonFiniteValuesNeverLeaveThePipeline) {
  cv::Mat image(4, 4, CV_32FC3, cv::Scalar::all(0.5));
  EXPECT_NO_THROW(quantize_to_u8(image));
  image.at<cv::Vec3f>(2, 1)[1] = std::nanf("");
  EXPECT_THROW(quantize_to_u8(image), std::domain_error);
  image.at<cv::Vec3f>(2, 1)[1] = INFINITY;
  EXPECT_THROW(quantize_to_u8(image), std::domain_error);
}

TEST(GtPreparation, AnySizeBecomesAGtSizeSquare) {
  HrDataConfig cfg = HrDataConfig::from_config(Config::defaults());
  for (const auto& [h, w] : std::vector<std::pair<int, int>>{{100, 300}, {256, 256}, {300, 700}, {40, 30}, {1, 1}}) {
    SampleRng rng(3);
    const cv::Mat gt = prepare_gt(to_float(synthetic_photo(h, w, 1)), cfg, rng);
    EXPECT_EQ(gt.rows, 256);
    EXPECT_EQ(gt.cols, 256);
    EXPECT_EQ(gt.type(), CV_32FC3);
  }
  // Without rescale_gt, a plain crop keeps pixel values.
  cfg.rescale_gt = false;
  cfg.use_hflip = false;
  const cv::Mat photo = to_float(synthetic_photo(300, 400, 2));
  SampleRng rng(5);
  const cv::Mat crop = prepare_gt(photo, cfg, rng);
  bool found = false;
  for (int y = 0; y <= 300 - 256 && !found; ++y)
    for (int x = 0; x <= 400 - 256 && !found; ++x)
      found = cv::norm(photo(cv::Rect(x, y, 256, 256)), crop, cv::NORM_INF) == 0.0;
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace sinsr::test
