// VQModelTorch against the reference: every vq_*.h5 in SINSR_PARITY_DIR.
#include <gtest/gtest.h>

#include "core/io/state_dict.h"
#include "core/nn/vq_autoencoder.h"
#include "core/util/json.h"
#include "tests/support/convolution_paths.h"
#include "tests/support/fixtures.h"
#include "tests/support/perturbation.h"

namespace sinsr::test {
namespace {

constexpr double kTolerance = 1e-4;  // max relative error, float32 (issue #2)
// Codebook choices may legitimately differ only at a near-tie: best and second-best squared distances
// closer than float32 round-off of the latent (README: latent deviations ~1e-6).
constexpr double kTieMargin = 1e-5;

nn::VQModelTorch build(const io::H5Reader& h5) {
  nn::VQModelTorch model(VQConfig::from_json(Json::parse(h5.attr_string("/", "config"))));
  model->eval();
  return model;
}

// Indices must agree except where the reference's own margin says the choice is a tie.
int64_t index_mismatches(const at::Tensor& ours, const at::Tensor& ref, const at::Tensor& margin) {
  auto differ = ours.ne(ref);
  if (margin.defined()) differ = differ.logical_and(margin.ge(kTieMargin));
  return differ.sum().item<int64_t>();
}

struct VQErrors {
  double worst = 0;
  int64_t index_mismatches = 0;
};

VQErrors compare_all(nn::VQModelTorch& model, const io::H5Reader& h5, bool trace) {
  torch::NoGradGuard no_grad;
  VQErrors r;
  auto check = [&](const std::string& what, const at::Tensor& ours, const std::string& ref) {
    const double e = max_rel_error(ours, h5.read(ref));
    if (trace) std::cout << "  " << what << ": max relative error " << e << "\n";
    r.worst = std::max(r.worst, e);
  };
  auto margin = [&](const std::string& name) { return h5.exists(name) ? h5.read(name) : at::Tensor(); };
  const auto x = h5.read("inputs/x");
  const auto latent = h5.read("outputs/encode");  // decode checks start from the reference latent
  check("encode", model->encode(x), "outputs/encode");
  auto q = model->quantize_latent(latent);
  r.index_mismatches += index_mismatches(q.indices, h5.read("outputs/quant_indices"), margin("outputs/quant_margin"));
  check("quantize z_q", q.z_q, "outputs/quant_z_q");
  check("decode(encode)", model->decode(latent), "outputs/decode_of_encode");
  check("decode(encode), no quantisation", model->decode(latent, true), "outputs/decode_noquant");
  if (h5.exists("inputs/z_given")) {
    const auto z = h5.read("inputs/z_given");
    auto qg = model->quantize_latent(z);
    r.index_mismatches +=
        index_mismatches(qg.indices, h5.read("outputs/quant_indices_given"), margin("outputs/quant_margin_given"));
    check("quantize(z_given) z_q", qg.z_q, "outputs/quant_z_q_given");
    check("decode(z_given)", model->decode(z), "outputs/decode_given");
  }
  if (h5.exists("inputs/lq") && h5.exists("outputs/encode_first_stage_lq")) {
    // z_y = encode(bicubic x4 upsampling of the LQ image), as ResShift's encode_first_stage does.
    namespace F = torch::nn::functional;
    const auto lq = h5.read("inputs/lq");
    auto up = F::interpolate(lq, F::InterpolateFuncOptions()
                                     .scale_factor(std::vector<double>{4.0, 4.0})
                                     .mode(torch::kBicubic)
                                     .align_corners(false));
    check("bicubic x4 of lq", up, "outputs/lq_up_bicubic");
    check("encode(bicubic x4 of lq)", model->encode(up), "outputs/encode_first_stage_lq");
  }
  if (trace) std::cout << "  codebook index mismatches outside ties: " << r.index_mismatches << "\n";
  return r;
}

TEST(VQParity, MatchesEveryFixtureWithWeightsFromHdf5AndPth) {
  for (const std::string& path : fixture_files("vq_")) {
    io::H5Reader h5(path);
    for (const auto& [source, weights] : fixture_weight_sources(h5)) {
      SCOPED_TRACE(source);
      auto model = build(h5);
      io::load_state_dict_strict(*model, weights, source);
      for (const auto& path : convolution_paths()) {
        SCOPED_TRACE(path.name);
        UseConvolutionPath use(path);
        std::cout << source << ", " << path.name << "\n";
        auto r = compare_all(model, h5, true);
        EXPECT_LE(r.worst, kTolerance);
        EXPECT_EQ(r.index_mismatches, 0);
      }
    }
  }
}

TEST(VQParity, PthFileHoldsExactlyTheHdf5Weights) {
  for (const std::string& path : fixture_files("vq_")) expect_pth_equals_hdf5_weights(path);
}

// Perturbing any single weight must break parity (tests/support/perturbation.h). The probe includes the
// selected codebook rows, so the codebook (reached only through the straight-through estimator) is covered.
TEST(VQParity, FailsWhenAnySingleWeightIsPerturbed) {
  for (const std::string& path : fixture_files("vq_")) {
    SCOPED_TRACE(path);
    io::H5Reader h5(path);
    auto model = build(h5);
    io::load_state_dict_strict(*model, read_state_dict_group(h5), path);
    const auto x = h5.read("inputs/x"), latent = h5.read("outputs/encode");
    const auto ref_encode = h5.read("outputs/encode"), ref_decode = h5.read("outputs/decode_of_encode");
    const auto ref_indices = h5.read("outputs/quant_indices");
    at::Tensor codebook;
    for (const auto& p : model->named_parameters())
      if (p.key() == "quantize.embedding.weight") codebook = p.value();
    auto r = perturb_each_parameter(
        *model,
        [&] {
          auto q = model->quantize_latent(latent);
          return std::vector<at::Tensor>{model->encode(x), model->decode(latent),
                                         codebook.index_select(0, q.indices.flatten())};
        },
        [&] {
          torch::NoGradGuard no_grad;
          auto q = model->quantize_latent(latent);
          const double mismatch = q.indices.ne(ref_indices).any().item<bool>() ? INFINITY : 0.0;
          return std::max({max_rel_error(model->encode(x), ref_encode),
                           max_rel_error(model->decode(latent), ref_decode), mismatch});
        },
        kTolerance);
    expect_every_weight_matters(r);
  }
}

}  // namespace
}  // namespace sinsr::test
