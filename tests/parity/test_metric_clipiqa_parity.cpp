// CLIPIQA (pyiqa `clipiqa`) against the reference: every metric_clipiqa*.h5 in SINSR_PARITY_DIR
// (tests/fixtures/parity/README-metrics.md, section 3).
#include <gtest/gtest.h>

#include <iostream>

#include "core/io/state_dict.h"
#include "core/util/json.h"
#include "eval/metrics/clipiqa.h"
#include "tests/support/fixtures.h"
#include "tests/support/perturbation.h"
#include "tests/support/processes.h"

namespace sinsr::test {
namespace {

using metrics::ClipIqa;
using metrics::ClipResNetConfig;

// README "Tolerances": features relative to their max |value|, logits and probabilities absolute.
constexpr double kFeatureRelTolerance = 1e-4;  // layer4_out, image_features
constexpr double kLogitTolerance = 2e-3;
constexpr double kProbabilityTolerance = 1e-5;  // pair_probs, score
// (x - mean) / std is one float32 subtraction and division per element, as in the reference.
constexpr double kNormalizedRelTolerance = 1e-6;

struct Fixture {
  ClipResNetConfig arch;
  io::TensorDict clip_state;  // `visual.*` keys
  at::Tensor text_features, logit_scale_param;
  std::vector<std::string> images;  // groups under images/
};

ClipResNetConfig arch_from_config(const io::H5Reader& h5) {
  const Json config = Json::parse(h5.attr_string("/", "config"));
  const Json& a = config["visual_arch"];
  ClipResNetConfig arch;
  arch.width = a["width"].as_int();
  arch.layers = a["layers"].as_int_list();
  arch.heads = a["heads"].as_int();
  arch.output_dim = a["output_dim"].as_int();
  arch.input_resolution = a["input_resolution"].as_int();
  return arch;
}

Fixture read_fixture(const io::H5Reader& h5) {
  Fixture f{arch_from_config(h5),
            read_state_dict_group(h5, "visual_state_dict"),
            h5.read("text_features"),
            h5.read("logit_scale_param"),
            {}};
  for (const std::string& name : h5.members("images")) f.images.push_back("images/" + name);
  return f;
}

ClipIqa build(const Fixture& f, const std::string& source) {
  return ClipIqa(f.arch, f.clip_state, f.text_features, f.logit_scale_param, source);
}

double max_abs_error(const at::Tensor& actual, const at::Tensor& expected) {
  EXPECT_EQ(actual.numel(), expected.numel());
  if (actual.numel() != expected.numel()) return INFINITY;
  return (actual.to(at::kDouble).flatten() - expected.to(at::kDouble).flatten()).abs().max().item<double>();
}

// Worst error of each compared quantity over all images of a file.
struct ClipIqaErrors {
  double x_normalized = 0, layer4_out = 0, image_features = 0, logits = 0, pair_probs = 0, score = 0;
  double scores = 0;  // the root `scores` dataset against our per-image scores
};

ClipIqaErrors compare_all(ClipIqa& metric, const Fixture& f, const io::H5Reader& h5) {
  ClipIqaErrors e;
  std::vector<at::Tensor> ours;
  for (const std::string& img : f.images) {
    const auto x = h5.read(img + "/x_f32");
    const auto r = metric.evaluate(x);
    auto worst = [](double& slot, double value) { slot = std::max(slot, value); };
    worst(e.x_normalized, max_rel_error(ClipIqa::normalize(x), h5.read(img + "/x_normalized")));
    worst(e.layer4_out, max_rel_error(r.layer4_out, h5.read(img + "/layer4_out")));
    worst(e.image_features, max_rel_error(r.image_features, h5.read(img + "/image_features")));
    worst(e.logits, max_abs_error(r.logits, h5.read(img + "/logits")));
    worst(e.pair_probs, max_abs_error(r.pair_probs, h5.read(img + "/pair_probs")));
    EXPECT_EQ(r.pair_probs.sizes(), h5.read(img + "/pair_probs").sizes()) << img;
    worst(e.score, max_abs_error(r.scores, h5.read(img + "/score")));
    ours.push_back(r.scores);
  }
  e.scores = max_abs_error(torch::cat(ours), h5.read("scores"));
  return e;
}

void expect_within_tolerances(const ClipIqaErrors& e) {
  std::cout << "  x_normalized: max rel error " << e.x_normalized << "\n"
            << "  layer4_out: max rel error " << e.layer4_out << "\n"
            << "  image_features: max rel error " << e.image_features << "\n"
            << "  logits: max abs error " << e.logits << "\n"
            << "  pair_probs: max abs error " << e.pair_probs << "\n"
            << "  score: max abs error " << e.score << " (scores dataset: " << e.scores << ")\n";
  EXPECT_LE(e.x_normalized, kNormalizedRelTolerance);
  EXPECT_LE(e.layer4_out, kFeatureRelTolerance);
  EXPECT_LE(e.image_features, kFeatureRelTolerance);
  EXPECT_LE(e.logits, kLogitTolerance);
  EXPECT_LE(e.pair_probs, kProbabilityTolerance);
  EXPECT_LE(e.score, kProbabilityTolerance);
  EXPECT_LE(e.scores, kProbabilityTolerance);
}

TEST(MetricClipIqaParity, MatchesEveryFixture) {
  for (const std::string& path : fixture_files("metric_clipiqa")) {
    SCOPED_TRACE(path);
    io::H5Reader h5(path);
    const Fixture f = read_fixture(h5);
    ASSERT_FALSE(f.images.empty());
    auto metric = build(f, path);
    std::cout << path << " (" << f.images.size() << " images)\n";
    expect_within_tolerances(compare_all(metric, f, h5));
  }
}

// The stored normalisation statistics and prompt order are the real metric's, which the port hard-codes
// (the prompts only document which text features go in which row).
TEST(MetricClipIqaParity, ReferenceConstantsMatchThePort) {
  for (const std::string& path : fixture_files("metric_clipiqa")) {
    SCOPED_TRACE(path);
    io::H5Reader h5(path);
    const auto mean = h5.read("clip_mean"), std = h5.read("clip_std");
    ASSERT_EQ(mean.numel(), 3);
    ASSERT_EQ(std.numel(), 3);
    for (int c = 0; c < 3; ++c) {
      EXPECT_EQ(mean[c].item<float>(), metrics::kClipMean[c]);
      EXPECT_EQ(std[c].item<float>(), metrics::kClipStd[c]);
    }
    const Json config = Json::parse(h5.attr_string("/", "config"));
    const Json& prompts = config["prompts"];
    ASSERT_EQ(prompts.size(), metrics::kClipIqaPrompts.size());
    for (size_t i = 0; i < prompts.size(); ++i) EXPECT_EQ(prompts[i].as_string(), metrics::kClipIqaPrompts[i]);
  }
}

TEST(MetricClipIqaParity, ArchitectureInferredFromWeightsMatchesConfig) {
  for (const std::string& path : fixture_files("metric_clipiqa")) {
    SCOPED_TRACE(path);
    io::H5Reader h5(path);
    const Fixture f = read_fixture(h5);
    const auto inferred = ClipResNetConfig::from_weights(metrics::clip_visual_weights(f.clip_state, path), path);
    EXPECT_TRUE(inferred == f.arch) << "inferred width " << inferred.width << ", heads " << inferred.heads
                                    << ", output_dim " << inferred.output_dim << ", input_resolution "
                                    << inferred.input_resolution;
    EXPECT_EQ(f.arch.heads, f.arch.embed_dim() / 64);  // README: heads = channels / 64
  }
}

// What users load: OpenAI's checkpoint converted with torch.save(jit_model.state_dict()) holds float16
// conv/linear weights and the text tower's keys; the text-features file holds the features and CLIP's
// logit_scale parameter (0-d). Both go through our .pth reader and must give the reference scores.
TEST(MetricClipIqaParity, FromFilesLoadsAFullHalfPrecisionClipCheckpoint) {
  const auto dir = fresh_dir("sinsr_clipiqa");
  for (const std::string& path : fixture_files("metric_clipiqa")) {
    SCOPED_TRACE(path);
    io::H5Reader h5(path);
    const Fixture f = read_fixture(h5);
    io::TensorDict clip_state;
    for (const auto& [key, value] : f.clip_state)  // the fixture weights are float16-representable
      clip_state.emplace_back(key, value.dim() >= 2 ? value.to(at::kHalf) : value);
    clip_state.emplace_back("logit_scale", f.logit_scale_param.reshape({}));
    clip_state.emplace_back("token_embedding.weight", torch::zeros({8, 4}, at::kHalf));
    clip_state.emplace_back("input_resolution", torch::tensor(int64_t{224}));
    const std::string weights = (dir / "clip.pth").string(), text = (dir / "text.pth").string();
    io::write_state_dict(weights, clip_state);
    io::write_state_dict(text, {{"text_features", f.text_features}, {"logit_scale", f.logit_scale_param.reshape({})}});

    auto metric = ClipIqa::from_files(weights, text);
    std::vector<at::Tensor> scores;
    for (const std::string& img : f.images) scores.push_back(metric.score(h5.read(img + "/x_f32")));
    const double err = max_abs_error(torch::cat(scores), h5.read("scores"));
    std::cout << path << ": scores from .pth files, max abs error " << err << "\n";
    EXPECT_LE(err, kProbabilityTolerance);
  }
}

TEST(MetricClipIqaParity, RejectsInputsThatDoNotFit) {
  const std::string path = fixture_files("metric_clipiqa").front();
  io::H5Reader h5(path);
  const Fixture f = read_fixture(h5);

  Fixture missing = f;
  missing.clip_state.erase(missing.clip_state.begin());  // visual.conv1.weight
  expect_error_naming([&] { build(missing, "clip_missing.pth"); }, "clip_missing.pth");

  Fixture text_only = f;
  text_only.clip_state = {{"logit_scale", f.logit_scale_param}};
  expect_error_naming([&] { build(text_only, "text_tower.pth"); }, "visual.");

  Fixture odd_rows = f;
  odd_rows.text_features = f.text_features.narrow(0, 0, f.text_features.size(0) - 1);
  expect_error_naming([&] { build(odd_rows, "odd.pth"); }, "text features");

  Fixture wrong_dim = f;
  wrong_dim.text_features = torch::cat({f.text_features, f.text_features}, 1);
  expect_error_naming([&] { build(wrong_dim, "wide.pth"); }, "text features");

  Fixture exponentiated_scale = f;
  exponentiated_scale.logit_scale_param = f.logit_scale_param.exp();
  expect_error_naming([&] { build(exponentiated_scale, "scale.pth"); }, "logit_scale");

  auto metric = build(f, path);
  expect_error_naming([&] { metric.score(torch::rand({1, 3, 30, 64})); }, "too small");
  expect_error_naming([&] { metric.score(torch::rand({1, 1, 64, 64})); }, "[N, 3, H, W]");
  EXPECT_NO_THROW(metric.score(torch::rand({2, 3, 31, 31})));  // the smallest size the tower reduces to 1x1
}

// Perturbing any single weight of the visual tower must break image_features parity
// (tests/support/perturbation.h); the unused positional embedding must come out inert.
TEST(MetricClipIqaParity, FailsWhenAnySingleWeightIsPerturbed) {
  for (const std::string& path : fixture_files("metric_clipiqa")) {
    SCOPED_TRACE(path);
    io::H5Reader h5(path);
    const Fixture f = read_fixture(h5);
    metrics::ClipModifiedResNet visual(f.arch);
    io::load_state_dict_strict(*visual, metrics::clip_visual_weights(f.clip_state, path), path);
    visual->eval();
    std::vector<at::Tensor> inputs, expected;
    for (const std::string& img : f.images) {
      inputs.push_back(h5.read(img + "/x_normalized"));
      expected.push_back(h5.read(img + "/image_features"));
    }
    auto r = perturb_each_parameter(
        *visual,
        [&] {
          std::vector<at::Tensor> out;
          for (const auto& x : inputs) out.push_back(visual->forward(x));
          return out;
        },
        [&] {
          torch::NoGradGuard no_grad;
          double worst = 0;
          for (size_t i = 0; i < inputs.size(); ++i)
            worst = std::max(worst, max_rel_error(visual->forward(inputs[i]), expected[i]));
          return worst;
        },
        kFeatureRelTolerance);
    expect_every_weight_matters(r);
    EXPECT_NE(std::find(r.inert.begin(), r.inert.end(), "attnpool.positional_embedding"), r.inert.end());
  }
}

}  // namespace
}  // namespace sinsr::test
