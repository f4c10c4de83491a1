// sinsr degrade end to end: files and contact sheet, identical bytes for any worker count, usage errors.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <opencv2/imgcodecs.hpp>

#include "core/util/atomic_file.h"
#include "core/util/errors.h"
#include "tests/support/photos.h"
#include "tests/support/processes.h"
#include "tests/support/run.h"

namespace sinsr::test {
namespace {

namespace fs = std::filesystem;

TEST(DegradeCli, WritesPairsAndASheetIdenticallyForAnyWorkerCount) {
  const fs::path photos = fresh_dir("sinsr_degrade_photos");
  for (int i = 0; i < 3; ++i)
    write_synthetic_photo((photos / ("p" + std::to_string(i) + ".png")).string(), 300, 280 + 40 * i, i);
  const fs::path out1 = fresh_dir("sinsr_degrade_w1"), out2 = fresh_dir("sinsr_degrade_w2");
  const std::string base = sinsr_binary() + " degrade --data.hr=" + photos.string() + " --first 5 --count 6";
  auto r1 =
      run_command(base + " --data.workers=1 -o " + out1.string() + " --contact-sheet " + (out1 / "sheet.png").string());
  auto r2 = run_command(base + " --data.workers=2 -o " + out2.string());
  ASSERT_EQ(r1.exit_code, kExitOk) << r1.output;
  ASSERT_EQ(r2.exit_code, kExitOk) << r2.output;
  for (int i = 5; i < 11; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "%09d.png", i);
    for (const char* kind : {"gt", "lq"}) {
      const fs::path a = out1 / kind / name, b = out2 / kind / name;
      ASSERT_TRUE(fs::exists(a)) << a;
      EXPECT_EQ(read_file(a.string()), read_file(b.string())) << a;
      EXPECT_EQ(cv::imread(a.string()).rows, std::string(kind) == "gt" ? 256 : 64);
    }
  }
  const cv::Mat sheet = cv::imread((out1 / "sheet.png").string());
  EXPECT_GT(sheet.cols, 4 * 512);  // four pairs of 256-pixel cells per row
  EXPECT_GT(sheet.rows, 2 * 256);  // six pairs: two rows
}

TEST(DegradeCli, UsageErrorsAreOneLineWithExitCode2) {
  auto none = run_command(sinsr_binary() + " degrade --data.hr=/nonexistent/photos -o /tmp/x");
  EXPECT_EQ(none.exit_code, kExitUsage);
  EXPECT_NE(none.output.find("/nonexistent/photos"), std::string::npos) << none.output;
  auto nothing = run_command(sinsr_binary() + " degrade --data.hr=.");
  EXPECT_EQ(nothing.exit_code, kExitUsage);
  EXPECT_NE(nothing.output.find("nothing to write"), std::string::npos) << nothing.output;
  auto bad_key = run_command(sinsr_binary() + " degrade --degradation.jpeg_rnage=30,95 -o /tmp/x");
  EXPECT_EQ(bad_key.exit_code, kExitUsage);
  EXPECT_NE(bad_key.output.find("degradation.jpeg_range"), std::string::npos) << bad_key.output;
}

}  // namespace
}  // namespace sinsr::test
