// The deterministic building blocks of the Real-ESRGAN degradation against degrade_*.h5 (basicsr / torch
// 1.13 outputs): every blur kernel family and size, filter2D, every F.interpolate mode and sizing rule,
// the final 8-bit quantisation, DiffJPEG and USM sharpening.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>
#include <iostream>

#include "core/data/diff_jpeg.h"
#include "core/data/image_ops.h"
#include "core/data/kernels.h"
#include "tests/support/fixtures.h"
#include "tests/support/mat_tensor.h"

namespace sinsr::test {
namespace {

using namespace sinsr::data;

// Applies `op` to every sample of an [N, 3, H, W] tensor.
template <typename Op>
at::Tensor per_sample(const at::Tensor& batch, Op op) {
  std::vector<at::Tensor> out;
  for (int64_t i = 0; i < batch.size(0); ++i) out.push_back(mat_to_chw(op(chw_to_mat(batch[i]), i)));
  return at::stack(out);
}

bool type_is_isotropic(const std::string& type) {
  return type == "iso" || (type.size() > 4 && type.substr(type.size() - 4) == "_iso");
}

TEST(DegradeParity, KernelsOfEveryFamilyAndSize) {
  for (const std::string& path : fixture_files("degrade_")) {
    io::H5Reader h5(path);
    int checked = 0;
    for (const std::string& name : h5.members("/kernels")) {
      const std::string d = "/kernels/" + name;
      SCOPED_TRACE(path + " " + d);
      const std::string func = h5.attr_string(d, "func");
      const int size = static_cast<int>(h5.attr_double(d, "kernel_size"));
      cv::Mat ours;
      if (func == "circular_lowpass_kernel") {
        const int pad_to = h5.has_attr(d, "pad_to") && !h5.attr_is_string(d, "pad_to")
                               ? static_cast<int>(h5.attr_double(d, "pad_to"))
                               : 0;
        ours = circular_lowpass_kernel(h5.attr_double(d, "cutoff"), size, pad_to);
      } else {
        // Iso kernels store sig_y = sig_x and theta = 0; the flag only selects the covariance formula.
        const bool iso = type_is_isotropic(h5.attr_string(d, "kernel_type"));
        const double sx = h5.attr_double(d, "sig_x"), sy = h5.attr_double(d, "sig_y"), th = h5.attr_double(d, "theta");
        if (func == "bivariate_Gaussian")
          ours = bivariate_gaussian(size, sx, sy, th, iso);
        else if (func == "bivariate_generalized_Gaussian")
          ours = bivariate_generalized_gaussian(size, sx, sy, th, h5.attr_double(d, "beta"), iso);
        else if (func == "bivariate_plateau")
          ours = bivariate_plateau(size, sx, sy, th, h5.attr_double(d, "beta"), iso);
        else
          FAIL() << "unknown kernel function " << func;
      }
      const at::Tensor ref = h5.read(d);
      ASSERT_EQ(ours.rows, ref.size(0));
      at::Tensor t = at::from_blob(ours.data, {ours.rows, ours.cols}, at::kDouble);
      expect_max_abs(t, ref, 1e-6, d);
      ++checked;
    }
    EXPECT_GT(checked, 0) << path << " has no kernels";
  }
}

TEST(DegradeParity, Filter2dSharedPerSampleAndPulse) {
  for (const std::string& path : fixture_files("degrade_")) {
    SCOPED_TRACE(path);
    io::H5Reader h5(path);
    const at::Tensor img = h5.read("/filter2D/img");
    for (const char* kind : {"shared", "per_sample", "pulse"}) {
      SCOPED_TRACE(kind);
      const at::Tensor kernels = h5.read(std::string("/filter2D/kernel_") + kind);
      const at::Tensor out = per_sample(img, [&](const cv::Mat& m, int64_t i) {
        return filter2d(m, tensor_to_kernel(kernels[kernels.size(0) == 1 ? 0 : i]));
      });
      expect_max_abs(out, h5.read(std::string("/filter2D/out_") + kind), 1e-5, std::string("filter2D ") + kind);
    }
  }
}

TEST(DegradeParity, InterpolateEveryModeScaleAndSize) {
  for (const std::string& path : fixture_files("degrade_")) {
    io::H5Reader h5(path);
    int checked = 0;
    for (const std::string& name : h5.members("/resize")) {
      const std::string d = "/resize/" + name;
      if (!h5.has_attr(d, "mode")) continue;  // inputs and the quantisation check
      SCOPED_TRACE(path + " " + d);
      const ResizeMode mode = parse_resize_mode(h5.attr_string(d, "mode"));
      // bicubic_x4_of_lq_pm1 resizes lq_pm1 (the [-1, 1] LQ of encode_first_stage); the rest resize `input`.
      const at::Tensor input = h5.read(name == "bicubic_x4_of_lq_pm1" ? "/resize/lq_pm1" : "/resize/input");
      const bool by_size = h5.has_attr(d, "size") && !h5.attr_is_string(d, "size");
      const at::Tensor out = per_sample(input, [&](const cv::Mat& m, int64_t) {
        if (by_size) {
          const std::vector<double> size = h5.attr_doubles(d, "size");
          return resize_to(m, static_cast<int>(size.at(0)), static_cast<int>(size.at(1)), mode);
        }
        return resize_by_scale(m, h5.attr_double(d, "scale_factor"), mode);
      });
      expect_max_abs(out, h5.read(d), 1e-5, d);
      ++checked;
    }
    EXPECT_GT(checked, 0);
    // The final LQ quantisation, clamp(round(x * 255), 0, 255) / 255 with round half to even.
    const at::Tensor q =
        per_sample(h5.read("/resize/input"), [](const cv::Mat& m, int64_t) { return quantize_to_u8(m); });
    expect_max_abs(q / 255.0, h5.read("/resize/round_clamp_of_input"), 0.0, "round_clamp_of_input");
  }
}

TEST(DegradeParity, DiffJpegAtRealValuedQualities) {
  for (const std::string& path : fixture_files("degrade_")) {
    SCOPED_TRACE(path);
    io::H5Reader h5(path);
    const at::Tensor quality = h5.read("/diffjpeg/quality").to(at::kDouble);
    const at::Tensor out = per_sample(
        h5.read("/diffjpeg/img"), [&](const cv::Mat& m, int64_t i) { return diff_jpeg(m, quality[i].item<double>()); });
    // DiffJPEG rounds DCT coefficients: a different summation order may flip a coefficient that sits on a
    // rounding edge, which moves its 8x8 block by a few levels. Almost every pixel must agree to float
    // round-off, and none may be off by more than such a flip can explain.
    const at::Tensor diff = (out - h5.read("/diffjpeg/out")).abs();
    const double close_fraction = (diff <= 1e-4).to(at::kDouble).mean().item<double>();
    std::cout << "  diffjpeg: " << close_fraction * 100 << "% of values within 1e-4, max abs error "
              << diff.max().item<double>() << "\n";
    EXPECT_GE(close_fraction, 0.99);
    EXPECT_LE(diff.max().item<double>(), 0.1);
  }
}

TEST(DegradeParity, UsmSharpenLikeTheTorchAndNumpyVersions) {
  for (const std::string& path : fixture_files("degrade_")) {
    SCOPED_TRACE(path);
    io::H5Reader h5(path);
    const at::Tensor img = h5.read("/usm/img");
    for (const char* name : {"/usm/out", "/usm/out_w1_t5"}) {
      SCOPED_TRACE(name);
      const double weight = h5.attr_double(name, "weight"), threshold = h5.attr_double(name, "threshold");
      const at::Tensor out =
          per_sample(img, [&](const cv::Mat& m, int64_t) { return usm_sharpen(m, weight, threshold); });
      expect_max_abs(out, h5.read(name), 1e-5, name);
    }
    const at::Tensor np_out = mat_to_chw(usm_sharpen(chw_to_mat(h5.read("/usm/np_img_hwc").permute({2, 0, 1}))));
    expect_max_abs(np_out, h5.read("/usm/np_usm_sharp_out").permute({2, 0, 1}), 1e-5, "numpy usm_sharp");
  }
}

}  // namespace
}  // namespace sinsr::test
