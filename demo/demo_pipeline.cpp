#include "demo/demo_pipeline.h"

#include <ATen/ATen.h>
#include <opencv2/imgproc.hpp>

#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "core/data/pair_synthesizer.h"
#include "core/diffusion/diffusion.h"
#include "core/diffusion/first_stage.h"
#include "core/dist/device.h"
#include "core/dist/mpi_context.h"
#include "core/io/image_io.h"
#include "core/io/state_dict.h"
#include "core/nn/model_config.h"
#include "core/nn/resize.h"
#include "core/run/run_folder.h"
#include "core/sr/super_resolver.h"
#include "core/util/errors.h"
#include "core/util/progress.h"
#include "core/util/seed.h"
#include "core/util/stopwatch.h"
#include "core/util/threads.h"
#include "datagen/datagen_plan.h"
#include "datagen/datagen_run.h"
#include "demo/demo_report.h"
#include "eval/metrics/psnr_ssim.h"
#include "trainer/train_run.h"

namespace fs = std::filesystem;

namespace sinsr::demo {

namespace {

constexpr int kStages = 5;

void stage(int n, const std::string& what) { std::cerr << "\ndemo [" << n << "/" << kStages << "] " << what << "\n"; }

// A held-out evaluation pair: the GT crop and its degraded LR, as sinsr degrade would make them.
struct HeldOut {
  std::string name;
  at::Tensor gt_u8, lq;  // [3, H, W] uint8; [3, h, w] float in [0, 1]
};

// One pair per held-out photo: a random heldout_size crop (no flip) of the photo, degraded like the
// training pairs. Written to OUT/heldout/{gt,lq}/ for inspection and reuse (sinsr infer, sinsr eval).
std::vector<HeldOut> make_heldout(const DemoSettings& s, const fs::path& out) {
  Config cfg = s.config;
  cfg.set("data.hr", (fs::path(s.photos_dir) / "heldout").string(), "demo");
  cfg.set("data.gt_size", std::to_string(s.heldout_size), "demo");
  cfg.set("data.use_hflip", "false", "demo");
  cfg.set("data.rescale_gt", "false", "demo");
  const data::PairSynthesizer synth = data::PairSynthesizer::from_config(cfg);
  fs::create_directories(out / "gt");
  fs::create_directories(out / "lq");
  std::vector<HeldOut> pairs;
  for (int64_t i = 0; i < static_cast<int64_t>(synth.size()); ++i) {  // epoch 0: every photo once
    const data::Pair p = synth.make(i);
    HeldOut h{fs::path(synth.path(p.image)).stem().string(), io::rgb_mat_view(p.gt).clone(),
              io::rgb_mat_view(p.lq).to(at::kFloat) / 255.0};
    io::write_image_u8((out / "gt" / (h.name + ".png")).string(), p.gt);
    io::write_image_u8((out / "lq" / (h.name + ".png")).string(), p.lq);
    pairs.push_back(std::move(h));
  }
  std::sort(pairs.begin(), pairs.end(), [](const HeldOut& a, const HeldOut& b) { return a.name < b.name; });
  return pairs;
}

at::Tensor bicubic_up(const at::Tensor& lq01, int64_t sf) { return nn::upsample_bicubic(lq01, sf).clamp(0, 1); }

at::Tensor nearest_up(const at::Tensor& lq01, int64_t sf) {
  return lq01.repeat_interleave(sf, 1).repeat_interleave(sf, 2);
}

// The top-left corner of the size^2 window of the GT with the most detail (gradient energy), on a coarse
// grid: the crops should show edges and texture, not sky.
std::pair<int64_t, int64_t> detailed_window(const at::Tensor& gt_u8, int64_t size) {
  const at::Tensor g = gt_u8.to(at::kFloat).mean(0);
  const at::Tensor energy =
      (g.narrow(1, 1, g.size(1) - 1) - g.narrow(1, 0, g.size(1) - 1)).abs().narrow(0, 0, g.size(0) - 1) +
      (g.narrow(0, 1, g.size(0) - 1) - g.narrow(0, 0, g.size(0) - 1)).abs().narrow(1, 0, g.size(1) - 1);
  std::pair<int64_t, int64_t> best{0, 0};
  double best_energy = -1;
  const int64_t step = std::max<int64_t>(8, size / 4);
  for (int64_t r = 0; r + size <= energy.size(0); r += step)
    for (int64_t c = 0; c + size <= energy.size(1); c += step) {
      const double e = energy.narrow(0, r, size).narrow(1, c, size).sum().item<double>();
      if (e > best_energy) best_energy = e, best = {r, c};
    }
  return best;
}

// The named file of the newest checkpoint of a run.
std::string latest_weights(const fs::path& run_dir, const std::string& file) {
  const auto latest = run::latest_checkpoint(run_dir.string());
  if (!latest)
    throw std::runtime_error("no checkpoint in " + (run_dir / run::kCheckpointsFolder).string() + " after training");
  return (fs::path(*latest) / file).string();
}

}  // namespace

int run_demo(const DemoSettings& s) {
  const auto start = Clock::now();
  const fs::path out(s.out_dir);
  fs::create_directories(out);
  if (!fs::exists(s.teacher_path))
    throw UsageError("teacher weights " + s.teacher_path +
                     " not found (the repository bundles models/demo-teacher-x2.pth; give --teacher)");
  if (!is_pixel_space(s.config))
    throw UsageError(
        "the demo runs a pixel-space teacher: use a config with diffusion.latent_flag = false (configs/demo.ini)");

  stage(1, "demo photos: " + s.photos_dir);
  if (!fs::is_directory(fs::path(s.photos_dir) / "train") || !fs::is_directory(fs::path(s.photos_dir) / "heldout")) {
    if (!fs::exists(s.fetch_script))
      throw UsageError(s.photos_dir + " has no train/ and heldout/ photos, and " + s.fetch_script +
                       " (which fetches them) is not there; run sinsr demo from the repository root or give --photos");
    const std::string cmd = "bash '" + s.fetch_script + "' '" + s.photos_dir + "'";
    std::cerr << "demo: fetching the photos: " << cmd << "\n";
    if (std::system(cmd.c_str()) != 0)
      throw std::runtime_error("fetching the demo photos failed (" + cmd + "); see above");
  }
  Config cfg = s.config;
  cfg.set("data.hr", (fs::path(s.photos_dir) / "train").string(), "demo");
  const train::TrainConfig train = train::TrainConfig::from_config(cfg);
  dist::MpiContext mpi;

  stage(2, "teacher pairs: " + std::to_string(s.pairs) + " x (LR, x_T, the teacher's 15-step output F(x_T, y)) -> " +
               (out / "pairs").string());
  datagen::DatagenSettings d;
  d.out_dir = (out / "pairs").string();
  d.teacher_path = s.teacher_path;
  d.num_samples = s.pairs;
  d.device = s.device;
  d.config = cfg;
  d.generator = std::string("sinsr demo ") + SINSR_VERSION;
  if (const int rc = datagen::run_datagen(d, mpi); rc != kExitOk) return rc;

  stage(3, "distilling the one-step student from the teacher (" + std::to_string(train.steps) + " steps) -> " +
               (out / "student").string());
  train::TrainSettings t;
  t.data_dir = d.out_dir;
  t.run_dir = (out / "student").string();
  t.teacher_path = s.teacher_path;
  t.device = s.device;
  t.config = cfg;
  if (const int rc = train::run_train(t, mpi); rc != kExitOk) return rc;
  const std::string student_path = latest_weights(out / "student", run::kStudentWeights);

  stage(4, "held-out photos: bicubic vs teacher (15 steps) vs student (1 step)");
  const std::vector<HeldOut> heldout = make_heldout(s, out / "heldout");
  const Diffusion diffusion(DiffusionConfig::from_config(cfg));
  const int64_t sf = diffusion.config().sf, T = diffusion.config().steps;
  const c10::Device device = dist::rank_device(s.device, mpi);
  auto resolver = [&](const std::string& weights, int64_t steps) {
    nn::UNetModelSwin unet(UNetConfig::from_config(cfg));
    io::load_weights(*unet, weights);
    unet->to(device);
    sr::SuperResolveOptions opt;
    opt.steps = steps;
    opt.chop_size = s.heldout_size / sf;  // one tile per image: timing without tiling overheads
    opt.chop_stride = opt.chop_size;
    return sr::SuperResolver(unet, diffusion, opt);
  };
  sr::SuperResolver teacher = resolver(s.teacher_path, T), student = resolver(student_path, 1);
  DemoResults r;
  r.methods = {
      {"bicubic", "x" + std::to_string(sf) + " bicubic interpolation", 0},
      {"teacher", std::to_string(T) + " deterministic steps (ResShift + SinSR's sampler)", static_cast<int>(T)},
      {"student", "1 step (SinSR), distilled here", 1}};
  r.metric_protocol = metrics::kSinsrPsnrSsimProtocol;
  const metrics::PsnrSsimProtocol protocol = metrics::parse_psnr_ssim_protocol(r.metric_protocol);
  const char* method_dirs[] = {"bicubic", "teacher", "student"};
  for (const char* m : method_dirs) fs::create_directories(out / "sr" / m);
  fs::create_directories(out / "crops");
  {
    // Warm-up: the first call of each network pays one-off allocation costs that are not per-image work.
    const at::Tensor tiny = heldout.front().lq;
    teacher.upscale(tiny, 0);
    student.upscale(tiny, 0);
  }
  Progress progress(static_cast<int64_t>(heldout.size()), "images");
  for (const HeldOut& h : heldout) {
    const uint64_t noise = derive_seed(s.seed, "demo", h.name);  // the same x_T noise for teacher and student
    DemoImage row{h.name, {}, {}, {}};
    std::vector<at::Tensor> outputs;
    for (int m = 0; m < 3; ++m) {
      const auto t0 = Clock::now();
      at::Tensor sr = m == 0 ? bicubic_up(h.lq, sf) : (m == 1 ? teacher : student).upscale(h.lq, noise);
      row.seconds.push_back(seconds_since(t0));
      const at::Tensor u8 = io::to_uint8(sr);
      outputs.push_back(u8);
      const metrics::PsnrSsimScores sc = metrics::compute_psnr_and_ssim(
          u8.permute({1, 2, 0}).contiguous(), h.gt_u8.permute({1, 2, 0}).contiguous(), protocol);
      row.psnr.push_back(sc.psnr);
      row.ssim.push_back(sc.ssim);
      io::write_image((out / "sr" / method_dirs[m] / (h.name + ".png")).string(), sr);
    }
    // Crops: the most detailed window, LR shown with nearest-neighbour pixels.
    const int64_t size = std::min<int64_t>(96, h.gt_u8.size(1));
    const auto [r0, c0] = detailed_window(h.gt_u8, size);
    auto crop_of = [&](const at::Tensor& u8_chw) {
      return u8_chw.narrow(1, r0, size).narrow(2, c0, size).to(at::kFloat) / 255.0;
    };
    const std::vector<std::pair<std::string, at::Tensor>> panels = {
        {"LR (input, nearest x" + std::to_string(sf) + ")", crop_of(io::to_uint8(nearest_up(h.lq, sf)))},
        {"bicubic", crop_of(outputs[0])},
        {"teacher, " + std::to_string(T) + " steps", crop_of(outputs[1])},
        {"student, 1 step", crop_of(outputs[2])},
        {"ground truth", crop_of(h.gt_u8)}};
    eval::CropSet set{h.name, {}};
    for (size_t p = 0; p < panels.size(); ++p) {
      const std::string png = "crops/" + h.name + "_" + std::to_string(p) + ".png";
      io::write_image((out / png).string(), panels[p].second);
      set.panels.push_back({panels[p].first, png});
    }
    r.crops.push_back(std::move(set));
    r.images.push_back(std::move(row));
    progress.advance();
  }
  progress.finish();

  stage(5, "report");
  if (fs::exists(out / "student" / "metrics.png"))  // drawn from two logged steps on
    r.curves.push_back({"student distillation (this run): losses", "student/metrics.png"});
  const fs::path teacher_curve = fs::path(s.teacher_path).replace_extension(".metrics.png");
  if (fs::exists(teacher_curve)) {
    fs::copy_file(teacher_curve, out / "teacher-training.png", fs::copy_options::overwrite_existing);
    r.curves.push_back({"teacher training (models/, sinsr train-teacher): loss", "teacher-training.png"});
  }
  r.setup = {"photos: " + s.photos_dir + " (tools/fetch-demo-photos.sh; train/ for pairs, heldout/ for this table)",
             "teacher: " + s.teacher_path + " (pixel space, x" + std::to_string(sf) + ")",
             "pairs: " + std::to_string(s.pairs) + " of " +
                 std::to_string(data::HrDataConfig::from_config(cfg).gt_size) + " px GT crops (" + d.out_dir + ")",
             "student: " + std::to_string(train.steps) + " steps, batch " + std::to_string(train.batch_size) +
                 ", from the teacher's weights (" + student_path + ")",
             "held-out: " + std::to_string(heldout.size()) + " photos, " + std::to_string(s.heldout_size) +
                 " px GT crops, degraded like the training pairs",
             "threads: " + std::to_string(at::get_num_threads())};
  const DemoSummary sum = summarize(r);
  if (sum.student_minus_teacher > 0.5)
    r.notes.push_back(
        "Why the student scores above its teacher: the student starts from the teacher's weights, and a one-step x0 "
        "prediction of a network trained with an MSE objective approximates the posterior mean, which PSNR rewards, "
        "while "
        "the 15-step chain ends in one sample of the learned posterior: sharper, with detail that is plausible but not "
        "the "
        "ground truth's, so its squared error is larger (up to twice the mean's, 3 dB, when the posterior is wide). "
        "Distillation moves the student towards the chain's outputs; " +
        std::to_string(train.steps) + " steps move it little.");
  if (sum.teacher_over_bicubic < 1.0)
    r.notes.push_back(
        "The teacher's margin over bicubic is what its training bought: the bundled demo teacher was trained for "
        "minutes on "
        "2 CPU cores (models/demo-teacher-x2.md), so it is far from converged; a longer run of sinsr train-teacher (or "
        "one "
        "on a GPU) is what raises it.");
  // A mean over a few crops can hide that the chain loses to bicubic on some of them; say so.
  int64_t teacher_below_bicubic = 0;
  for (const DemoImage& im : r.images) teacher_below_bicubic += im.psnr[1] < im.psnr[0];
  if (teacher_below_bicubic > 0)
    r.notes.push_back(
        "On " + std::to_string(teacher_below_bicubic) + " of " + std::to_string(r.images.size()) +
        " held-out images the teacher scores below bicubic (table above). The margins are largest where the LR is "
        "noisiest, since bicubic keeps all of its noise; on a clean, finely textured crop the chain's detail is a "
        "plausible sample, not the ground truth's, and PSNR can rank it below a smooth interpolation.");
  r.total_seconds = seconds_since(start);
  write_demo_report(out.string(), r);
  std::cerr << "\n"
            << summary_text(r) << "demo: done in " << static_cast<int>(r.total_seconds)
            << " s; report: " << (out / "report.html").string() << "\n";
  return kExitOk;
}

}  // namespace sinsr::demo
