// UNetModelSwin against the reference: every unet_*.h5 in SINSR_PARITY_DIR (config, weights, inputs and
// outputs recorded from the Python implementation). Nothing here depends on the particular fixture files.
#include <gtest/gtest.h>

#include "core/io/state_dict.h"
#include "core/nn/unet_swin.h"
#include "core/util/json.h"
#include "tests/support/convolution_paths.h"
#include "tests/support/fixtures.h"
#include "tests/support/perturbation.h"

namespace sinsr::test {
namespace {

constexpr double kTolerance = 1e-4;  // max relative error, float32 (issue #2)

struct UNetCase {
  std::string name;
  at::Tensor x, timesteps, lq, out;
};

// The main case (inputs/ -> outputs/out) and every other group holding x, timesteps and out (alt sizes).
std::vector<UNetCase> unet_cases(const io::H5Reader& h5) {
  std::vector<UNetCase> cases;
  auto lq_of = [&](const std::string& g) { return h5.exists(g + "/lq") ? h5.read(g + "/lq") : at::Tensor(); };
  cases.push_back(
      {"inputs", h5.read("inputs/x"), h5.read("inputs/timesteps"), lq_of("inputs"), h5.read("outputs/out")});
  for (const std::string& g : h5.members("/"))
    if (g != "inputs" && g != "outputs" && h5.exists(g + "/x") && h5.exists(g + "/timesteps") && h5.exists(g + "/out"))
      cases.push_back({g, h5.read(g + "/x"), h5.read(g + "/timesteps"), lq_of(g), h5.read(g + "/out")});
  return cases;
}

nn::UNetModelSwin build(const io::H5Reader& h5) {
  nn::UNetModelSwin model(UNetConfig::from_json(Json::parse(h5.attr_string("/", "config"))));
  model->eval();
  return model;
}

// Worst relative error over the fixture's cases.
double worst_error(nn::UNetModelSwin& model, const std::vector<UNetCase>& cases, bool trace) {
  torch::NoGradGuard no_grad;
  double worst = 0;
  for (const auto& c : cases) {
    double err = max_rel_error(model->forward(c.x, c.timesteps, c.lq), c.out);
    if (trace) std::cout << "  case " << c.name << ": max relative error " << err << "\n";
    worst = std::max(worst, err);
  }
  return worst;
}

TEST(UNetParity, MatchesEveryFixtureWithWeightsFromHdf5AndPth) {
  for (const std::string& path : fixture_files("unet_")) {
    io::H5Reader h5(path);
    const auto cases = unet_cases(h5);
    for (const auto& [source, weights] : fixture_weight_sources(h5)) {
      SCOPED_TRACE(source);
      auto model = build(h5);
      io::load_state_dict_strict(*model, weights, source);
      for (const auto& path : convolution_paths()) {
        SCOPED_TRACE(path.name);
        UseConvolutionPath use(path);
        std::cout << source << ", " << path.name << "\n";
        EXPECT_LE(worst_error(model, cases, true), kTolerance);
      }
    }
  }
}

TEST(UNetParity, PthFileHoldsExactlyTheHdf5Weights) {
  for (const std::string& path : fixture_files("unet_")) expect_pth_equals_hdf5_weights(path);
}

// Perturbing any single weight must break parity (tests/support/perturbation.h). The main case only:
// it exercises every parameter.
TEST(UNetParity, FailsWhenAnySingleWeightIsPerturbed) {
  for (const std::string& path : fixture_files("unet_")) {
    SCOPED_TRACE(path);
    io::H5Reader h5(path);
    const auto cases = std::vector<UNetCase>{unet_cases(h5).front()};
    auto model = build(h5);
    io::load_state_dict_strict(*model, read_state_dict_group(h5), path);
    const auto& c = cases.front();
    auto r = perturb_each_parameter(
        *model, [&] { return std::vector<at::Tensor>{model->forward(c.x, c.timesteps, c.lq)}; },
        [&] { return worst_error(model, cases, false); }, kTolerance);
    expect_every_weight_matters(r);
    EXPECT_LE(worst_error(model, cases, false), kTolerance) << "weights were not restored";
  }
}

}  // namespace
}  // namespace sinsr::test
