// The super-resolution pipeline with the small fixture networks: its wiring (value ranges, noise, crop),
// size handling and determinism.
#include <gtest/gtest.h>

#include "core/io/state_dict.h"
#include "core/sr/super_resolver.h"
#include "core/util/config.h"
#include "core/util/config_file.h"
#include "core/util/rng.h"

namespace sinsr::test {
namespace {

struct Small {
  nn::UNetModelSwin unet{nullptr};
  nn::VQModelTorch vq{nullptr};
  Diffusion diffusion{DiffusionConfig::from_config(Config::defaults())};
  Small() {
    const Config cfg = load_config("configs/tiny.ini");
    unet = nn::UNetModelSwin(UNetConfig::from_config(cfg));
    vq = nn::VQModelTorch(VQConfig::from_config(cfg));
    io::load_weights(*unet, "tests/fixtures/parity/unet_small.pth");
    io::load_weights(*vq, "tests/fixtures/parity/vq_small.pth");
    unet->eval();
    diffusion = Diffusion(DiffusionConfig::from_config(Config::defaults()), FirstStage::autoencoder(vq));
  }
};

TEST(SuperResolver, OneTileEqualsTheSamplerComposedByHand) {
  Small n;
  sr::SuperResolver sr(n.unet, n.diffusion, {});
  ASSERT_EQ(sr.pad_multiple(), 16);  // tiny UNet: window 8 x 2 levels; VQ f4 with sf 4
  torch::manual_seed(1);
  const auto lq = torch::rand({3, 32, 16});  // already a multiple: no padding
  const uint64_t seed = derive_seed(7, "test", "image");
  const auto ours = sr.upscale(lq, seed);

  torch::NoGradGuard no_grad;
  const auto y = (lq * 2 - 1).unsqueeze(0);
  const auto z_y = n.diffusion.encode_first_stage(y, true);
  at::Generator gen = make_generator(seed);
  const auto x_T = n.diffusion.prior_sample(z_y, at::randn(z_y.sizes(), gen, at::kFloat));
  const Denoiser model = [&](const at::Tensor& x, const at::Tensor& t, const at::Tensor& c) {
    return n.unet->forward(x, t, c);
  };
  const auto x0 = n.diffusion.predict_one_step(model, x_T, y);
  const auto expected = (n.diffusion.decode_first_stage(x0).clamp(-1, 1)[0] * 0.5 + 0.5).clamp(0, 1);
  ASSERT_EQ(ours.sizes(), (c10::IntArrayRef{3, 128, 64}));
  EXPECT_TRUE(ours.equal(expected));
}

TEST(SuperResolver, AnySizeComesOutExactlyScaledAndDeterministic) {
  Small n;
  sr::SuperResolveOptions opt;
  opt.chop_size = 16;
  opt.chop_stride = 12;
  sr::SuperResolver sr(n.unet, n.diffusion, opt);
  torch::manual_seed(2);
  for (auto [h, w] : std::vector<std::pair<int64_t, int64_t>>{{1, 1}, {5, 3}, {17, 9}, {23, 40}}) {
    const auto lq = torch::rand({3, h, w});
    const auto a = sr.upscale(lq, 11), b = sr.upscale(lq, 11), c = sr.upscale(lq, 12);
    ASSERT_EQ(a.sizes(), (c10::IntArrayRef{3, 4 * h, 4 * w}));
    EXPECT_TRUE(a.equal(b)) << h << "x" << w << ": same seed, different result";
    EXPECT_FALSE(a.equal(c)) << h << "x" << w << ": the seed has no effect";
    EXPECT_GE(a.min().item<float>(), 0.f);
    EXPECT_LE(a.max().item<float>(), 1.f);
  }
}

TEST(SuperResolver, TilesComeFromTheMemoryBudgetAndEqualTheSameTilesForced) {
  Small n;
  sr::SuperResolveOptions opt;
  sr::SuperResolver whole(n.unet, n.diffusion, opt);  // the default budget: the small networks fit whole
  EXPECT_GT(whole.memory_budget(), 0);
  EXPECT_EQ(whole.tile_plan(40, 24).size, 40);
  // A budget for 32x32 tiles but not for the whole 40x40 image (48x48 padded): 2x2 tiles of 32.
  opt.max_memory = whole.memory_model().peak_bytes(32 * 32, 40 * 40) + 1;
  sr::SuperResolver planned(n.unet, n.diffusion, opt);
  const sr::TilePlan plan = planned.tile_plan(40, 40);
  EXPECT_TRUE(plan.fits);
  EXPECT_EQ(plan.size, 32);
  EXPECT_EQ(plan.stride, 28);
  sr::SuperResolveOptions forced;
  forced.chop_size = plan.size;
  forced.chop_stride = plan.stride;
  sr::SuperResolver by_hand(n.unet, n.diffusion, forced);
  torch::manual_seed(4);
  const auto lq = torch::rand({3, 40, 40});
  const auto tiled = planned.upscale(lq, 3);
  EXPECT_TRUE(tiled.equal(by_hand.upscale(lq, 3)));
  EXPECT_FALSE(tiled.equal(whole.upscale(lq, 3)));  // tiles see less context: the budget does change the result
}

TEST(SuperResolver, FullChainsRunAndStepCountsAreChecked) {
  Small n;
  torch::manual_seed(3);
  const auto lq = torch::rand({3, 16, 16});
  for (auto kind : {sr::SamplerKind::Deterministic, sr::SamplerKind::Stochastic}) {
    sr::SuperResolveOptions opt;
    opt.steps = 15;
    opt.sampler = kind;
    sr::SuperResolver sr(n.unet, n.diffusion, opt);
    EXPECT_EQ(sr.upscale(lq, 5).sizes(), (c10::IntArrayRef{3, 64, 64}));
  }
  sr::SuperResolveOptions bad;
  bad.steps = 7;
  EXPECT_THROW(sr::SuperResolver(n.unet, n.diffusion, bad), std::exception);
}

}  // namespace
}  // namespace sinsr::test
