// PSNR / SSIM in every variant against metric_psnr_ssim*.h5 (pyiqa 0.1.6.4 and BasicSR 1.4.2 outputs on real
// image pairs), plus closed-form cases that need no fixture: identical images, a constant grey-level offset,
// a difference confined to the outer border.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <limits>
#include <regex>
#include <string>

#include "core/util/json.h"
#include "eval/metrics/psnr_ssim.h"
#include "tests/support/fixtures.h"

namespace sinsr::test {
namespace {

using namespace sinsr::metrics;
namespace detail = sinsr::metrics::psnr_ssim_detail;

// README-metrics "Tolerances": pyiqa is float32 (SSIM: E[x²] - μ² cancels with x up to 255), BasicSR float64.
double tolerance(const PsnrSsimVariant& v) {
  const bool psnr = v.measure == QualityMeasure::Psnr;
  if (v.library == PsnrSsimLibrary::Pyiqa) return psnr ? 1e-4 : 5e-5;
  return psnr ? 1e-9 : 1e-10;
}
// The acceptance bound, on top of the absolute tolerances above.
constexpr double kMaxRelativeError = 1e-6;

int64_t pair_count(const io::H5Reader& h5) {
  return static_cast<int64_t>(Json::parse(h5.attr_string("/", "pair_names")).size());
}
std::string pair_group(int64_t k) { return "/pairs/pair" + std::to_string(k); }

// The variant a values/<name> dataset was computed with, read from its attributes (library, reference
// function / metric type, options), independently of its name.
PsnrSsimVariant variant_from_attributes(const io::H5Reader& h5, const std::string& dataset) {
  const std::string library = h5.attr_string(dataset, "library");
  const Json options = Json::parse(h5.attr_string(dataset, "options"));
  PsnrSsimVariant v;
  const bool y = options["test_y_channel"].as_bool();
  if (options.has("crop_border")) v.crop_border = static_cast<int>(options["crop_border"].as_int());
  if (library == "pyiqa") {
    const std::string type = options["type"].as_string();
    EXPECT_TRUE(type == "PSNR" || type == "SSIM") << dataset << ": pyiqa type " << type;
    v.measure = type == "PSNR" ? QualityMeasure::Psnr : QualityMeasure::Ssim;
    if (options.has("downsample")) {
      EXPECT_FALSE(options["downsample"].as_bool()) << dataset << ": SSIM downsampling is not ported";
    }
    const std::string space =
        options.has("color_space") ? options["color_space"].as_string() : "yiq";  // pyiqa's default
    EXPECT_TRUE(space == "yiq" || space == "ycbcr") << dataset << ": colour space " << space;
    v.channels = !y ? PsnrSsimChannels::Rgb : space == "ycbcr" ? PsnrSsimChannels::YcbcrY : PsnrSsimChannels::YiqY;
    return v;
  }
  EXPECT_EQ(library, "basicsr") << dataset;
  const std::string function = h5.attr_string(dataset, "function");
  static const std::regex kFunction("calculate_(psnr|ssim)(_pt)?");
  std::smatch m;
  EXPECT_TRUE(std::regex_match(function, m, kFunction)) << dataset << ": function " << function;
  v.library = m[2].matched ? PsnrSsimLibrary::BasicsrTorch : PsnrSsimLibrary::BasicsrNumpy;
  v.measure = m[1] == "psnr" ? QualityMeasure::Psnr : QualityMeasure::Ssim;
  v.channels = y ? PsnrSsimChannels::YcbcrY : PsnrSsimChannels::Rgb;
  EXPECT_TRUE(options.has("crop_border")) << dataset;
  if (options.has("input_order")) {
    EXPECT_EQ(options["input_order"].as_string(), "HWC") << dataset;
  }
  return v;
}

TEST(MetricPsnrSsimParity, FloatInputIsU8Over255) {
  for (const std::string& path : fixture_files("metric_psnr_ssim")) {
    io::H5Reader h5(path);
    for (int64_t k = 0; k < pair_count(h5); ++k)
      for (const char* side : {"dist", "ref"}) {
        const std::string g = pair_group(k) + "/" + side;
        SCOPED_TRACE(path + " " + g);
        EXPECT_TRUE(at::equal(detail::to_unit_float(h5.read(g + "_u8")), h5.read(g + "_f32")));
      }
  }
}

TEST(MetricPsnrSsimParity, WindowsAndLumaWeights) {
  for (const std::string& path : fixture_files("metric_psnr_ssim")) {
    SCOPED_TRACE(path);
    io::H5Reader h5(path);
    expect_max_abs(detail::pyiqa_gaussian_window(), h5.read("/constants/pyiqa_gaussian_window"), 0.0, "pyiqa window");
    expect_max_abs(detail::basicsr_gaussian_window(), h5.read("/constants/basicsr_gaussian_window"), 0.0,
                   "basicsr window");
    const auto weights = [](PsnrSsimChannels c) { return at::tensor(detail::luma_weights(c), at::kDouble); };
    EXPECT_TRUE(at::equal(weights(PsnrSsimChannels::YcbcrY), h5.read("/constants/ycbcr_rgb_to_y")));
    EXPECT_TRUE(at::equal(weights(PsnrSsimChannels::YiqY), h5.read("/constants/yiq_rgb_to_y")));
  }
}

TEST(MetricPsnrSsimParity, EveryStoredValue) {
  for (const std::string& path : fixture_files("metric_psnr_ssim")) {
    io::H5Reader h5(path);
    const int64_t n = pair_count(h5);
    int checked = 0;
    for (const std::string& name : h5.members("/values")) {
      const std::string dataset = "/values/" + name;
      SCOPED_TRACE(path + " " + dataset);
      const PsnrSsimVariant variant = parse_psnr_ssim_variant(name);
      ASSERT_EQ(variant_name(variant_from_attributes(h5, dataset)), name) << "the attributes describe another variant";
      const at::Tensor expected = h5.read(dataset).to(at::kDouble);
      ASSERT_EQ(expected.numel(), n);
      double max_abs = 0, max_rel = 0;
      for (int64_t k = 0; k < n; ++k) {
        const double ours =
            compute_psnr_ssim(h5.read(pair_group(k) + "/dist_u8"), h5.read(pair_group(k) + "/ref_u8"), variant);
        const double ref = expected[k].item<double>();
        if (std::isinf(ref) || std::isinf(ours)) {  // BasicSR's identical-image PSNR
          EXPECT_EQ(ours, ref) << "pair " << k;
          continue;
        }
        const double abs_err = std::abs(ours - ref);
        max_abs = std::max(max_abs, abs_err);
        max_rel = std::max(max_rel, abs_err / std::abs(ref));
        EXPECT_LE(abs_err, tolerance(variant)) << "pair " << k << ": ours " << ours << ", reference " << ref;
      }
      std::cout << "  " << name << ": max abs error " << max_abs << " (tolerance " << tolerance(variant)
                << "), max rel error " << max_rel << "\n";
      EXPECT_LE(max_rel, kMaxRelativeError);
      ++checked;
    }
    EXPECT_GT(checked, 0) << path << " has no values";
  }
}

// intermediates/pair<k>/<name>: the planes a variant compares, named after the step that made them.
TEST(MetricPsnrSsimParity, StoredIntermediates) {
  static const std::regex kLuma("pyiqa_y_(ycbcr|yiq)_(dist|ref)");
  static const std::regex kLuma255("pyiqa_y255_(ycbcr|yiq)_(dist|ref)");
  static const std::regex kSsimMap("pyiqa_ssim_map_(y_ycbcr|y_yiq|rgb)");
  static const std::regex kBasicsrLuma("basicsr_y_crop([0-9]+)_(dist|ref)");
  static const std::regex kPairGroup("pair([0-9]+)");
  const auto channels_of = [](const std::string& space) {
    return space == "rgb"                       ? PsnrSsimChannels::Rgb
           : space == "yiq" || space == "y_yiq" ? PsnrSsimChannels::YiqY
                                                : PsnrSsimChannels::YcbcrY;
  };
  for (const std::string& path : fixture_files("metric_psnr_ssim")) {
    io::H5Reader h5(path);
    int checked = 0;
    for (const std::string& group : h5.members("/intermediates")) {
      std::smatch pair;
      ASSERT_TRUE(std::regex_match(group, pair, kPairGroup)) << path << ": unexpected group " << group;
      const std::string images = pair_group(std::stoll(pair[1]));
      const auto u8 = [&](const std::string& side) { return h5.read(images + "/" + side + "_u8"); };
      const auto unit = [&](const std::string& side) { return detail::to_unit_float(u8(side)); };
      for (const std::string& name : h5.members("/intermediates/" + group)) {
        const std::string dataset = "/intermediates/" + group + "/" + name;
        SCOPED_TRACE(path + " " + dataset);
        const at::Tensor expected = h5.read(dataset);
        std::smatch m;
        // Y and the rounded Y are float32 computations the port reproduces operation by operation: exact.
        if (std::regex_match(name, m, kLuma)) {
          expect_max_abs(detail::pyiqa_luma(unit(m[2]), channels_of(m[1])), expected, 0.0, name);
        } else if (std::regex_match(name, m, kLuma255)) {
          expect_max_abs(detail::pyiqa_ssim_input(unit(m[2]), channels_of(m[1])), expected, 0.0, name);
        } else if (std::regex_match(name, m, kSsimMap)) {
          const PsnrSsimChannels channels = channels_of(m[1]);
          const at::Tensor map = detail::pyiqa_ssim_map(detail::pyiqa_ssim_input(unit("dist"), channels),
                                                        detail::pyiqa_ssim_input(unit("ref"), channels));
          expect_max_abs(map, expected, tolerance({PsnrSsimLibrary::Pyiqa, QualityMeasure::Ssim, channels}), name);
        } else if (std::regex_match(name, m, kBasicsrLuma)) {
          const int64_t crop = std::stoll(m[1]);
          const at::Tensor image = u8(m[2]);
          const at::Tensor cropped = image.slice(0, crop, image.size(0) - crop).slice(1, crop, image.size(1) - crop);
          expect_max_abs(detail::basicsr_luma(cropped), expected, 0.0, name);
        } else {
          ADD_FAILURE() << "unknown intermediate " << name << ": teach this test what it is";
          continue;
        }
        ++checked;
      }
    }
    EXPECT_GT(checked, 0) << path << " has no intermediates";
  }
}

// ---- Closed-form cases (no fixture; expectations from formulas) ----

constexpr double kC1 = (0.01 * 255) * (0.01 * 255), kC2 = (0.03 * 255) * (0.03 * 255);
// Sum of the BT.601 luma weights 65.481 + 128.553 + 24.966: a grey-level step d moves 255·Y by 219·d/255.
constexpr double kYcbcrWeightSum = 219.0;
// Inputs are float32(u8 / 255) (and pyiqa computes in float32): a few float32 ulps per pixel, < 1e-4 dB.
constexpr double kFloat32PsnrTolerance = 1e-4;

// A deterministic texture with values in [lo, hi]: (37 i + 11 j + 71 c) mod (hi - lo + 1) + lo.
at::Tensor textured_image(int64_t h, int64_t w, int64_t lo, int64_t hi) {
  const at::Tensor i = at::arange(h, at::kLong).view({h, 1, 1}), j = at::arange(w, at::kLong).view({1, w, 1});
  const at::Tensor c = at::arange(3, at::kLong).view({1, 1, 3});
  return ((37 * i + 11 * j + 71 * c).remainder(hi - lo + 1) + lo).to(at::kByte);
}

at::Tensor constant_image(int64_t h, int64_t w, int64_t grey) { return at::full({h, w, 3}, grey, at::kByte); }

// pyiqa / basicsr_pt: 10·log10(1 / (mse + 1e-8)) on [0, 1] data.
double eps_psnr(double mse) { return 10 * std::log10(1 / (mse + 1e-8)); }

void expect_closed_form(const at::Tensor& dist, const at::Tensor& ref, const PsnrSsimVariant& v, double expected,
                        double tol) {
  const double ours = compute_psnr_ssim(dist, ref, v);
  std::cout << "  " << variant_name(v) << ": " << ours << " (closed form " << expected << ", error "
            << std::abs(ours - expected) << ")\n";
  EXPECT_NEAR(ours, expected, tol) << variant_name(v);
}

using Library = PsnrSsimLibrary;
using Channels = PsnrSsimChannels;
PsnrSsimVariant psnr_variant(Library library, Channels channels, int crop) {
  return {library, QualityMeasure::Psnr, channels, crop};
}
PsnrSsimVariant ssim_variant(Library library, Channels channels, int crop) {
  return {library, QualityMeasure::Ssim, channels, crop};
}

TEST(MetricPsnrSsimClosedForm, IdenticalImagesGiveSsimOneAndEpsOrInfinitePsnr) {
  const at::Tensor image = textured_image(40, 48, 0, 255);
  std::vector<PsnrSsimVariant> variants = psnr_ssim_variants(4);
  for (const PsnrSsimVariant& v : psnr_ssim_variants(0))
    if (v.library != PsnrSsimLibrary::Pyiqa) variants.push_back(v);
  for (const PsnrSsimVariant& v : variants) {
    SCOPED_TRACE(variant_name(v));
    const double value = compute_psnr_ssim(image, image.clone(), v);
    if (v.measure == QualityMeasure::Ssim) {
      EXPECT_EQ(value, 1.0);  // every ratio is x / x exactly
    } else if (v.library == PsnrSsimLibrary::BasicsrNumpy) {
      EXPECT_EQ(value, std::numeric_limits<double>::infinity());
    } else {
      const double tol = v.library == PsnrSsimLibrary::Pyiqa ? kFloat32PsnrTolerance : 1e-9;
      EXPECT_NEAR(value, eps_psnr(0), tol);  // 10·log10(1 / 1e-8) = 80 dB
    }
  }
  EXPECT_DOUBLE_EQ(eps_psnr(0), 80.0);
}

TEST(MetricPsnrSsimClosedForm, ConstantOffsetGivesTheClosedFormPsnr) {
  const int64_t d = 3;
  const at::Tensor ref = textured_image(40, 48, 0, 200);
  const at::Tensor dist = (ref.to(at::kLong) + d).to(at::kByte);
  // The step in [0, 1] units: d/255 on every RGB channel and on YIQ Y (its weights sum to 1), 219·d/255² on
  // BT.601 Y (its weights sum to 219; the +16 cancels).
  const double rgb_step = d / 255.0;
  const double ycbcr_step = kYcbcrWeightSum * d / (255.0 * 255.0);
  for (int crop : {0, 4}) {
    SCOPED_TRACE("crop " + std::to_string(crop));
    // BasicSR numpy, 10·log10(255² / mse): integer RGB differences give mse = d² exactly; Y is float32.
    expect_closed_form(dist, ref, psnr_variant(Library::BasicsrNumpy, Channels::Rgb, crop), 20 * std::log10(255.0 / d),
                       1e-9);
    expect_closed_form(dist, ref, psnr_variant(Library::BasicsrNumpy, Channels::YcbcrY, crop),
                       20 * std::log10(1 / ycbcr_step), kFloat32PsnrTolerance);
  }
  // 10·log10(1 / (step² + 1e-8)) on float32 [0, 1] inputs.
  expect_closed_form(dist, ref, psnr_variant(Library::Pyiqa, Channels::Rgb, 0), eps_psnr(rgb_step * rgb_step),
                     kFloat32PsnrTolerance);
  expect_closed_form(dist, ref, psnr_variant(Library::Pyiqa, Channels::YiqY, 0), eps_psnr(rgb_step * rgb_step),
                     kFloat32PsnrTolerance);
  expect_closed_form(dist, ref, psnr_variant(Library::Pyiqa, Channels::YcbcrY, 0), eps_psnr(ycbcr_step * ycbcr_step),
                     kFloat32PsnrTolerance);
  expect_closed_form(dist, ref, psnr_variant(Library::BasicsrTorch, Channels::Rgb, 4), eps_psnr(rgb_step * rgb_step),
                     kFloat32PsnrTolerance);
  expect_closed_form(dist, ref, psnr_variant(Library::BasicsrTorch, Channels::YcbcrY, 4),
                     eps_psnr(ycbcr_step * ycbcr_step), kFloat32PsnrTolerance);
}

// Constant grey images: σ = 0, so cs = C2 / C2 = 1 and SSIM = (2ab + C1) / (a² + b² + C1) on the 255 scale.
// Dark greys keep pyiqa's float32 E[x²] - μ² (a few ulps of x², not 0) within its 5e-5 tolerance: at x ~ 100
// the cancellation alone moves cs by ~1e-4, as it does in pyiqa.
TEST(MetricPsnrSsimClosedForm, ConstantGreyImagesGiveTheLuminanceTerm) {
  const int64_t a = 20, b = 26;
  const at::Tensor ref = constant_image(24, 28, a), dist = constant_image(24, 28, b);
  const auto luminance = [](double x, double y) { return (2 * x * y + kC1) / (x * x + y * y + kC1); };
  // BT.601 255·Y of a grey g: 219·g/255 + 16, unrounded for BasicSR, rounded for pyiqa's SSIM (no ties here).
  const auto y255 = [](double g) { return kYcbcrWeightSum * g / 255 + 16; };
  const double rgb = luminance(b, a), y = luminance(y255(b), y255(a));
  expect_closed_form(dist, ref, ssim_variant(Library::Pyiqa, Channels::Rgb, 0), rgb, 5e-5);
  expect_closed_form(dist, ref, ssim_variant(Library::Pyiqa, Channels::YiqY, 0), rgb, 5e-5);
  expect_closed_form(dist, ref, ssim_variant(Library::Pyiqa, Channels::YcbcrY, 0),
                     luminance(std::nearbyint(y255(b)), std::nearbyint(y255(a))), 5e-5);
  // float64, but from float32 inputs (basicsr_pt) or float32 Y: 1e-7.
  expect_closed_form(dist, ref, ssim_variant(Library::BasicsrNumpy, Channels::Rgb, 4), rgb, 1e-10);
  expect_closed_form(dist, ref, ssim_variant(Library::BasicsrNumpy, Channels::YcbcrY, 4), y, 1e-7);
  expect_closed_form(dist, ref, ssim_variant(Library::BasicsrTorch, Channels::Rgb, 4), rgb, 1e-7);
  expect_closed_form(dist, ref, ssim_variant(Library::BasicsrTorch, Channels::YcbcrY, 4), y, 1e-7);
}

// A change confined to the 1-pixel outer border: BasicSR's crop 4 never sees it, crop 0 does.
TEST(MetricPsnrSsimClosedForm, BorderOnlyDifferenceIsInvisibleAfterTheCrop) {
  const int64_t h = 32, w = 40, d = 50;
  const at::Tensor ref = textured_image(h, w, 0, 200);
  at::Tensor dist = ref.clone();
  const at::Tensor inner = dist.slice(0, 1, h - 1).slice(1, 1, w - 1).clone();
  dist.add_(d);
  dist.slice(0, 1, h - 1).slice(1, 1, w - 1).copy_(inner);
  // Crop 0: mse = (border pixels / all pixels) · step², with step d (RGB) or 219·d/255 (Y, float32) on [0, 255].
  const double border_fraction = (2.0 * (h + w) - 4) / static_cast<double>(h * w);
  const double y_step = kYcbcrWeightSum * d / 255.0;
  for (Channels channels : {Channels::Rgb, Channels::YcbcrY}) {
    const bool rgb = channels == Channels::Rgb;
    SCOPED_TRACE(rgb ? "rgb" : "y");
    EXPECT_EQ(compute_psnr_ssim(dist, ref, psnr_variant(Library::BasicsrNumpy, channels, 4)),
              std::numeric_limits<double>::infinity());
    EXPECT_EQ(compute_psnr_ssim(dist, ref, ssim_variant(Library::BasicsrNumpy, channels, 4)), 1.0);
    EXPECT_NEAR(compute_psnr_ssim(dist, ref, psnr_variant(Library::BasicsrTorch, channels, 4)), eps_psnr(0), 1e-9);
    EXPECT_EQ(compute_psnr_ssim(dist, ref, ssim_variant(Library::BasicsrTorch, channels, 4)), 1.0);

    const double step = rgb ? d : y_step;
    expect_closed_form(dist, ref, psnr_variant(Library::BasicsrNumpy, channels, 0),
                       10 * std::log10(255.0 * 255.0 / (border_fraction * step * step)),
                       rgb ? 1e-9 : kFloat32PsnrTolerance);
    EXPECT_LT(compute_psnr_ssim(dist, ref, ssim_variant(Library::BasicsrNumpy, channels, 0)), 1.0);
  }
}

// ---- Names, protocols, argument checks ----

TEST(MetricPsnrSsimNames, VariantNamesRoundTripAndMatchTheFixtureNames) {
  for (int crop : {0, 4}) {
    const std::vector<PsnrSsimVariant> variants = psnr_ssim_variants(crop);
    EXPECT_EQ(variants.size(), 14u);
    for (const PsnrSsimVariant& v : variants) EXPECT_EQ(parse_psnr_ssim_variant(variant_name(v)), v) << variant_name(v);
  }
  EXPECT_EQ(variant_name(psnr_variant(Library::Pyiqa, Channels::YcbcrY, 0)), "pyiqa_psnr_y_ycbcr");
  EXPECT_EQ(variant_name(ssim_variant(Library::Pyiqa, Channels::YiqY, 0)), "pyiqa_ssim_y_yiq");
  EXPECT_EQ(variant_name(ssim_variant(Library::BasicsrNumpy, Channels::YcbcrY, 4)), "basicsr_ssim_y_crop4");
  EXPECT_EQ(variant_name(psnr_variant(Library::BasicsrTorch, Channels::Rgb, 4)), "basicsr_pt_psnr_rgb_crop4");
  for (const char* bad :
       {"psnr", "pyiqa_psnr_y", "pyiqa_psnr_rgb_crop4", "basicsr_psnr_y", "basicsr_psnr_y_ycbcr_crop4",
        "basicsr_pt_ssim_y_yiq_crop4", "basicsr_psnr_rgb_crop99999999999"})
    EXPECT_THROW(parse_psnr_ssim_variant(bad), std::invalid_argument) << bad;
}

TEST(MetricPsnrSsimNames, TheSinsrProtocolIsPyiqaYcbcr) {
  EXPECT_STREQ(kSinsrPsnrSsimProtocol, "pyiqa-ycbcr");
  const PsnrSsimProtocol sinsr = parse_psnr_ssim_protocol(kSinsrPsnrSsimProtocol);
  EXPECT_EQ(variant_name(sinsr.psnr), "pyiqa_psnr_y_ycbcr");
  EXPECT_EQ(variant_name(sinsr.ssim), "pyiqa_ssim_y_ycbcr");
  const PsnrSsimProtocol basicsr = parse_psnr_ssim_protocol("basicsr-pt-y", 2);
  EXPECT_EQ(variant_name(basicsr.psnr), "basicsr_pt_psnr_y_crop2");
  EXPECT_EQ(variant_name(basicsr.ssim), "basicsr_pt_ssim_y_crop2");
  for (const std::string& name : psnr_ssim_protocol_names()) EXPECT_NO_THROW(parse_psnr_ssim_protocol(name)) << name;
  EXPECT_THROW(parse_psnr_ssim_protocol("pyiqa"), std::invalid_argument);
  // The protocol call is the two variant calls.
  const at::Tensor ref = textured_image(20, 24, 0, 255), dist = textured_image(20, 24, 5, 250);
  const PsnrSsimScores scores = compute_psnr_and_ssim(dist, ref, sinsr);
  EXPECT_EQ(scores.psnr, compute_psnr_ssim(dist, ref, sinsr.psnr));
  EXPECT_EQ(scores.ssim, compute_psnr_ssim(dist, ref, sinsr.ssim));
}

TEST(MetricPsnrSsimNames, RejectsWrongInputs) {
  const at::Tensor image = textured_image(16, 16, 0, 255);
  const PsnrSsimVariant psnr = psnr_variant(Library::Pyiqa, Channels::YcbcrY, 0);
  const PsnrSsimVariant ssim_crop4 = ssim_variant(Library::BasicsrNumpy, Channels::Rgb, 4);
  EXPECT_THROW(compute_psnr_ssim(image.to(at::kFloat), image.to(at::kFloat), psnr), std::invalid_argument);
  EXPECT_THROW(compute_psnr_ssim(image.select(2, 0), image.select(2, 0), psnr), std::invalid_argument);
  EXPECT_THROW(compute_psnr_ssim(image, textured_image(16, 18, 0, 255), psnr), std::invalid_argument);
  EXPECT_THROW(compute_psnr_ssim(image, image, ssim_crop4), std::invalid_argument);  // 16 - 2·4 < 11
  const at::Tensor just_enough = textured_image(19, 19, 0, 255);
  EXPECT_NO_THROW(compute_psnr_ssim(just_enough, just_enough, ssim_crop4));
  EXPECT_THROW(compute_psnr_ssim(image, image, psnr_variant(Library::Pyiqa, Channels::Rgb, 4)), std::invalid_argument);
  EXPECT_THROW(compute_psnr_ssim(image, image, psnr_variant(Library::BasicsrNumpy, Channels::YiqY, 4)),
               std::invalid_argument);
}

}  // namespace
}  // namespace sinsr::test
