// sinsr train-teacher: the loss is the ResShift objective of docs/method.md §4.8 on the synthesised pairs (checked
// against the formula computed here from the documented draws), in pixel and latent space; rank-count
// invariance with real `mpirun -np 2`; exact resume after kill -9; x2; and clear errors for a config run
// in the wrong space.
#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <torch/nn/functional/upsampling.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "core/data/pair_synthesizer.h"
#include "core/diffusion/first_stage.h"
#include "core/diffusion/schedule.h"
#include "core/io/pth.h"
#include "core/io/state_dict.h"
#include "core/nn/model_config.h"
#include "core/nn/unet_swin.h"
#include "core/util/atomic_file.h"
#include "core/util/config.h"
#include "core/util/config_file.h"
#include "core/util/errors.h"
#include "core/util/json.h"
#include "core/util/rng.h"
#include "core/util/seed.h"
#include "tests/support/fixtures.h"
#include "tests/support/photos.h"
#include "tests/support/processes.h"
#include "tests/support/run.h"
#include "tests/train/train_runs.h"
#include "trainer/teacher_objective.h"

namespace fs = std::filesystem;

namespace sinsr::test {
namespace {

const std::string kMpi = "env OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 mpirun -np 2 --oversubscribe ";
const std::string kVq = "tests/fixtures/parity/vq_small.pth";

const fs::path& photos() {
  static const fs::path d = [] {
    const fs::path p = fresh_dir("sinsr_teacher_photos");
    for (int i = 0; i < 3; ++i)
      write_synthetic_photo((p / ("p" + std::to_string(i) + ".png")).string(), 90, 120, 10 + i);
    return p;
  }();
  return d;
}

// The tiny network in pixel space: 32 px GT crops (8 px LR at x4); latent: 64 px GT -> 16 px latents.
Config tiny(bool pixel, int sf = 4) {
  Config c = load_config("configs/tiny.ini", {{"data.hr", photos().string()}, {"train.seed", "77"}});
  c.set("diffusion.sf", std::to_string(sf), "test");
  c.set("degradation.sf", std::to_string(sf), "test");
  if (pixel) {
    c.set("diffusion.latent_flag", "false", "test");
    c.set("data.gt_size", "32", "test");
  }
  return c;
}

std::string cli(bool pixel, const fs::path& run, int64_t steps, const std::string& extra = "") {
  return " train-teacher --config configs/tiny.ini --data.hr=" + photos().string() + " --out " + run.string() +
         (pixel ? " --diffusion.latent_flag=false --data.gt_size=32" : " --autoencoder " + kVq) +
         " --train.steps=" + std::to_string(steps) +
         " --train.batch_size=4 --train.microbatch=2 --train.lr=1e-3 --train.warmup=0 --train.log_every=1 "
         "--train.ckpt_every=2"
         " --train.keep_ckpts=10 --train.val_every=4 --train.val_samples=2 --train.seed=77" +
         extra;
}
std::string single(const std::string& args) { return "env SINSR_THREADS=1 " + sinsr_binary() + args; }

std::vector<double> losses(const fs::path& run) {
  std::vector<double> out;
  std::ifstream in(run / "metrics.jsonl");
  std::string line;
  while (std::getline(in, line)) out.push_back(Json::parse(line)["loss"].as_number());
  return out;
}

// The per-sample loss of pairs 0 and 1 (step 1, batch 2), from docs/method.md §4.8 and §3: pair i of the data
// stream, t and eps from the generator keyed by (train.seed, "teacher_t_eps", i) (t first, then eps),
// z_t = z0 + eta_t (z_y - z0) + kappa sqrt(eta_t) eps, input z_t / (3 kappa sqrt(eta_t) + 1) in pixel space
// and z_t / sqrt(kappa^2 eta_t + 1) in latent space, loss = mean (z0 - f(input, t, y))^2.
void expect_objective(bool pixel) {
  const Config cfg = tiny(pixel);
  const FirstStage first_stage = load_first_stage(cfg, pixel ? "" : kVq, c10::kCPU);
  train::TeacherObjective objective(cfg, train::TrainConfig::from_config(cfg), first_stage, "test");
  torch::manual_seed(5);
  nn::UNetModelSwin net(UNetConfig::from_config(cfg));
  const train::StagedBatch staged = objective.load(/*step=*/1, /*batch=*/2, /*rank=*/0, /*per_rank=*/2, c10::kCPU);
  const at::Tensor got = objective.losses(*net, staged);
  // Pure: the same samples give the same losses, and a slice gives its part of them.
  EXPECT_TRUE(objective.losses(*net, staged).equal(got));
  EXPECT_TRUE(at::allclose(objective.losses(*net, staged.slice(1, 1)), got.narrow(1, 1, 1), 1e-5, 1e-6));
  ASSERT_EQ(got.sizes(), (at::IntArrayRef{1, 2}));

  const data::PairSynthesizer synth = data::PairSynthesizer::from_config(cfg);
  const DiffusionConfig dc = DiffusionConfig::from_config(cfg);
  const EtaSchedule sched(dc);
  namespace F = torch::nn::functional;
  for (int64_t i = 0; i < 2; ++i) {
    const data::Pair p = synth.make(i);
    auto pm1 = [](const cv::Mat& m) {
      return at::from_blob(m.data, {1, m.rows, m.cols, 3}, at::kByte).permute({0, 3, 1, 2}).to(at::kFloat) / 255.0 * 2 -
             1;
    };
    const at::Tensor gt = pm1(p.gt), lq = pm1(p.lq);
    const at::Tensor up = F::interpolate(lq, F::InterpolateFuncOptions()
                                                 .scale_factor(std::vector<double>{4.0, 4.0})
                                                 .mode(torch::kBicubic)
                                                 .align_corners(false));
    at::Tensor z0 = gt, zy = up;
    if (!pixel) {
      at::NoGradGuard no_grad;
      nn::VQModelTorch vq(VQConfig::from_config(cfg));
      io::load_weights(*vq, kVq);
      vq->eval();
      z0 = vq->encode(gt);
      zy = vq->encode(up);
    }
    at::Generator gen = make_generator(derive_seed(77, "teacher_t_eps", static_cast<uint64_t>(i)));
    const int64_t t = at::randint(15, {1}, gen, at::kLong).item<int64_t>();
    const at::Tensor eps = at::randn(z0[0].sizes(), gen, at::kFloat).unsqueeze(0);
    const double eta = sched.etas[static_cast<size_t>(t)], kappa = dc.kappa;
    const at::Tensor z_t = z0 + eta * (zy - z0) + kappa * std::sqrt(eta) * eps;
    const double scale = pixel ? 3 * kappa * std::sqrt(eta) + 1 : std::sqrt(kappa * kappa * eta + 1);
    const at::Tensor x0 = net->forward(z_t / scale, at::full({1}, t, at::kLong), lq);
    const double want = (z0 - x0).pow(2).mean().item<double>(), have = got[0][i].item<double>();
    EXPECT_NEAR(have, want, 1e-5 * want) << "sample " << i << " (t = " << t << ")";
  }
}

TEST(TrainTeacher, LossIsTheResShiftObjectiveInPixelSpace) { expect_objective(true); }
TEST(TrainTeacher, LossIsTheResShiftObjectiveInLatentSpace) { expect_objective(false); }

TEST(TrainTeacher, TwoRanksEqualOneRankAndAKilledRunResumesExactly) {
  const fs::path one = fresh_dir("sinsr_teacher_one"), two = fresh_dir("sinsr_teacher_two"),
                 killed = fresh_dir("sinsr_teacher_killed");
  auto r1 = run_command(single(cli(true, one, 6)));
  ASSERT_EQ(r1.exit_code, 0) << r1.output;
  EXPECT_NE(r1.output.find("ResShift objective in pixel space"), std::string::npos) << r1.output;
  auto r2 = run_command(kMpi + "env SINSR_THREADS=1 " + sinsr_binary() + cli(true, two, 6));
  ASSERT_EQ(r2.exit_code, 0) << r2.output;
  EXPECT_NE(r2.output.find("2 rank(s) x 2"), std::string::npos) << r2.output;
  const double e = max_rel_param_error(final_weights(one), final_weights(two));
  std::cout << "  train-teacher, 1 rank x 4 vs 2 ranks x 2 after 6 steps: max relative parameter error " << e << "\n";
  EXPECT_LE(e, 1e-5);

  // kill -9 once the step-2 checkpoint exists, then the same command resumes it to the same end.
  {
    BackgroundCommand c(single(cli(true, killed, 6)));
    ASSERT_TRUE(c.wait_for([&] { return fs::exists(killed / "ckpt" / "latest"); }));
    c.signal(SIGKILL, true);
    const int st = c.wait();
    EXPECT_TRUE(WIFSIGNALED(st)) << st;
  }
  auto resumed = run_command(single(cli(true, killed, 6)));
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_EQ(max_rel_param_error(final_weights(one), final_weights(killed)), 0.0);
  EXPECT_EQ(max_rel_param_error(final_weights(one, "ema.pth"), final_weights(killed, "ema.pth")), 0.0);
  EXPECT_EQ(losses(one), losses(killed));
  EXPECT_EQ(losses(one).size(), 6u);

  // Validation: the loss and the PSNRs of the chain, one step and bicubic against the GT.
  std::ifstream val(one / "validation.jsonl");
  std::string line;
  ASSERT_TRUE(std::getline(val, line));
  const Json v = Json::parse(line);
  EXPECT_EQ(v["step"].as_int(), 4);
  for (const char* k : {"val_loss", "val_psnr", "val_psnr_one_step", "bicubic_psnr"})
    EXPECT_TRUE(std::isfinite(v[k].as_number()) && v[k].as_number() > 0) << k;
  EXPECT_GT(fs::file_size(one / "metrics.png"), 1000u);
}

TEST(TrainTeacher, LearnsAndRunsInLatentSpaceAndAtX2) {
  // Pixel space x4: the loss falls from the first steps to the last (output layer zero at the start).
  const fs::path pixel = fresh_dir("sinsr_teacher_learn");
  auto r = run_command(single(cli(true, pixel, 30)));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::vector<double> l = losses(pixel);
  ASSERT_EQ(l.size(), 30u);
  const double first = (l[0] + l[1] + l[2] + l[3] + l[4]) / 5, last = (l[25] + l[26] + l[27] + l[28] + l[29]) / 5;
  std::cout << "  pixel-space teacher loss: steps 1-5 " << first << ", steps 26-30 " << last << "\n";
  EXPECT_LT(last, 0.7 * first);

  const fs::path latent = fresh_dir("sinsr_teacher_latent");
  r = run_command(single(cli(false, latent, 2)));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("ResShift objective in latent space"), std::string::npos) << r.output;
  EXPECT_TRUE(fs::exists(latent / "ckpt" / "000000002" / "ema.pth"));

  const fs::path x2 = fresh_dir("sinsr_teacher_x2");
  r = run_command(single(cli(true, x2, 4, " --diffusion.sf=2 --degradation.sf=2")));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::ifstream val(x2 / "validation.jsonl");
  std::string line;
  ASSERT_TRUE(std::getline(val, line));
  EXPECT_TRUE(std::isfinite(Json::parse(line)["val_psnr"].as_number())) << line;
}

TEST(TrainTeacher, AConfigRunInTheWrongSpaceIsAClearUsageError) {
  const fs::path run = fresh_dir("sinsr_teacher_errors");
  const auto no_vq = run_command(
      single(" train-teacher --config configs/tiny.ini --data.hr=" + photos().string() + " --out " + run.string()));
  EXPECT_EQ(no_vq.exit_code, kExitUsage) << no_vq.output;
  EXPECT_NE(no_vq.output.find("give --autoencoder"), std::string::npos) << no_vq.output;
  const auto extra_vq = run_command(single(cli(true, run, 2, " --autoencoder " + kVq)));
  EXPECT_EQ(extra_vq.exit_code, kExitUsage) << extra_vq.output;
  EXPECT_NE(extra_vq.output.find("pixel-space model"), std::string::npos) << extra_vq.output;
  const auto scales = run_command(single(cli(true, run, 2, " --diffusion.sf=2")));
  EXPECT_EQ(scales.exit_code, kExitUsage) << scales.output;
  EXPECT_NE(scales.output.find("must be the same scale factor"), std::string::npos) << scales.output;
  EXPECT_FALSE(fs::exists(run / "ckpt"));
}

}  // namespace
}  // namespace sinsr::test
