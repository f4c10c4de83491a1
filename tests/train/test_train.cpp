// sinsr train end to end on the tiny config: rank-count invariance with real `mpirun -np 2`, exact resume
// after kill -9 and after SIGTERM (exit 75), and a dead peer rank.
#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <thread>

#include "core/io/pth.h"
#include "core/util/atomic_file.h"
#include "core/util/errors.h"
#include "core/util/json.h"
#include "tests/support/fixtures.h"
#include "tests/support/photos.h"
#include "tests/support/processes.h"
#include "tests/support/run.h"
#include "tests/train/train_runs.h"

namespace fs = std::filesystem;

namespace sinsr::test {
namespace {

const std::string kMpi = "env OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 mpirun -np 2 --oversubscribe ";

// A 12-pair data set made once per test process.
const fs::path& pairs() {
  static const fs::path d = [] {
    const fs::path photos = fresh_dir("sinsr_train_photos"), out = fresh_dir("sinsr_train_pairs");
    for (int i = 0; i < 3; ++i)
      write_synthetic_photo((photos / ("p" + std::to_string(i) + ".png")).string(), 100, 130, i);
    const auto r = run_command(sinsr_binary() + " datagen --config configs/tiny.ini --data.hr=" + photos.string() +
                               " --out " + out.string() +
                               " --num-samples 12 --teacher tests/fixtures/parity/unet_small.pth"
                               " --autoencoder tests/fixtures/parity/vq_small.pth");
    if (r.exit_code != 0) throw std::runtime_error("datagen failed:\n" + r.output);
    return out;
  }();
  return d;
}

std::string train_args(const fs::path& run, int64_t steps, int64_t batch, const std::string& extra = "") {
  return " train --config configs/tiny.ini --data " + pairs().string() + " --out " + run.string() +
         " --teacher tests/fixtures/parity/unet_small.pth --train.steps=" + std::to_string(steps) +
         " --train.batch_size=" + std::to_string(batch) +
         " --train.microbatch=2 --train.val_samples=2"
         " --train.log_every=1 --train.ckpt_every=2 --train.keep_ckpts=10" +
         extra;
}
std::string single(const std::string& args) { return "env SINSR_THREADS=1 " + sinsr_binary() + args; }

// step -> (loss, distill, inverse, gt) from metrics.jsonl
std::map<int64_t, std::vector<double>> loss_history(const fs::path& run) {
  std::map<int64_t, std::vector<double>> out;
  std::ifstream in(run / "metrics.jsonl");
  std::string line;
  while (std::getline(in, line)) {
    const Json j = Json::parse(line);
    out[j["step"].as_int()] = {j["loss"].as_number(), j["distill"].as_number(), j["inverse"].as_number(),
                               j["gt"].as_number()};
  }
  return out;
}

TEST(Train, TwoRanksOfTwoEqualOneRankOfFourAfterFiveSteps) {
  const fs::path one = fresh_dir("sinsr_train_one"), two = fresh_dir("sinsr_train_two");
  const std::string validate = " --autoencoder tests/fixtures/parity/vq_small.pth --train.val_every=5";
  auto r1 = run_command(single(train_args(one, 5, 4, validate)));
  ASSERT_EQ(r1.exit_code, 0) << r1.output;
  auto r2 = run_command(kMpi + "env SINSR_THREADS=1 " + sinsr_binary() + train_args(two, 5, 4));
  ASSERT_EQ(r2.exit_code, 0) << r2.output;
  EXPECT_NE(r2.output.find("2 rank(s) x 2"), std::string::npos) << r2.output;
  const double e = max_rel_param_error(final_weights(one), final_weights(two));
  std::cout << "  1 rank x 4 vs 2 ranks x 2 after 5 steps: max relative parameter error " << e << "\n";
  EXPECT_LE(e, 1e-5);
  // Validation on the 2 held-out pairs at step 5, with decoded PSNRs; the loss plot.
  std::ifstream val(one / "validation.jsonl");
  std::string line;
  ASSERT_TRUE(std::getline(val, line));
  const Json v = Json::parse(line);
  EXPECT_EQ(v["step"].as_int(), 5);
  for (const char* k : {"val_mse_teacher", "val_mse_gt", "val_psnr", "teacher_psnr"})
    EXPECT_TRUE(std::isfinite(v[k].as_number()) && v[k].as_number() > 0) << k;
  EXPECT_GT(fs::file_size(one / "metrics.png"), 1000u);
  // Training moved the student away from the teacher it started from.
  EXPECT_GT(max_rel_param_error(final_weights(one), io::read_state_dict("tests/fixtures/parity/unet_small.pth")), 1e-5);
}

// Overlapping the gradient all-reduce with backward changes when buckets leave, not what is summed: the same
// buckets, the same collectives in the same order, so the weights are bit-identical to the after-backward
// sync. Small buckets (several per step) and two micro-batches per rank (only the last communicates).
TEST(Train, OverlappedGradientSyncIsBitIdenticalToAfterBackward) {
  std::map<std::string, fs::path> runs;
  std::map<std::string, std::string> logs;
  for (const std::string mode : {"overlap", "after_backward"}) {
    runs[mode] = fresh_dir("sinsr_train_sync_" + mode);
    const auto r =
        run_command(kMpi + "env SINSR_THREADS=1 " + sinsr_binary() + " train --config configs/tiny.ini --data " +
                    pairs().string() + " --out " + runs[mode].string() +
                    " --teacher tests/fixtures/parity/unet_small.pth --train.steps=5 --train.batch_size=4"
                    " --train.microbatch=1 --train.val_samples=2 --train.log_every=1 --train.ckpt_every=5"
                    " --train.bucket_mb=0.05 --train.grad_sync=" +
                    mode);
    ASSERT_EQ(r.exit_code, 0) << r.output;
    logs[mode] = r.output;
  }
  EXPECT_NE(logs["overlap"].find("(gradients: overlap, "), std::string::npos) << logs["overlap"];
  // The hooks really started buckets inside backward (all but the ones holding the input layers' gradients).
  std::smatch m;
  ASSERT_TRUE(std::regex_search(logs["overlap"], m,
                                std::regex("last step: (\\d+) of (\\d+) gradient buckets left during backward")))
      << logs["overlap"];
  EXPECT_GE(std::stoi(m[2]), 4);
  EXPECT_GE(std::stoi(m[1]), 1);
  ASSERT_TRUE(std::regex_search(logs["after_backward"], m, std::regex("last step: (\\d+) of")));
  EXPECT_EQ(m[1], "0");
  EXPECT_EQ(max_rel_param_error(final_weights(runs["overlap"]), final_weights(runs["after_backward"])), 0.0);
  EXPECT_EQ(loss_history(runs["overlap"]), loss_history(runs["after_backward"]));
}

// Runs the command; once `moment` holds, sends `sig` (SIGKILL: to the whole group). Returns the status.
int signal_when(const std::string& command, const std::function<bool()>& moment, int sig) {
  BackgroundCommand c(command);
  EXPECT_TRUE(c.wait_for(moment)) << "finished (or timed out) before the moment";
  c.signal(sig, sig == SIGKILL);
  return c.wait();
}

bool latest_is_at_least(const fs::path& run, int64_t step) {
  try {
    return std::stoll(read_file((run / "ckpt" / "latest").string())) >= step;
  } catch (const std::exception&) {
    return false;
  }
}

TEST(Train, KillNineAndSigtermThenResumeMatchTheUninterruptedRun) {
  constexpr int64_t kSteps = 10;
  const fs::path ref = fresh_dir("sinsr_train_ref"), killed = fresh_dir("sinsr_train_killed"),
                 term = fresh_dir("sinsr_train_term");
  ASSERT_EQ(run_command(single(train_args(ref, kSteps, 4))).exit_code, 0);

  // kill -9 once the step-4 checkpoint exists (the run is somewhere in steps 5-6), then resume.
  const int st = signal_when(
      single(train_args(killed, kSteps, 4)), [&] { return latest_is_at_least(killed, 4); }, SIGKILL);
  EXPECT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
  auto resumed = run_command(single(train_args(killed, kSteps, 4)));
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_NE(resumed.output.find("resuming from"), std::string::npos) << resumed.output;

  // SIGTERM: finish the step, checkpoint, exit 75; then resume.
  const int st2 = signal_when(
      single(train_args(term, kSteps, 4)), [&] { return latest_is_at_least(term, 2); }, SIGTERM);
  ASSERT_TRUE(WIFEXITED(st2)) << st2;
  EXPECT_EQ(WEXITSTATUS(st2), kExitTempFail);
  ASSERT_EQ(run_command(single(train_args(term, kSteps, 4))).exit_code, 0);

  for (const fs::path& run : {killed, term}) {
    SCOPED_TRACE(run.string());
    EXPECT_EQ(max_rel_param_error(final_weights(ref), final_weights(run)), 0.0);
    EXPECT_EQ(loss_history(run), loss_history(ref));
    EXPECT_EQ(loss_history(run).size(), static_cast<size_t>(kSteps));
  }
}

// train.precision = bf16 (CPU autocast): the same rules as fp32 (2 ranks x 2 = 1 rank x 4 within 1e-5,
// measured bit-identical; kill -9 and resume exact) and a loss that tracks fp32's: every step's logged loss
// within 0.5 % of the fp32 run's (measured at most 0.1 % over these steps).
TEST(Train, Bf16TrainsLikeFp32RankInvariantAndResumable) {
  constexpr int64_t kSteps = 6;
  const fs::path f32 = fresh_dir("sinsr_train_f32"), one = fresh_dir("sinsr_train_bf16_one"),
                 two = fresh_dir("sinsr_train_bf16_two"), killed = fresh_dir("sinsr_train_bf16_killed");
  const std::string bf16 = " --train.precision=bf16";
  ASSERT_EQ(run_command(single(train_args(f32, kSteps, 4))).exit_code, 0);
  auto r = run_command(single(train_args(one, kSteps, 4, bf16)));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = run_command(kMpi + "env SINSR_THREADS=1 " + sinsr_binary() + train_args(two, kSteps, 4, bf16));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_LE(max_rel_param_error(final_weights(one), final_weights(two)), 1e-5);

  const int st = signal_when(
      single(train_args(killed, kSteps, 4, bf16)), [&] { return latest_is_at_least(killed, 2); }, SIGKILL);
  EXPECT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
  ASSERT_EQ(run_command(single(train_args(killed, kSteps, 4, bf16))).exit_code, 0);
  EXPECT_EQ(max_rel_param_error(final_weights(one), final_weights(killed)), 0.0);
  EXPECT_EQ(loss_history(killed), loss_history(one));

  const auto lf = loss_history(f32), lb = loss_history(one);
  ASSERT_EQ(lb.size(), static_cast<size_t>(kSteps));
  double worst = 0;
  for (const auto& [step, terms] : lb) worst = std::max(worst, std::abs(terms[0] - lf.at(step)[0]) / lf.at(step)[0]);
  std::cout << "  bf16 vs fp32: largest relative difference of a step's loss " << worst << "\n";
  EXPECT_GT(worst, 0.0) << "bf16 did not change anything: is autocast on?";
  EXPECT_LE(worst, 5e-3);
  // fp16 training has no loss scaler: refused with the reason, before any work.
  const fs::path fp16 = fresh_dir("sinsr_train_fp16");
  r = run_command(single(train_args(fp16, kSteps, 4, " --train.precision=fp16")));
  EXPECT_EQ(r.exit_code, kExitUsage) << r.output;
  EXPECT_NE(r.output.find("loss scaler"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(fp16 / "ckpt"));
}

// Values a user can mistype: each is one line naming the key, its value and where it came from, exit 2,
// before any step (a 0 interval used to be SIGFPE, a negative or NaN rate a LibTorch stack trace).
TEST(Train, OutOfRangeTrainValuesAreUsageErrorsNamingTheKey) {
  const fs::path run = fresh_dir("sinsr_train_bad_values");
  const std::vector<std::pair<std::string, std::string>> bad = {{"log_every", "0"},    {"log_every", "-1"},
                                                                {"ckpt_every", "0"},   {"val_every", "0"},
                                                                {"keep_ckpts", "0"},   {"lr", "-1"},
                                                                {"lr", "nan"},         {"lr", "0"},
                                                                {"ema_rate", "2"},     {"peer_timeout", "0"},
                                                                {"grad_clip", "-1"},   {"bucket_mb", "0"},
                                                                {"check_every", "-1"}, {"stop_check_every", "-1"},
                                                                {"microbatch", "0"},   {"weight_decay", "inf"}};
  for (const auto& [key, value] : bad) {
    const std::string steps = key == "steps" ? "" : " --train.steps=1";
    const auto r =
        run_command("timeout 120 env SINSR_THREADS=1 " + sinsr_binary() + " train --config configs/tiny.ini --data " +
                    pairs().string() + " --out " + run.string() + " --teacher tests/fixtures/parity/unet_small.pth" +
                    steps + " --train." + key + "=" + value);
    SCOPED_TRACE(key + "=" + value);
    EXPECT_EQ(r.exit_code, kExitUsage) << r.output;
    EXPECT_NE(r.output.find("config key train." + key + " = '" + value + "' (from command line): expected"),
              std::string::npos)
        << r.output;
    EXPECT_FALSE(fs::exists(run / "ckpt"));
  }
}

TEST(Train, ADeadPeerRankMakesTheOtherExitNonZero) {
  const fs::path run = fresh_dir("sinsr_train_dead");
  BackgroundCommand job(kMpi + "env SINSR_THREADS=1 " + sinsr_binary() +
                        train_args(run, 100000, 4, " --train.peer_timeout=20"));
  // Wait for training to be under way, then kill -9 one rank (a child of mpirun).
  ASSERT_TRUE(job.wait_for([&] { return latest_is_at_least(run, 2); }));
  std::istringstream children(run_command("pgrep -P " + std::to_string(job.pid())).output);
  pid_t first_rank = 0;
  ASSERT_TRUE(children >> first_rank);
  kill(first_rank, SIGKILL);
  int status = 0;
  EXPECT_TRUE(job.wait_for([&] { return job.exited(status); }, std::chrono::seconds(60))) << "the job still runs";
  EXPECT_FALSE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "the job exited 0 after losing a rank";
}

}  // namespace
}  // namespace sinsr::test
