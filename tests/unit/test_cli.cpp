// The sinsr binary as users see it: exit codes, one-line errors, help and config handling.
#include <gtest/gtest.h>
#include <torch/cuda.h>

#include <filesystem>
#include <sstream>

#include "core/io/pth.h"
#include "core/util/errors.h"
#include "tests/support/fixtures.h"
#include "tests/support/processes.h"
#include "tests/support/run.h"

namespace sinsr::test {
namespace {

const std::string kFixtures = "tests/fixtures/parity/";

// --device means the same in every stage: on a CPU-only LibTorch, cuda is a usage error (exit 2) that says
// what to do, before any work (nothing is written); a name that is no device likewise; cpu and auto pass.
TEST(Cli, EveryStageTakesDeviceAndRefusesCudaWithoutAGpu) {
  if (torch::cuda::is_available()) GTEST_SKIP() << "a GPU is visible";
  const std::filesystem::path out = fresh_dir("sinsr_cli_device");
  const std::string o = " --out " + (out / "o").string();
  const std::vector<std::string> stages = {
      "infer -i data/benchmarks/val_sr_small/lq -o " + (out / "o").string() + " --model " + kFixtures +
          "unet_small.pth",
      "eval --pred data/benchmarks/val_sr_small/lq" + o,
      "datagen --num-samples 2 --teacher " + kFixtures + "unet_small.pth" + o,
      "train --data " + out.string() + o,
      "train-teacher" + o,
      "demo" + o,
  };
  for (const std::string& stage : stages) {
    SCOPED_TRACE(stage);
    auto r = run_command(sinsr_binary() + " " + stage + " --device cuda");
    EXPECT_EQ(r.exit_code, kExitUsage) << r.output;
    EXPECT_NE(r.output.find("--device cuda: no GPU visible to LibTorch"), std::string::npos) << r.output;
    r = run_command(sinsr_binary() + " " + stage + " --device tpu");
    EXPECT_EQ(r.exit_code, kExitUsage) << r.output;
    EXPECT_NE(r.output.find("--device takes cpu, cuda or auto, not 'tpu'"), std::string::npos) << r.output;
    r = run_command(sinsr_binary() + " " + stage.substr(0, stage.find(' ')) + " --help");
    EXPECT_NE(r.output.find("--device"), std::string::npos) << r.output;
    EXPECT_FALSE(std::filesystem::exists(out / "o"));
  }
}

TEST(Cli, InspectListsKeysShapesAndParameterCount) {
  auto r = run_command(sinsr_binary() + " inspect " + kFixtures + "unet_small.pth");
  EXPECT_EQ(r.exit_code, kExitOk) << r.output;
  EXPECT_NE(r.output.find("input_blocks.0.0.weight"), std::string::npos);
  EXPECT_NE(r.output.find("float32  [32, 6, 3, 3]"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("int64    [64, 64]"), std::string::npos);  // relative_position_index
  EXPECT_NE(r.output.find("200 tensors; parameters: 365,403"), std::string::npos) << r.output;

  r = run_command(sinsr_binary() + " inspect " + kFixtures + "vq_small.pth");
  EXPECT_EQ(r.exit_code, kExitOk);
  EXPECT_NE(r.output.find("157 tensors; parameters: 503,326"), std::string::npos) << r.output;
}

TEST(Cli, InspectCheckLoadsIntoTheConfiguredNetwork) {
  auto r =
      run_command(sinsr_binary() + " inspect --check unet --config configs/tiny.ini " + kFixtures + "unet_small.pth");
  EXPECT_EQ(r.exit_code, kExitOk) << r.output;
  EXPECT_NE(r.output.find("loads strictly"), std::string::npos);
  r = run_command(sinsr_binary() + " inspect --check autoencoder --config configs/tiny.ini " + kFixtures +
                  "vq_small.pth");
  EXPECT_EQ(r.exit_code, kExitOk) << r.output;
}

TEST(Cli, CheckpointWithOneWrongShapeNamesTheKey) {
  auto state = io::read_state_dict(kFixtures + "unet_small.pth");
  // Widen the input dimension of one conv in the middle of the network.
  std::string key, expected;
  for (size_t i = state.size() / 2; i < state.size() && key.empty(); ++i) {
    auto& [k, t] = state[i];
    if (t.dim() != 4) continue;
    auto shape = t.sizes().vec();
    std::ostringstream msg;
    msg << k << " (checkpoint [" << shape[0] << ", " << shape[1] + 1 << ", " << shape[2] << ", " << shape[3]
        << "], model [" << shape[0] << ", " << shape[1] << ", " << shape[2] << ", " << shape[3] << "])";
    shape[1] += 1;
    t = torch::zeros(shape);
    key = k;
    expected = msg.str();
  }
  ASSERT_FALSE(key.empty());
  const auto bad = (std::filesystem::temp_directory_path() / "sinsr_bad_shape.pth").string();
  io::write_state_dict(bad, state);
  auto r = run_command(sinsr_binary() + " inspect --check unet --config configs/tiny.ini " + bad);
  EXPECT_EQ(r.exit_code, kExitFailure) << r.output;
  EXPECT_NE(r.output.find(expected), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("missing"), std::string::npos) << "only the one bad key must be reported";
  // A checkpoint of the other network: a usage mistake that must not pass.
  r = run_command(sinsr_binary() + " inspect --check unet --config configs/tiny.ini " + kFixtures + "vq_small.pth");
  EXPECT_EQ(r.exit_code, kExitFailure);
}

TEST(Cli, UsageErrorsExitWithTwoAndSuggestTheClosestName) {
  auto r = run_command(sinsr_binary() + " inspct");
  EXPECT_EQ(r.exit_code, kExitUsage);
  EXPECT_NE(r.output.find("did you mean 'inspect'"), std::string::npos) << r.output;
  r = run_command(sinsr_binary() + " inspect --model.chanel_mult=1,2 x.pth");
  EXPECT_EQ(r.exit_code, kExitUsage);
  EXPECT_NE(r.output.find("did you mean '--model.channel_mult'"), std::string::npos) << r.output;
  r = run_command(sinsr_binary() + " inspect");
  EXPECT_EQ(r.exit_code, kExitUsage);
  r = run_command(sinsr_binary() + " inspect /nonexistent/file.pth");
  EXPECT_EQ(r.exit_code, kExitFailure);
  EXPECT_NE(r.output.find("/nonexistent/file.pth"), std::string::npos);
  EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << "errors are one line: " << r.output;
}

TEST(Cli, HelpAndPrintConfig) {
  auto r = run_command(sinsr_binary() + " --help");
  EXPECT_EQ(r.exit_code, kExitOk);
  EXPECT_NE(r.output.find("inspect"), std::string::npos);
  r = run_command(sinsr_binary() + " inspect --help");
  EXPECT_EQ(r.exit_code, kExitOk);
  EXPECT_NE(r.output.find("--model.channel_mult"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("1,2,2,4"), std::string::npos) << "defaults are listed";
  r = run_command(sinsr_binary() + " inspect --config configs/tiny.ini --model.window_size=4 --print-config");
  EXPECT_EQ(r.exit_code, kExitOk) << r.output;
  EXPECT_NE(r.output.find("model_channels = 32"), std::string::npos) << r.output;  // from the file
  EXPECT_NE(r.output.find("window_size = 4"), std::string::npos) << r.output;      // from the command line
}

}  // namespace
}  // namespace sinsr::test
