// sinsr demo: the tiny end-to-end run of the README (issue #9): photos -> teacher pairs -> distilled
// one-step student -> bicubic vs teacher vs student on held-out photos -> report.html.
#include "core/dist/device.h"
#include "core/util/errors.h"
#include "demo/demo_pipeline.h"
#include "launcher/commands.h"

namespace sinsr::cli {

namespace {

void declare(po::options_description& o, po::positional_options_description&, demo::DemoSettings& s) {
  o.add_options()("out", po::value(&s.out_dir)->default_value("demo-out")->value_name("DIR"), "output folder")(
      "photos", po::value(&s.photos_dir)->default_value("data/demo-photos")->value_name("DIR"),
      "demo photos (train/, heldout/)")(
      "teacher", po::value(&s.teacher_path)->default_value("models/demo-teacher-x2.pth")->value_name("PTH"),
      "the teacher")("pairs", po::value(&s.pairs)->default_value(128)->value_name("N"), "teacher pairs to generate")(
      "heldout-size", po::value(&s.heldout_size)->default_value(256)->value_name("PX"),
      "GT crop size of the held-out images")("seed", po::value(&s.seed)->default_value(12345), "inference noise seed")(
      "device", po::value(&s.device)->default_value("auto"), dist::kDeviceHelp);
}

int run(demo::DemoSettings& s, const Invocation& inv) {
  s.fetch_script = "tools/fetch-demo-photos.sh";
  s.config = inv.config;
  if (s.pairs < 2) throw UsageError("--pairs must be at least 2 (the student needs training pairs)");
  if (s.heldout_size < 32 || s.heldout_size % 32) throw UsageError("--heldout-size must be a positive multiple of 32");
  return demo::run_demo(s);
}

}  // namespace

Command demo_command() {
  Command c(
      "demo",
      "the end-to-end demo: distil a one-step student from the bundled teacher, compare, report (minutes on a CPU)",
      "sinsr demo [--out DIR] [options]          (from the repository root)",
      R"(1. photos: --photos DIR/{train,heldout}; fetched with tools/fetch-demo-photos.sh when missing.
2. teacher pairs (sinsr datagen): --pairs samples of the bundled pixel-space teacher's 15-step
   deterministic output F(x_T, y) on degraded crops of the train/ photos -> OUT/pairs/.
3. the student (sinsr train): starts from the teacher's weights, [train] steps of SinSR's three
   losses -> OUT/student/ (checkpoints, metrics.jsonl, metrics.png).
4. held-out photos: one degraded --heldout-size crop per heldout/ photo; bicubic, the teacher (15
   network calls) and the student (1 call) super-resolve it; PSNR/SSIM (pyiqa-ycbcr) and seconds per
   image -> OUT/heldout/, OUT/sr/.
5. OUT/report.html (checks, tables, loss curves, crops) and OUT/results.json.
A rerun with the same OUT resumes: finished pairs and training steps are kept. The configuration is
configs/demo.ini unless --config is given.)");
  c.sections = {"model", "diffusion", "degradation", "data", "datagen", "train"};
  c.default_config = "configs/demo.ini";
  c.threads_flag = true;
  bind_options(c, declare, run);
  return c;
}

}  // namespace sinsr::cli
