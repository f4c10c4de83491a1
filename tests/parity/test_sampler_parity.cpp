// The three samplers against sampler_*.h5: SinSR's deterministic teacher F(x_T, y), the one-step student
// call and ResShift's stochastic sampler, with the UNet and VQ fixtures the file names. Every intermediate
// latent and the decoded images must match.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/diffusion/diffusion.h"
#include "core/io/state_dict.h"
#include "core/nn/unet_swin.h"
#include "core/nn/vq_autoencoder.h"
#include "core/util/json.h"
#include "tests/support/convolution_paths.h"
#include "tests/support/fixtures.h"

namespace sinsr::test {
namespace {

constexpr double kTolerance = 1e-4;  // max relative error (issue #3)
constexpr double kTieMargin = 1e-5;  // codebook choices closer than this are float32 ties (see test_vq_parity)

struct Networks {
  nn::UNetModelSwin unet{nullptr};
  nn::VQModelTorch vq{nullptr};
};

// The UNet and VQ the sampler fixture was recorded with, checked by their state_dict SHA-256.
Networks load_networks(const io::H5Reader& sampler, const Json& config) {
  const std::string dir = std::filesystem::path(sampler.path()).parent_path().string();
  io::H5Reader unet_h5(dir + "/" + config["unet_file"].as_string());
  io::H5Reader vq_h5(dir + "/" + config["vq_file"].as_string());
  EXPECT_EQ(unet_h5.attr_string("/", "state_dict_sha256"), sampler.attr_string("/", "unet_state_dict_sha256"));
  EXPECT_EQ(vq_h5.attr_string("/", "state_dict_sha256"), sampler.attr_string("/", "vq_state_dict_sha256"));
  Networks n;
  n.unet = nn::UNetModelSwin(UNetConfig::from_json(Json::parse(unet_h5.attr_string("/", "config"))));
  n.vq = nn::VQModelTorch(VQConfig::from_json(Json::parse(vq_h5.attr_string("/", "config"))));
  io::load_state_dict_strict(*n.unet, read_state_dict_group(unet_h5), unet_h5.path());
  io::load_state_dict_strict(*n.vq, read_state_dict_group(vq_h5), vq_h5.path());
  n.unet->eval();
  n.vq->eval();
  return n;
}

class SamplerParity : public ::testing::Test {
 protected:
  double worst_ = 0;
  void check(const std::string& what, const at::Tensor& ours, const at::Tensor& ref) {
    const double e = max_rel_error(ours, ref);
    std::cout << "  " << what << ": max relative error " << e << "\n";
    EXPECT_LE(e, kTolerance) << what;
    worst_ = std::max(worst_, e);
  }
  void check_trajectory(const std::string& what, const std::vector<at::Tensor>& ours, const at::Tensor& ref) {
    ASSERT_EQ(static_cast<int64_t>(ours.size()), ref.size(0)) << what;
    double worst = 0;
    for (size_t k = 0; k < ours.size(); ++k)
      worst = std::max(worst, max_rel_error(ours[k], ref[static_cast<int64_t>(k)]));
    std::cout << "  " << what << " (" << ours.size() << " entries): max relative error " << worst << "\n";
    EXPECT_LE(worst, kTolerance) << what;
  }
  // Decoding quantises: indices must agree wherever the reference's margin is not a tie.
  void check_decode(const std::string& what, nn::VQModelTorch& vq, const Diffusion& d, const at::Tensor& latent,
                    const io::H5Reader& h5, const std::string& group) {
    auto q = vq->quantize_latent(latent);
    auto differ =
        q.indices.ne(h5.read(group + "/quant_indices")).logical_and(h5.read(group + "/quant_margin").ge(kTieMargin));
    EXPECT_EQ(differ.sum().item<int64_t>(), 0) << what << ": codebook choices differ outside ties";
    check(what, d.decode_first_stage(latent), h5.read(group + "/decoded"));
  }
};

TEST_F(SamplerParity, DeterministicOneStepAndStochasticTrajectories) {
  for (const std::string& path : fixture_files("sampler_")) {
    SCOPED_TRACE(path);
    std::cout << path << "\n";
    io::H5Reader h5(path);
    const Json config = Json::parse(h5.attr_string("/", "config"));
    Networks n = load_networks(h5, config);
    const Diffusion d(DiffusionConfig::from_json(config["diffusion"]), FirstStage::autoencoder(n.vq));
    torch::NoGradGuard no_grad;
    const Denoiser model = [&](const at::Tensor& x, const at::Tensor& t, const at::Tensor& lq) {
      return n.unet->forward(x, t, lq);
    };
    const auto y = h5.read("inputs/y"), noise = h5.read("inputs/noise");

    // Schedule coefficients as the loops used them.
    const auto loop_t = h5.read("prep/loop_timesteps");
    for (int64_t k = 0; k < loop_t.numel(); ++k) {
      const auto t = static_cast<size_t>(loop_t[k].item<int64_t>());
      EXPECT_EQ(d.schedule().k_t_f32[t], h5.read("prep/ddim_k_f32")[k].item<float>());
      EXPECT_EQ(d.schedule().m_t_f32[t], h5.read("prep/ddim_m_f32")[k].item<float>());
      EXPECT_EQ(d.schedule().j_t_f32[t], h5.read("prep/ddim_j_f32")[k].item<float>());
      EXPECT_EQ(d.schedule().posterior_std_f32[t], h5.read("prep/posterior_std_f32")[k].item<float>());
    }

    for (const auto& path : convolution_paths()) {
      SCOPED_TRACE(path.name);
      UseConvolutionPath use(path);
      std::cout << " " << path.name << "\n";
      const auto z_y = d.encode_first_stage(y, true);
      check("z_y = encode(bicubic x sf of y)", z_y, h5.read("prep/z_y"));
      const auto x_T = d.prior_sample(z_y, noise);
      check("x_T = prior_sample(z_y, noise)", x_T, h5.read("prep/x_T"));

      // (a) the deterministic teacher F(x_T, y)
      auto det = d.sample_deterministic(model, x_T, z_y, y, /*keep_trajectory=*/true);
      check_trajectory("deterministic x_t", det.x_t, h5.read("ddim/x_t"));
      check_trajectory("deterministic pred_x0", det.pred_x0, h5.read("ddim/pred_x0"));
      check_decode("deterministic decoded", n.vq, d, det.sample, h5, "ddim");

      // (b) one step at t = T-1
      auto x0 = d.predict_one_step(model, x_T, y);
      check("one-step pred_x0", x0, h5.read("onestep/pred_x0"));
      check_decode("one-step decoded", n.vq, d, x0, h5, "onestep");

      // (c) ResShift's stochastic sampler with the recorded noises (loop order t = T-1 .. 0)
      const auto noises = h5.read("inputs/ancestral_noises");
      const int64_t last = d.last_timestep();
      auto anc = d.sample_stochastic(
          model, x_T, y, [&](int64_t t) { return noises[last - t]; }, true);
      check_trajectory("stochastic x_t", anc.x_t, h5.read("ancestral/x_t"));
      check_trajectory("stochastic pred_x0", anc.pred_x0, h5.read("ancestral/pred_x0"));
      check_trajectory("stochastic mean", anc.mean, h5.read("ancestral/mean"));
      check_decode("stochastic decoded", n.vq, d, anc.sample, h5, "ancestral");
    }
  }
}

}  // namespace
}  // namespace sinsr::test
