#include "eval/eval_run.h"
#include "core/util/config_file.h"

#include <torch/torch.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "core/diffusion/diffusion.h"
#include "core/diffusion/first_stage.h"
#include "core/dist/device.h"
#include "core/io/image_io.h"
#include "core/io/state_dict.h"
#include "core/nn/model_config.h"
#include "core/nn/resize.h"
#include "core/run/run_folder.h"
#include "core/sr/super_resolver.h"
#include "core/util/atomic_file.h"
#include "core/util/errors.h"
#include "core/util/json.h"
#include "core/util/seed.h"
#include "core/util/sha256.h"
#include "eval/image_scoring.h"

namespace fs = std::filesystem;

namespace sinsr::eval {

namespace {

void print_table(const std::vector<ScoreRow>& rows, const std::vector<std::string>& notes) {
  std::cout << std::left << std::setw(12) << "checkpoint" << std::setw(9) << "weights" << std::setw(9) << "metric"
            << std::setw(14) << "variant" << std::right << std::setw(12) << "mean" << std::setw(8) << "images"
            << "\n";
  for (const auto& r : rows)
    std::cout << std::left << std::setw(12) << r.checkpoint << std::setw(9) << r.weights << std::setw(9) << r.metric
              << std::setw(14) << r.variant << std::right << std::fixed << std::setprecision(5) << std::setw(12)
              << r.value << std::setw(8) << r.images << "\n";
  for (const auto& n : notes) std::cout << n << "\n";
  std::cout.unsetf(std::ios::fixed);
}

int error_count(const std::vector<ImageScores>& scores) {
  return static_cast<int>(
      std::count_if(scores.begin(), scores.end(), [](const ImageScores& s) { return !s.error.empty(); }));
}

std::string list_some(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size() && i < 5; ++i) out += (i ? ", " : "") + names[i];
  return names.size() > 5 ? out + ", ..." : out;
}

void report_unmatched(const Pairing& p) {
  if (!p.only_pred.empty())
    std::cerr << "eval: " << p.only_pred.size()
              << " output(s) without a reference, not scored: " << list_some(p.only_pred) << "\n";
  if (!p.only_ref.empty())
    std::cerr << "eval: " << p.only_ref.size() << " reference(s) without an output: " << list_some(p.only_ref) << "\n";
}

// ---- checkpoint mode ------------------------------------------------------------------------------------

struct Benchmark {
  std::string name, lq, gt, identity;
  std::vector<std::string> metrics, psnr_ssim_variants;
};

Benchmark load_benchmark(const std::string& path, const EvalConfig& eval) {
  if (!fs::is_regular_file(path))
    throw UsageError("--benchmark '" + path + "' does not exist (see configs/benchmarks/)");
  const BenchmarkConfig b = BenchmarkConfig::from_config(load_config(path));
  const fs::path dir = fs::path(path).parent_path();
  auto resolve = [&](const std::string& v) {
    return v.empty() || fs::path(v).is_absolute() ? v : (dir / v).lexically_normal().string();
  };
  Benchmark bm{b.name, resolve(b.lq), resolve(b.gt), "", {}, {}};
  if (bm.name.empty() || bm.lq.empty()) throw UsageError(path + ": [benchmark] needs name and lq");
  bm.metrics = b.metrics.empty() ? eval.metrics : b.metrics;
  bm.psnr_ssim_variants = b.psnr_ssim_variants.empty() ? eval.psnr_ssim_variants : b.psnr_ssim_variants;
  // What a cached score depends on besides the checkpoint: the benchmark's definition and the image list.
  std::string files;
  for (const auto& f : io::list_images(bm.lq)) files += fs::path(f).filename().string() + "\n";
  bm.identity = sha256_hex(read_file(path) + files);
  return bm;
}

std::vector<run::CheckpointFolder> list_checkpoints(const std::string& dir) {
  if (!fs::is_directory(dir)) throw UsageError("--checkpoints '" + dir + "' is not a folder (give RUN_DIR/ckpt)");
  std::vector<run::CheckpointFolder> out = run::list_checkpoints(dir);
  if (out.empty()) throw UsageError("no checkpoints (000000123/ folders) in '" + dir + "'");
  return out;
}

// cache.jsonl: one line per (key, metric, variant) -> value, images.
// Scores are appended one JSON line each (a run of many checkpoints writes thousands): a crash can
// leave only the last line torn, which the next run drops and rescores; any other bad line is an error.
class ScoreCache {
 public:
  explicit ScoreCache(std::string path) : path_(std::move(path)) {
    std::ifstream in(path_);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);)
      if (!line.empty()) lines.push_back(line);
    bool torn_tail = false;
    for (size_t i = 0; i < lines.size(); ++i) {
      try {
        entries_.push_back(Json::parse(lines[i]));
      } catch (const std::runtime_error& e) {
        if (i + 1 < lines.size())
          throw IntegrityError(path_ + ": line " + std::to_string(i + 1) + " is not a score (" + e.what() +
                               "); delete the file to rescore everything");
        torn_tail = true;
      }
    }
    if (torn_tail) {  // rewrite without it, so the next append starts on a line of its own
      std::cerr << "eval: " << path_ << ": dropped a torn last line (an interrupted run); it is rescored\n";
      std::string text;
      for (const Json& e : entries_) text += e.dump() + "\n";
      write_file_atomically(path_, text);
    }
  }
  const Json* find(const std::string& key, const std::string& metric, const std::string& variant) const {
    for (const Json& e : entries_)
      if (e["key"].as_string() == key && e["metric"].as_string() == metric && e["variant"].as_string() == variant)
        return &e;
    return nullptr;
  }
  // A score already cached (a partly cached checkpoint is rescored whole) is not appended twice.
  void add(const std::string& key, const ScoreRow& r) {
    if (find(key, r.metric, r.variant)) return;
    entries_.push_back(Json::object({{"key", Json::string(key)},
                                     {"metric", Json::string(r.metric)},
                                     {"variant", Json::string(r.variant)},
                                     {"value", Json::number(r.value)},
                                     {"images", Json::number(static_cast<double>(r.images))}}));
    std::ofstream out(path_, std::ios::app);
    out << entries_.back().dump() << '\n' << std::flush;
    if (!out) throw std::runtime_error("cannot append to " + path_ + " (disk full or read-only?)");
  }

 private:
  std::string path_;
  std::vector<Json> entries_;
};

// The centre crop_size x crop_size of an image file (enlarged `sf` times first, bicubic), written as PNG (atomically).
void write_centre_crop(const std::string& src, const std::string& dst, int64_t crop_size, int64_t sf = 1) {
  at::Tensor img = io::read_image(src).rgb;
  if (sf != 1) img = nn::upsample_bicubic(img, sf).clamp(0, 1);
  const int64_t w = std::min(crop_size, img.size(2)), h = std::min(crop_size, img.size(1));
  io::write_image(dst, img.narrow(1, (img.size(1) - h) / 2, h).narrow(2, (img.size(2) - w) / 2, w));
}

}  // namespace

int run_eval_folders(const EvalSettings& s, const dist::MpiContext& mpi) {
  const Pairing p = pair_by_stem(s.pred_dir, s.gt_dir);
  if (mpi.is_root()) report_unmatched(p);
  if (p.pairs.empty())
    throw UsageError("no output in '" + s.pred_dir + "' has a reference in '" + s.gt_dir + "' (paired by file stem)");
  const EvalConfig eval = EvalConfig::from_config(s.config);
  MetricSuite suite(eval, eval.metrics, eval.psnr_ssim_variants, !s.gt_dir.empty(), dist::rank_device(s.device, mpi));
  const auto scores = score_on_ranks(
      p.pairs,
      [&](const ImagePair& pair) {
        return suite.score(read_rgb_u8(pair.pred), pair.ref.empty() ? at::Tensor() : read_rgb_u8(pair.ref));
      },
      mpi, "images", eval.peer_timeout);
  if (!mpi.is_root()) return kExitOk;
  ScoreRow base;
  base.checkpoint = fs::path(s.pred_dir).lexically_normal().filename().string();
  const std::vector<ScoreRow> rows = mean_rows(base, suite.columns(), scores);
  print_table(rows, suite.notes());
  if (!s.out_dir.empty()) {
    fs::create_directories(s.out_dir);
    write_results_csv((fs::path(s.out_dir) / "results.csv").string(), rows);
    write_results_json((fs::path(s.out_dir) / "results.json").string(), rows);
    write_per_image_csv((fs::path(s.out_dir) / "per_image.csv").string(), suite.columns(), scores);
    std::cerr << "eval: results.csv, results.json, per_image.csv in " << s.out_dir << "\n";
  }
  const int errors = error_count(scores);
  if (errors) std::cerr << "eval: " << errors << " image(s) could not be scored (see above)\n";
  return errors ? kExitFailure : kExitOk;
}

// The cache key of one checkpoint's weights on a benchmark, decided by the root so every rank takes the same branch.
// Half precision gives other outputs, so other scores (fp32 keeps the keys of caches made before it existed).
std::string score_key(const std::string& weights_path, const Benchmark& bm, uint64_t seed, Precision precision,
                      const dist::MpiContext& mpi) {
  return mpi.broadcast(mpi.is_root()
                           ? sha256_file(weights_path) + "|" + bm.identity + "|" + std::to_string(seed) +
                                 (precision == Precision::Fp32 ? "" : std::string("|") + precision_name(precision))
                           : "");
}

// Every column of `suite` from the cache, or nothing when any is missing (then the weights are scored again).
std::vector<ScoreRow> cached_rows(const ScoreCache& cache, const std::string& key, const MetricSuite& suite,
                                  const ScoreRow& base) {
  std::vector<ScoreRow> rows;
  for (const auto& c : suite.columns()) {
    const Json* e = cache.find(key, c.metric, c.variant);
    if (!e) return {};
    ScoreRow r = base;
    r.metric = c.metric, r.variant = c.variant, r.higher_is_better = c.higher_is_better;
    r.value = (*e)["value"].as_number(), r.images = (*e)["images"].as_int();
    rows.push_back(r);
  }
  return rows;
}

// Side-by-side centre crops of `pairs`: LR (bicubic), the teacher's chain when `teacher_dir` holds it, the last
// checkpoint's student and EMA, the reference. Written under OUT/crops/.
std::vector<CropSet> write_crops(const std::vector<ImagePair>& pairs, const fs::path& out, const fs::path& outputs,
                                 const fs::path& teacher_dir, const run::CheckpointFolder& last,
                                 const DiffusionConfig& diffusion, int64_t crop_size) {
  std::vector<CropSet> crops;
  fs::create_directories(out / "crops");
  for (const ImagePair& pair : pairs) {
    CropSet set{fs::path(pair.pred).filename().string(), {}};
    auto panel = [&](const std::string& label, const std::string& file, const std::string& src, int64_t sf = 1) {
      const std::string rel = "crops/" + pair.name + "-" + file + ".png";
      write_centre_crop(src, (out / rel).string(), crop_size, sf);
      set.panels.push_back({label, rel});
    };
    panel("LR (bicubic x" + std::to_string(diffusion.sf) + ")", "lr", pair.pred, diffusion.sf);
    if (fs::exists(teacher_dir / (pair.name + ".png")))
      panel("teacher (" + std::to_string(diffusion.steps) + " steps)", "teacher",
            (teacher_dir / (pair.name + ".png")).string());
    for (const std::string weights : run::kWeightNames)
      panel(weights + " (1 step, " + last.name + ")", weights,
            (outputs / (last.name + "-" + weights) / (pair.name + ".png")).string());
    if (!pair.ref.empty()) panel("reference", "gt", pair.ref);
    crops.push_back(set);
  }
  return crops;
}

int run_eval_checkpoints(const EvalSettings& s, const dist::MpiContext& mpi) {
  const Config& cfg = s.config;
  const EvalConfig eval = EvalConfig::from_config(cfg);
  const Benchmark bm = load_benchmark(s.benchmark_path, eval);
  const Pairing p = pair_by_stem(bm.lq, bm.gt);
  if (mpi.is_root()) report_unmatched(p);
  const std::vector<run::CheckpointFolder> ckpts = list_checkpoints(s.checkpoints_dir);
  const c10::Device device = dist::rank_device(s.device, mpi);
  MetricSuite suite(eval, bm.metrics, bm.psnr_ssim_variants, !bm.gt.empty(), device);
  const fs::path out(s.out_dir);
  const double peer_timeout = eval.peer_timeout;
  if (mpi.is_root()) fs::create_directories(out);
  mpi.barrier(peer_timeout);
  ScoreCache cache((out / "cache.jsonl").string());

  const Precision precision = parse_precision(eval.precision, "eval.precision");
  check_precision(precision, device, "eval.precision");
  nn::UNetModelSwin unet(UNetConfig::from_config(cfg));
  unet->to(device);
  unet->set_inference_precision(precision);
  const Diffusion diffusion(DiffusionConfig::from_config(cfg),
                            load_first_stage(cfg, s.autoencoder_path, device, precision));
  auto super_resolve = [&](const std::vector<ImagePair>& pairs, const std::string& weights, int64_t steps,
                           const fs::path& dir) {
    io::load_weights(*unet, weights);
    sr::SuperResolveOptions opt;
    opt.steps = steps;
    sr::SuperResolver sr(unet, diffusion, opt);
    if (mpi.is_root()) fs::create_directories(dir);
    mpi.barrier(peer_timeout);
    return score_on_ranks(
        pairs,
        [&](const ImagePair& pair) {
          const io::LoadedImage lq = io::read_image(pair.pred);
          // The noise of an image depends on the seed and its file name, exactly as in sinsr infer.
          const uint64_t key = derive_seed(s.seed, "infer", fs::path(pair.pred).filename().string());
          const at::Tensor result = sr.upscale(lq.rgb, key);
          io::write_image((dir / (pair.name + ".png")).string(), result);
          return suite.score(io::to_uint8(result).permute({1, 2, 0}).contiguous(),
                             pair.ref.empty() ? at::Tensor() : read_rgb_u8(pair.ref));
        },
        mpi, "images", peer_timeout);
  };

  std::vector<ScoreRow> rows;
  int errors = 0;
  const fs::path outputs = out / "outputs" / bm.name;
  for (const run::CheckpointFolder& ck : ckpts) {
    for (const std::string weights : run::kWeightNames) {
      const std::string pth = (fs::path(ck.dir) / (weights + ".pth")).string();
      ScoreRow base;
      base.checkpoint = ck.name;
      base.step = ck.step;
      base.weights = weights;
      base.benchmark = bm.name;
      const std::string key = score_key(pth, bm, s.seed, precision, mpi);
      const std::vector<ScoreRow> cached = cached_rows(cache, key, suite, base);
      if (!cached.empty()) {
        if (mpi.is_root()) std::cerr << "eval: " << ck.name << " " << weights << ": cached\n";
        rows.insert(rows.end(), cached.begin(), cached.end());
        continue;
      }
      if (mpi.is_root()) std::cerr << "eval: " << ck.name << " " << weights << " on " << bm.name << "\n";
      const auto scores = super_resolve(p.pairs, pth, 1, outputs / (ck.name + "-" + weights));
      if (!mpi.is_root()) continue;
      errors += error_count(scores);
      for (const ScoreRow& r : mean_rows(base, suite.columns(), scores)) {
        rows.push_back(r);
        cache.add(key, r);
      }
    }
  }

  // Side-by-side crops of the first images: LR (bicubic), the teacher's full chain if given, the latest
  // checkpoint's student and EMA, the reference.
  const auto n_crops = std::min<size_t>(static_cast<size_t>(eval.crops), p.pairs.size());
  const std::vector<ImagePair> crop_pairs(p.pairs.begin(), p.pairs.begin() + static_cast<std::ptrdiff_t>(n_crops));
  // Keyed by the teacher file's hash: a rerun with the same teacher reuses its outputs.
  const std::string teacher_key =
      s.teacher_path.empty() ? "" : mpi.broadcast(mpi.is_root() ? sha256_file(s.teacher_path).substr(0, 12) : "");
  const fs::path teacher_dir = outputs / ("teacher-" + teacher_key);
  const bool teacher_done = std::all_of(crop_pairs.begin(), crop_pairs.end(), [&](const ImagePair& pair) {
    return fs::exists(teacher_dir / (pair.name + ".png"));
  });
  if (!s.teacher_path.empty() && n_crops > 0 && !teacher_done) {
    if (mpi.is_root())
      std::cerr << "eval: teacher (" << diffusion.config().steps << " steps) on " << n_crops
                << " image(s) for the crops\n";
    super_resolve(crop_pairs, s.teacher_path, diffusion.config().steps, teacher_dir);
  }
  if (!mpi.is_root()) return kExitOk;
  const std::vector<CropSet> crops =
      write_crops(crop_pairs, out, outputs, teacher_dir, ckpts.back(), diffusion.config(), eval.crop_size);
  write_results_csv((out / "results.csv").string(), rows);
  write_results_json((out / "results.json").string(), rows);
  const std::vector<MetricPlot> plots = write_metric_plots((out / "plots").string(), rows);
  write_html_report((out / "report.html").string(), "sinsr eval: " + bm.name + " (" + s.checkpoints_dir + ")", rows,
                    plots, crops);
  print_table(rows, suite.notes());
  std::cerr << "eval: " << rows.size() << " result row(s); " << (out / "report.html").string() << "\n";
  if (errors) std::cerr << "eval: " << errors << " image(s) could not be scored (see above)\n";
  return errors ? kExitFailure : kExitOk;
}

}  // namespace sinsr::eval
