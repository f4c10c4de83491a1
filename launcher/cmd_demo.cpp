// sinsr demo: the tiny end-to-end run of the README (issue #9): photos -> teacher pairs -> distilled
// one-step student -> bicubic vs teacher vs student on held-out photos -> report.html.
#include "core/dist/device.h"
#include "core/util/errors.h"
#include "core/util/threads.h"
#include "demo/demo_pipeline.h"
#include "launcher/commands.h"

namespace sinsr::cli {

namespace {

int run_demo_command(const Invocation& inv) {
  const auto& a = inv.args;
  set_threads(a["threads"].as<int>());
  demo::DemoSettings s;
  s.out_dir = a["out"].as<std::string>();
  s.photos_dir = a["photos"].as<std::string>();
  s.fetch_script = "tools/fetch-demo-photos.sh";
  s.teacher_path = a["teacher"].as<std::string>();
  s.pairs = a["pairs"].as<int64_t>();
  s.heldout_size = a["heldout-size"].as<int64_t>();
  s.seed = a["seed"].as<uint64_t>();
  s.device = a["device"].as<std::string>();
  s.config = inv.config;
  if (s.pairs < 2) throw UsageError("--pairs must be at least 2 (the student needs training pairs)");
  if (s.heldout_size < 32 || s.heldout_size % 32) throw UsageError("--heldout-size must be a positive multiple of 32");
  return demo::run_demo(s);
}

}  // namespace

Command demo_command() {
  Command c;
  c.name = "demo";
  c.summary =
      "the end-to-end demo: distil a one-step student from the bundled teacher, compare, report (minutes on a CPU)";
  c.usage = "sinsr demo [--out DIR] [options]          (from the repository root)";
  c.description =
      "1. photos: --photos DIR/{train,heldout}; fetched with tools/fetch-demo-photos.sh when missing.\n"
      "2. teacher pairs (sinsr datagen): --pairs samples of the bundled pixel-space teacher's 15-step\n"
      "   deterministic output F(x_T, y) on degraded crops of the train/ photos -> OUT/pairs/.\n"
      "3. the student (sinsr train): starts from the teacher's weights, [train] steps of SinSR's three\n"
      "   losses -> OUT/student/ (checkpoints, metrics.jsonl, metrics.png).\n"
      "4. held-out photos: one degraded --heldout-size crop per heldout/ photo; bicubic, the teacher (15\n"
      "   network calls) and the student (1 call) super-resolve it; PSNR/SSIM (pyiqa-ycbcr) and seconds per\n"
      "   image -> OUT/heldout/, OUT/sr/.\n"
      "5. OUT/report.html (checks, tables, loss curves, crops) and OUT/results.json.\n"
      "A rerun with the same OUT resumes: finished pairs and training steps are kept. The configuration is\n"
      "configs/demo.ini unless --config is given.";
  c.sections = {"model", "diffusion", "degradation", "data", "datagen", "train"};
  c.default_config = "configs/demo.ini";
  c.declare = [](po::options_description& o, po::positional_options_description&) {
    o.add_options()("out", po::value<std::string>()->default_value("demo-out")->value_name("DIR"), "output folder")(
        "photos", po::value<std::string>()->default_value("data/demo-photos")->value_name("DIR"),
        "demo photos (train/, heldout/)")(
        "teacher", po::value<std::string>()->default_value("models/demo-teacher-x2.pth")->value_name("PTH"),
        "the teacher")("pairs", po::value<int64_t>()->default_value(128)->value_name("N"), "teacher pairs to generate")(
        "heldout-size", po::value<int64_t>()->default_value(256)->value_name("PX"),
        "GT crop size of the held-out images")("seed", po::value<uint64_t>()->default_value(12345),
                                               "inference noise seed")(
        "device", po::value<std::string>()->default_value("auto"), dist::kDeviceHelp)(
        "threads", po::value<int>()->default_value(0), "intra-op threads (0 = SINSR_THREADS or all cores)");
  };
  c.run = run_demo_command;
  return c;
}

}  // namespace sinsr::cli
