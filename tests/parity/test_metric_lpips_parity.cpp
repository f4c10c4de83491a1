// LPIPS v0.1 (eval/metrics/lpips.h) against pyiqa 0.1.6.4: every metric_lpips*.h5 in SINSR_PARITY_DIR,
// every network group it holds (README-metrics.md, section 2). Backbones load from the HDF5 group and from
// the sibling .pth named by its `pth_file` attribute; the linear heads are the real v0.1 weights.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>

#include "core/util/json.h"
#include "eval/metrics/lpips.h"
#include "tests/support/fixtures.h"
#include "tests/support/perturbation.h"

namespace sinsr::test {
namespace {

namespace fs = std::filesystem;
using metrics::Lpips;

// README "Suggested checks": LPIPS rel <= 1e-4 on `score` and every `per_layer` term, atol 1e-8.
constexpr double kRelTolerance = 1e-4;
constexpr double kAbsTolerance = 1e-8;
// Maps and activations (no suggested value): max error relative to the tensor's largest magnitude.
constexpr double kMapTolerance = 1e-4;

// The networks of a file: the root groups that carry a backbone (read from the file, not assumed).
std::vector<std::string> nets_in(const io::H5Reader& h5) {
  std::vector<std::string> nets;
  for (const std::string& name : h5.members("/"))
    if (h5.exists(name + "/backbone_state_dict")) nets.push_back(name);
  EXPECT_FALSE(nets.empty()) << h5.path() << " holds no <net>/backbone_state_dict group";
  return nets;
}

std::string backbone_group(const std::string& net) { return net + "/backbone_state_dict"; }
std::string lin_group(const std::string& net) { return net + "/lin_state_dict"; }

// The .pth named by the group's `pth_file` attribute, next to the .h5.
std::string backbone_pth_path(const io::H5Reader& h5, const std::string& net) {
  return (fs::path(h5.path()).parent_path() / h5.attr_string(backbone_group(net), "pth_file")).string();
}

// (label, backbone weights): the HDF5 group, and the .pth file when it is there.
std::vector<std::pair<std::string, io::TensorDict>> backbone_sources(const io::H5Reader& h5, const std::string& net) {
  std::vector<std::pair<std::string, io::TensorDict>> sources;
  sources.emplace_back(h5.path() + " (" + backbone_group(net) + ")", read_state_dict_group(h5, backbone_group(net)));
  const std::string pth = backbone_pth_path(h5, net);
  if (fs::exists(pth))
    sources.emplace_back(pth, io::read_state_dict(pth));
  else
    std::cout << "skipping the .pth backbone source of " << net << ": " << pth << " not found\n";
  return sources;
}

Lpips load(const io::H5Reader& h5, const std::string& net, const io::TensorDict& backbone, const std::string& source) {
  return metrics::load_lpips(net, backbone, read_state_dict_group(h5, lin_group(net)), source,
                             h5.path() + " (" + lin_group(net) + ")");
}

Lpips load_from_hdf5(const io::H5Reader& h5, const std::string& net) {
  return load(h5, net, read_state_dict_group(h5, backbone_group(net)), h5.path());
}

// max |ours - ref| / (|ref| + atol/rtol): <= rtol exactly when |ours - ref| <= rtol |ref| + atol everywhere.
double elementwise_rel_error(const at::Tensor& ours, const at::Tensor& ref) {
  EXPECT_EQ(ours.numel(), ref.numel());
  if (ours.numel() != ref.numel()) return INFINITY;
  const auto a = ours.flatten().to(at::kDouble), e = ref.flatten().to(at::kDouble);
  return ((a - e).abs() / (e.abs() + kAbsTolerance / kRelTolerance)).max().item<double>();
}

struct Pair {
  std::string name;
  at::Tensor dist, ref;  // [1, 3, H, W] float32 in [0, 1]
};

std::vector<Pair> read_pairs(const io::H5Reader& h5) {
  std::vector<Pair> pairs;
  for (const std::string& name : h5.members("pairs"))
    pairs.push_back({name, h5.read("pairs/" + name + "/dist_f32"), h5.read("pairs/" + name + "/ref_f32")});
  EXPECT_FALSE(pairs.empty()) << h5.path() << " holds no pairs";
  return pairs;
}

// The worst error of each compared quantity over all pairs, printed once per weight source.
class WorstErrors {
 public:
  void add(const std::string& quantity, double error) {
    auto [it, inserted] = worst_.try_emplace(quantity, error);
    if (!inserted) it->second = std::max(it->second, error);
  }
  double operator[](const std::string& quantity) const { return worst_.at(quantity); }
  void print() const {
    for (const auto& [quantity, error] : worst_) std::cout << "  " << quantity << ": " << error << "\n";
  }

 private:
  std::map<std::string, double> worst_;
};

// Every stored quantity of one pair: score, per-layer terms, lin maps and (where stored) raw activations.
void compare_pair(Lpips& model, const io::H5Reader& h5, const std::string& net, const Pair& pair, WorstErrors& worst) {
  const std::string results = net + "/results/" + pair.name + "/";
  ASSERT_TRUE(h5.exists(results + "score")) << h5.path() << " has no " << results << "score";
  const auto b = model->evaluate(pair.dist, pair.ref);
  ASSERT_EQ(static_cast<size_t>(h5.read(results + "per_layer").numel()), model->lins.size()) << results;

  const auto expect_terms = [&](const std::string& quantity, const at::Tensor& ours) {
    const double e = elementwise_rel_error(ours, h5.read(results + quantity));
    worst.add(quantity + " (relative, atol 1e-8)", e);
    EXPECT_LE(e, kRelTolerance) << results << quantity;
  };
  expect_terms("score", b.score);
  expect_terms("per_layer", b.per_layer);
  expect_terms("per_layer_unweighted", b.per_layer_unweighted);

  const auto expect_map = [&](const std::string& quantity, const std::string& dataset, const at::Tensor& ours) {
    if (!h5.exists(results + dataset)) return;
    const double e = max_rel_error(ours, h5.read(results + dataset));
    worst.add(quantity + " (relative to max |value|)", e);
    EXPECT_LE(e, kMapTolerance) << results << dataset;
  };
  for (size_t k = 0; k < model->lins.size(); ++k) {
    const std::string suffix = "_" + std::to_string(k);
    ASSERT_TRUE(h5.exists(results + "lin_map" + suffix)) << results << "lin_map" << suffix;
    expect_map("lin_map_<k>", "lin_map" + suffix, b.lin_maps[k]);
    expect_map("act_ref_<k>", "act_ref" + suffix, b.ref_features[k]);
    expect_map("act_dist_<k>", "act_dist" + suffix, b.dist_features[k]);
  }
}

TEST(MetricLpipsParity, MatchesEveryPairWithBackbonesFromHdf5AndPth) {
  for (const std::string& path : fixture_files("metric_lpips")) {
    io::H5Reader h5(path);
    const auto pairs = read_pairs(h5);
    for (const std::string& net : nets_in(h5))
      for (const auto& [source, backbone] : backbone_sources(h5, net)) {
        SCOPED_TRACE(net + " from " + source);
        auto model = load(h5, net, backbone, source);
        WorstErrors worst;
        for (const Pair& pair : pairs) compare_pair(model, h5, net, pair, worst);
        std::cout << net << ", backbone from " << source << ", " << pairs.size() << " pairs, max errors:\n";
        worst.print();
      }
  }
}

// Pairs of one image size scored as one batch reproduce `<net>/scores` (per-image results of a batch).
TEST(MetricLpipsParity, BatchedPairsMatchStoredScores) {
  for (const std::string& path : fixture_files("metric_lpips")) {
    io::H5Reader h5(path);
    const auto pairs = read_pairs(h5);
    std::map<std::vector<int64_t>, std::vector<int64_t>> pairs_by_size;
    for (size_t i = 0; i < pairs.size(); ++i)
      pairs_by_size[pairs[i].dist.sizes().vec()].push_back(static_cast<int64_t>(i));
    for (const std::string& net : nets_in(h5)) {
      SCOPED_TRACE(path + " " + net);
      auto model = load_from_hdf5(h5, net);
      const at::Tensor stored = h5.read(net + "/scores");
      ASSERT_EQ(stored.numel(), static_cast<int64_t>(pairs.size()));
      double worst = 0;
      for (const auto& [size, members] : pairs_by_size) {
        std::vector<at::Tensor> dist, ref;
        for (int64_t i : members) {
          dist.push_back(pairs[i].dist);
          ref.push_back(pairs[i].ref);
        }
        const at::Tensor scores = model->score(at::cat(dist), at::cat(ref));
        ASSERT_EQ(scores.sizes(), at::IntArrayRef({static_cast<int64_t>(members.size())}));
        worst = std::max(worst, elementwise_rel_error(scores, stored.index_select(0, at::tensor(members))));
      }
      std::cout << net << ": " << pairs_by_size.size() << " batches by image size, max relative error " << worst
                << "\n";
      EXPECT_LE(worst, kRelTolerance);
    }
  }
}

TEST(MetricLpipsParity, PthBackboneHoldsExactlyTheHdf5Weights) {
  for (const std::string& path : fixture_files("metric_lpips")) {
    io::H5Reader h5(path);
    for (const std::string& net : nets_in(h5)) {
      const std::string pth = backbone_pth_path(h5, net);
      if (!fs::exists(pth)) {
        std::cout << "skipping " << net << ": " << pth << " not found\n";
        continue;
      }
      SCOPED_TRACE(pth);
      const auto from_h5 = read_state_dict_group(h5, backbone_group(net));
      const auto from_pth = io::read_state_dict(pth);
      ASSERT_EQ(from_h5.size(), from_pth.size());
      for (size_t i = 0; i < from_h5.size(); ++i) {
        EXPECT_EQ(from_h5[i].first, from_pth[i].first);
        EXPECT_TRUE(from_h5[i].second.equal(from_pth[i].second)) << from_h5[i].first;
      }
    }
  }
}

// The layer layout and constants the file records are the ones the port implements.
TEST(MetricLpipsParity, ArchitectureAndConstantsMatchTheFile) {
  for (const std::string& path : fixture_files("metric_lpips")) {
    io::H5Reader h5(path);
    const Json config = Json::parse(h5.attr_string("/", "config"));
    const Json& scaling = config["scaling_layer"];
    for (size_t c = 0; c < metrics::kLpipsShift.size(); ++c) {
      EXPECT_EQ(static_cast<float>(scaling["shift"][c].as_number()), metrics::kLpipsShift[c]) << path;
      EXPECT_EQ(static_cast<float>(scaling["scale"][c].as_number()), metrics::kLpipsScale[c]) << path;
    }
    EXPECT_EQ(config["normalize_eps"].as_number(), metrics::kLpipsNormEps) << path;
    for (const std::string& net : nets_in(h5)) {
      SCOPED_TRACE(path + " " + net);
      Lpips model(metrics::lpips_net_from_name(net));
      const Json slices = Json::parse(h5.attr_string(net, "slices"));
      ASSERT_EQ(slices.size(), model->tap_indices().size());
      for (size_t k = 0; k < slices.size(); ++k)  // slice k is [begin, end): the tap is layer end - 1
        EXPECT_EQ(slices[k][1].as_int() - 1, model->tap_indices()[k]) << "slice " << k;
      const auto chns = h5.attr_doubles(net, "chns");
      ASSERT_EQ(chns.size(), model->channels().size());
      for (size_t k = 0; k < chns.size(); ++k) EXPECT_EQ(static_cast<int64_t>(chns[k]), model->channels()[k]);
    }
  }
}

// A parity test that cannot fail proves nothing: one perturbed element of any weight tensor (backbone conv
// or linear head) must move the score / per-layer terms / lin maps of the first pair beyond the tolerance.
TEST(MetricLpipsParity, FailsWhenAnySingleWeightIsPerturbed) {
  for (const std::string& path : fixture_files("metric_lpips")) {
    io::H5Reader h5(path);
    const Pair pair = read_pairs(h5).front();
    for (const std::string& net : nets_in(h5)) {
      SCOPED_TRACE(path + " " + net);
      auto model = load_from_hdf5(h5, net);
      const std::string results = net + "/results/" + pair.name + "/";
      const at::Tensor ref_score = h5.read(results + "score"), ref_terms = h5.read(results + "per_layer");
      auto r = perturb_each_parameter(
          *model,
          [&] {
            auto b = model->forward(pair.dist, pair.ref);
            std::vector<at::Tensor> outputs{b.per_layer};
            outputs.insert(outputs.end(), b.lin_maps.begin(), b.lin_maps.end());
            return outputs;
          },
          [&] {
            const auto b = model->evaluate(pair.dist, pair.ref);
            return std::max(elementwise_rel_error(b.score, ref_score), elementwise_rel_error(b.per_layer, ref_terms));
          },
          kRelTolerance);
      std::cout << net << ": ";
      expect_every_weight_matters(r);
    }
  }
}

// User-facing loading errors name the file and the offending key; classifier keys of the full torchvision
// checkpoints are accepted (skipped), anything else that does not fit is not.
TEST(MetricLpipsParity, LoadingChecksKeysAndShapes) {
  const std::string path = fixture_files("metric_lpips").front();
  io::H5Reader h5(path);
  const std::string net = nets_in(h5).front();
  const auto backbone = read_state_dict_group(h5, backbone_group(net));
  const auto lin = read_state_dict_group(h5, lin_group(net));
  const auto expect_error = [&](const io::TensorDict& b, const io::TensorDict& l, const std::string& needle) {
    try {
      metrics::load_lpips(net, b, l, "backbone.pth", "lin.pth");
      ADD_FAILURE() << "loading did not fail; expected an error mentioning " << needle;
    } catch (const std::runtime_error& e) {
      std::cout << "error: " << e.what() << "\n";
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };

  auto with_classifier = backbone;
  with_classifier.emplace_back("classifier.1.weight", at::zeros({4, 8}));
  EXPECT_NO_THROW(metrics::load_lpips(net, with_classifier, lin));

  auto missing = backbone;
  const std::string dropped = missing.back().first;
  missing.pop_back();
  expect_error(missing, lin, "backbone.pth");
  expect_error(missing, lin, dropped);

  auto misshaped = lin;
  misshaped.front().second = at::zeros({1, misshaped.front().second.size(1) + 1, 1, 1});
  expect_error(backbone, misshaped, "lin.pth");
  expect_error(backbone, misshaped, misshaped.front().first);

  auto unexpected = lin;
  unexpected.emplace_back("lin9.model.1.weight", at::zeros({1, 1, 1, 1}));
  expect_error(backbone, unexpected, "lin9.model.1.weight");

  EXPECT_THROW(metrics::lpips_net_from_name("squeeze"), std::runtime_error);
  const std::string absent = backbone_pth_path(h5, net) + ".absent";
  try {
    metrics::load_lpips(net, absent, "lin.pth");
    ADD_FAILURE() << "loading a missing file did not fail";
  } catch (const std::runtime_error& e) {
    std::cout << "error for a missing file: " << e.what() << "\n";
    EXPECT_NE(std::string(e.what()).find(absent), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace sinsr::test
