// sinsr demo end to end on synthetic photos, with a teacher trained here for a few steps (the bundled
// teacher's config, configs/demo.ini): every stage runs, the report and results carry the three
// methods, crops and curves, a rerun resumes instead of redoing, and missing inputs are clear errors.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "core/util/atomic_file.h"
#include "core/util/errors.h"
#include "core/util/json.h"
#include "tests/support/photos.h"
#include "tests/support/processes.h"
#include "tests/support/run.h"

namespace fs = std::filesystem;

namespace sinsr::test {
namespace {

TEST(Demo, RunsEveryStageWritesTheReportAndResumes) {
  const fs::path photos = fresh_dir("sinsr_demo_photos"), teacher_run = fresh_dir("sinsr_demo_teacher"),
                 out = fresh_dir("sinsr_demo_out");
  fs::create_directories(photos / "train");
  fs::create_directories(photos / "heldout");
  for (int i = 0; i < 3; ++i)
    write_synthetic_photo((photos / "train" / ("t" + std::to_string(i) + ".png")).string(), 120, 150, 20 + i);
  for (int i = 0; i < 2; ++i)
    write_synthetic_photo((photos / "heldout" / ("h" + std::to_string(i) + ".png")).string(), 100, 110, 40 + i);
  // A pixel-space teacher of the demo's architecture: two steps of train-teacher.
  const std::string threads = "env SINSR_THREADS=2 ";
  auto t = run_command(threads + sinsr_binary() + " train-teacher --config configs/demo.ini --data.hr=" +
                       (photos / "train").string() + " --out " + teacher_run.string() +
                       " --train.steps=2 --train.batch_size=2 --train.microbatch=2 --train.val_samples=0");
  ASSERT_EQ(t.exit_code, 0) << t.output;
  const std::string teacher = (teacher_run / "ckpt" / "000000002" / "ema.pth").string();

  const std::string demo = threads + sinsr_binary() + " demo --out " + out.string() + " --photos " + photos.string() +
                           " --teacher " + teacher +
                           " --pairs 6 --heldout-size 64 --train.steps=2 --train.batch_size=2"
                           " --train.microbatch=2 --train.val_samples=2 --train.log_every=1 --datagen.shard_size=4";
  auto r = run_command(demo);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* stage : {"demo [1/5]", "demo [2/5]", "demo [3/5]", "demo [4/5]", "demo [5/5]", "report: "})
    EXPECT_NE(r.output.find(stage), std::string::npos) << stage << "\n" << r.output;

  const Json res = Json::parse(read_file((out / "results.json").string()));
  const auto& methods = res["methods"].as_array();
  ASSERT_EQ(methods.size(), 3u);
  const char* names[] = {"bicubic", "teacher", "student"};
  const int calls[] = {0, 15, 1};
  for (size_t m = 0; m < 3; ++m) {
    EXPECT_EQ(methods[m]["name"].as_string(), names[m]);
    EXPECT_EQ(methods[m]["network_calls"].as_int(), calls[m]);
    EXPECT_TRUE(std::isfinite(methods[m]["psnr"].as_number()) && methods[m]["psnr"].as_number() > 0);
    EXPECT_GT(methods[m]["seconds_per_image"].as_number(), 0.0);
  }
  EXPECT_EQ(res["images"].as_array().size(), 2u);
  // The speed-up is the teacher's seconds over the student's, as reported.
  EXPECT_NEAR(res["speedup"].as_number(),
              methods[1]["seconds_per_image"].as_number() / methods[2]["seconds_per_image"].as_number(), 1e-9);
  for (const char* k : {"student_close", "both_beat_bicubic", "fast_enough"})
    EXPECT_TRUE(res["checks"][k].is_bool()) << k;

  const std::string html = read_file((out / "report.html").string());
  for (const char* piece :
       {"What the demo shows", "Held-out photos: means", "Per image", "Loss curves", "Crops", "student/metrics.png"})
    EXPECT_NE(html.find(piece), std::string::npos) << piece;
  for (const char* h : {"h0", "h1"}) {
    for (int p = 0; p < 5; ++p)
      EXPECT_TRUE(fs::exists(out / "crops" / (std::string(h) + "_" + std::to_string(p) + ".png"))) << h << p;
    for (const char* m : names) EXPECT_TRUE(fs::exists(out / "sr" / m / (std::string(h) + ".png"))) << m << h;
  }
  EXPECT_TRUE(fs::exists(out / "student" / "metrics.png"));
  // The report says on how many images the teacher is below bicubic, whenever it is on any.
  int below = 0;
  for (const Json& im : res["images"].as_array())
    below += im["teacher"]["psnr"].as_number() < im["bicubic"]["psnr"].as_number();
  const std::string below_note =
      "On " + std::to_string(below) + " of 2 held-out images the teacher scores below bicubic";
  EXPECT_EQ(html.find(below_note) != std::string::npos, below > 0) << below_note;
  EXPECT_EQ(html.find("the teacher scores below bicubic") != std::string::npos, below > 0);

  // A rerun keeps the finished pairs and training steps.
  auto again = run_command(demo);
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find("2 complete, 0 to make"), std::string::npos) << again.output;
  EXPECT_NE(again.output.find("resuming from"), std::string::npos) << again.output;
}

TEST(Demo, MissingTeacherOrPhotosAreClearErrors) {
  const fs::path out = fresh_dir("sinsr_demo_errors");
  auto r = run_command(sinsr_binary() + " demo --out " + out.string() + " --teacher " + (out / "none.pth").string());
  EXPECT_EQ(r.exit_code, kExitUsage) << r.output;
  EXPECT_NE(r.output.find("none.pth not found"), std::string::npos) << r.output;
  // From another folder the fetch script is not at hand: the error says so instead of failing later.
  const fs::path cwd = fresh_dir("sinsr_demo_elsewhere");
  r = run_command("cd " + cwd.string() + " && " + sinsr_binary() + " demo --config " +
                  fs::absolute("configs/demo.ini").string() + " --out " + out.string() + " --photos " +
                  (cwd / "nothing").string() + " --teacher " +
                  fs::absolute("tests/fixtures/parity/unet_small.pth").string());
  EXPECT_EQ(r.exit_code, kExitUsage) << r.output;
  EXPECT_NE(r.output.find("fetch-demo-photos.sh"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace sinsr::test
