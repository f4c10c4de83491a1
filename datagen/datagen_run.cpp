#include "datagen/datagen_run.h"

#include <chrono>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <map>
#include <set>

#include "core/data/pair_loader.h"
#include "core/diffusion/first_stage.h"
#include "core/dist/device.h"
#include "core/dist/device_memory.h"
#include "core/io/state_dict.h"
#include "core/nn/model_config.h"
#include "core/pairs/manifest.h"
#include "core/pairs/pair_shard.h"
#include "core/pairs/teacher_pairs.h"
#include "core/util/errors.h"
#include "core/util/progress.h"
#include "core/util/serial_worker.h"
#include "core/util/sha256.h"
#include "core/util/signals.h"
#include "core/util/stop_marker.h"
#include "core/util/stopwatch.h"
#include "datagen/datagen_config.h"

namespace fs = std::filesystem;

namespace sinsr::datagen {

using pairs::ShardRange;

namespace {

struct Identity {
  std::string teacher_sha256, autoencoder_sha256, content_sha256;
};

// Root only: the shards still to make, or a UsageError message when `dir` belongs to another data set.
std::string plan_remaining(const DatagenSettings& s, const Identity& id, const std::vector<ShardRange>& all,
                           std::vector<ShardRange>& todo) {
  const fs::path dir = s.out_dir;
  const std::string foreign =
      " was made with a different configuration or different weights than this run; use "
      "another --out, or remove it to start over";
  if (fs::exists(pairs::manifest_path(s.out_dir)) &&
      pairs::read_manifest(s.out_dir).content_sha256 != id.content_sha256)
    return pairs::manifest_path(s.out_dir) + foreign;
  std::map<int64_t, ShardRange> wanted;
  for (const ShardRange& r : all) wanted[r.first] = r;
  std::set<int64_t> complete;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (!pairs::is_shard_file_name(name)) continue;
    pairs::ShardIdentity sid;
    try {
      sid = pairs::read_shard_identity(e.path().string());
    } catch (const std::exception&) {
      continue;  // unreadable: regenerated below if it is one of ours, reported by datagen-verify otherwise
    }
    if (sid.schema != pairs::kSchema || sid.content_sha256 != id.content_sha256) return e.path().string() + foreign;
    auto it = wanted.find(sid.first_index);
    if (it != wanted.end() && it->second.count == sid.count && name == pairs::shard_file_name(sid.first_index))
      complete.insert(sid.first_index);
  }
  for (const ShardRange& r : all)
    if (!complete.count(r.first)) todo.push_back(r);
  return "";
}

// A shard never holds a NaN or an infinity: a broken teacher or autoencoder stops the run (exit 3) before
// the batch reaches the disk, naming the first such sample.
void check_finite(const pairs::PairLatents& z, const at::Tensor& index, const std::string& teacher_path) {
  for (const auto& [name, t] : {std::pair<const char*, const at::Tensor&>{"x_T", z.x_T},
                                {"z_teacher", z.z_teacher},
                                {"z_y", z.z_y},
                                {"z_gt", z.z_gt}}) {
    const at::Tensor bad = (~t.isfinite()).flatten(1).any(1);
    if (!bad.any().item<bool>()) continue;
    const int64_t row = bad.nonzero()[0][0].item<int64_t>();
    throw IntegrityError("sample " + std::to_string(index[row].item<int64_t>()) + ": " + name +
                         " holds NaN or infinite values (teacher " + teacher_path +
                         "); its shard is not written: check the weights");
  }
}

void remove_temp_files(const std::string& dir, const std::string& shard_name_prefix) {
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (pairs::is_temp_shard_name(name) && name.rfind(shard_name_prefix, 0) == 0) fs::remove(e.path());
  }
}

// Rank 0 hashes the weights and checks the output folder; every rank learns its verdict (a UsageError on all of
// them) and the shards still to make.
struct Plan {
  Identity id;
  std::vector<ShardRange> todo;
  int64_t todo_samples() const {
    int64_t n = 0;
    for (const ShardRange& r : todo) n += r.count;
    return n;
  }
};

Plan agree_on_plan(const DatagenSettings& s, const std::vector<ShardRange>& all, bool pixel_space,
                   const dist::MpiContext& mpi) {
  Plan plan;
  std::string verdict;
  if (mpi.is_root()) {
    try {
      fs::create_directories(s.out_dir);
      clear_stop_marker(s.out_dir);
      std::cerr << "datagen: hashing " << s.teacher_path << (pixel_space ? "" : " and " + s.autoencoder_path) << "\n";
      plan.id.teacher_sha256 = sha256_file(s.teacher_path);
      plan.id.autoencoder_sha256 = pixel_space ? pairs::kNoAutoencoder : sha256_file(s.autoencoder_path);
      plan.id.content_sha256 = content_sha256(s.config, plan.id.teacher_sha256, plan.id.autoencoder_sha256);
      verdict = plan_remaining(s, plan.id, all, plan.todo);
    } catch (const std::exception& e) {
      verdict = e.what();
    }
  }
  verdict = mpi.broadcast(verdict);
  if (!verdict.empty()) throw UsageError(verdict);
  plan.id.teacher_sha256 = mpi.broadcast(plan.id.teacher_sha256);
  plan.id.autoencoder_sha256 = mpi.broadcast(plan.id.autoencoder_sha256);
  plan.id.content_sha256 = mpi.broadcast(plan.id.content_sha256);
  plan.todo = mpi.broadcast_structs(plan.todo);
  return plan;
}

// Round-robin over what is left, so a resumed run stays balanced.
std::vector<ShardRange> my_share(const std::vector<ShardRange>& todo, const dist::MpiContext& mpi) {
  std::vector<ShardRange> mine;
  for (size_t j = 0; j < todo.size(); ++j)
    if (static_cast<int>(j % static_cast<size_t>(mpi.size())) == mpi.rank()) mine.push_back(todo[j]);
  return mine;
}

// The teacher (and the autoencoder) on this rank's device at datagen.precision, as the pair computation.
pairs::TeacherPairs load_teacher_pairs(const DatagenSettings& s, const DatagenConfig& datagen_cfg, uint64_t data_seed,
                                       const FirstStage& first_stage, const c10::Device& device) {
  const Config& cfg = s.config;
  nn::UNetModelSwin teacher(UNetConfig::from_config(cfg));
  io::load_weights(*teacher, s.teacher_path);
  const Precision precision = parse_precision(datagen_cfg.precision, "datagen.precision");
  check_precision(precision, device, "datagen.precision");
  teacher->to(device);
  teacher->set_inference_precision(precision);
  first_stage.to(device, precision);
  return pairs::TeacherPairs(teacher, Diffusion(DiffusionConfig::from_config(cfg), first_stage), data_seed);
}

// Rank 0's one progress line for all ranks: the others' running totals arrive as reports, absorbed wherever
// they are received (a rank's last report may come while the root still generates, and must count then).
class ProgressBoard {
 public:
  ProgressBoard(int64_t total, const dist::MpiContext& mpi, double peer_timeout)
      : progress_(total, "pairs"), mpi_(mpi), peer_timeout_(peer_timeout) {}
  bool is_tty() const { return progress_.is_tty(); }
  void absorb(const dist::MpiContext::Report& r) { done_by_rank_[r.rank] = r.done; }
  // After each batch (every rank) and while waiting for the others (root).
  void show(int64_t my_done) {
    if (mpi_.is_root())
      for (const auto& r : mpi_.poll_reports()) absorb(r);
    mpi_.check_peers(peer_timeout_);  // after the poll: a report waiting in the queue is a sign of life
    if (!mpi_.is_root()) return;
    int64_t total = my_done;
    for (const auto& [rank, n] : done_by_rank_) total += n;
    if (total > shown_) progress_.advance(total - shown_), shown_ = total;
  }
  void finish() { progress_.finish(); }

 private:
  Progress progress_;
  const dist::MpiContext& mpi_;
  double peer_timeout_;
  std::map<int, int64_t> done_by_rank_;
  int64_t shown_ = 0;
};

// What each rank reports at the end, for the root's summary.
struct RankStats {
  int rank = 0;
  int64_t pairs = 0;
  double seconds = 0, peak_memory_mb = 0;
  bool stopped = false;
};

void print_rank_stats(const std::vector<RankStats>& stats) {
  for (const RankStats& r : stats)
    std::cerr << "  rank " << r.rank << ": " << r.pairs << " pairs in " << r.seconds << " s of generation, "
              << (r.seconds > 0 ? static_cast<double>(r.pairs) / r.seconds : 0.0) << " pairs/s, peak memory "
              << std::fixed << std::setprecision(0) << r.peak_memory_mb << std::defaultfloat << " MB\n";
}

// The manifest of a finished data set: how it was made, and every shard's size and checksum (earlier runs' too).
pairs::Manifest build_manifest(const DatagenSettings& s, const DatagenConfig& datagen_cfg, const Identity& id,
                               const std::vector<ShardRange>& all, const pairs::ShardAttributes& attrs,
                               bool pixel_space) {
  pairs::Manifest m;
  m.schema = pairs::kSchema;
  m.num_samples = s.num_samples;
  m.shard_size = datagen_cfg.shard_size;
  m.seed = attrs.seed;
  m.content_sha256 = id.content_sha256;
  m.teacher = {fs::absolute(s.teacher_path).string(), id.teacher_sha256};
  if (!pixel_space)
    m.autoencoder = pairs::WeightsRecord{fs::absolute(s.autoencoder_path).string(), id.autoencoder_sha256};
  m.config = attrs.config;
  m.generator = attrs.generator;
  for (const ShardRange& r : all) {
    const std::string file = pairs::shard_file_name(r.first), path = (fs::path(s.out_dir) / file).string();
    m.shards.push_back({file, r.first, r.count, static_cast<int64_t>(fs::file_size(path)), sha256_file(path)});
  }
  return m;
}

}  // namespace

int run_datagen(const DatagenSettings& s, const dist::MpiContext& mpi) {
  const Config& cfg = s.config;
  const DatagenConfig datagen_cfg = DatagenConfig::from_config(cfg);
  const data::HrDataConfig data = data::HrDataConfig::from_config(cfg);
  const auto start = Clock::now();
  const std::vector<ShardRange> all = plan_shards(s.num_samples, datagen_cfg.shard_size);
  // The autoencoder first: a wrong --autoencoder for the config's space is a usage error before any work.
  const FirstStage first_stage = load_first_stage(cfg, s.autoencoder_path, c10::kCPU);
  const bool pixel_space = !first_stage.is_latent();
  const Plan plan = agree_on_plan(s, all, pixel_space, mpi);
  const std::vector<ShardRange> mine = my_share(plan.todo, mpi);
  if (mpi.is_root())
    std::cerr << "datagen: " << s.num_samples << " samples in " << all.size() << " shard(s) of "
              << datagen_cfg.shard_size << "; " << all.size() - plan.todo.size() << " complete, " << plan.todo.size()
              << " to make on " << mpi.size() << " rank(s) into " << s.out_dir << "\n";

  // The teacher's device decides where the pairs are computed; shards always receive CPU tensors.
  const c10::Device device = dist::rank_device(s.device, mpi);
  pairs::TeacherPairs teacher_pairs =
      load_teacher_pairs(s, datagen_cfg, static_cast<uint64_t>(data.seed), first_stage, device);
  const data::PairSynthesizer synth = data::PairSynthesizer::from_config(
      cfg, [&](const std::string& line) { std::cerr << "rank " << mpi.rank() << ": " << line << "\n"; });
  const int64_t gt_size = synth.data_config().gt_size, lr = synth.lr_size();
  const pairs::SampleShapes shapes{{3, gt_size, gt_size}, {3, lr, lr}, latent_shape(cfg, gt_size)};
  pairs::ShardAttributes attrs;
  attrs.teacher_sha256 = plan.id.teacher_sha256;
  attrs.autoencoder_sha256 = plan.id.autoencoder_sha256;
  attrs.config = cfg.to_ini(kDatagenSections);
  attrs.content_sha256 = plan.id.content_sha256;
  attrs.seed = data.seed;
  attrs.generator = s.generator;
  const data::LoaderOptions loader_options{datagen_cfg.batch_size,
                                           data.workers > 0 ? static_cast<int>(data.workers) : 1,
                                           static_cast<int>(data.prefetch_batches)};
  ProgressBoard board(plan.todo_samples(), mpi, datagen_cfg.peer_timeout);
  const bool log_shards = !mpi.is_root() || !board.is_tty();
  int64_t done = 0;

  const auto generation_start = Clock::now();
  mpi.begin_phase();
  // Every HDF5 call runs on the disk thread, in order: the teacher computes the next batch while the last
  // one is written (a few batches may wait; a slow disk then slows the teacher down instead of filling RAM).
  SerialWorker disk(/*max_queued=*/4);
  // SIGTERM/SIGUSR1 (Slurm's preemption): this rank stops after the batch in hand; its unfinished shard is
  // dropped (the writer's temporary file goes with it), finished shards stay, and the run exits 75 so that a
  // rerun resumes. The manifest is written only by a run in which no rank stopped.
  install_stop_signal_handlers();
  for (const ShardRange& shard : mine) {
    if (stop_requested()) break;
    const auto t0 = Clock::now();
    auto writer = std::make_shared<std::unique_ptr<pairs::ShardWriter>>();
    disk.submit([&, shard, writer] {
      remove_temp_files(s.out_dir, pairs::shard_file_name(shard.first));  // a crashed attempt's leftovers
      *writer = std::make_unique<pairs::ShardWriter>(s.out_dir, shard, shapes, attrs);
    });
    data::PairLoader loader(synth, shard.first, shard.count, loader_options);
    int64_t row = 0;
    bool stopped = false;
    while (auto batch = loader.next()) {
      if ((stopped = stop_requested())) break;
      const pairs::PairLatents z = teacher_pairs.compute(*batch);
      check_finite(z, batch->index, s.teacher_path);
      disk.submit([writer, row, b = std::move(*batch), z] {
        (*writer)->write(row, b.index, b.gt, b.lq, z.x_T, z.z_teacher, z.z_y, z.z_gt);
      });
      row += z.x_T.size(0);
      done += z.x_T.size(0);
      mpi.post_report(done, false);
      mpi.post_heartbeat();
      board.show(done);
    }
    if (stopped) {
      disk.submit([writer] { writer->reset(); });  // uncommitted: the temporary file is removed
      break;
    }
    disk.submit([&, writer, shard, t0] {
      const std::string path = (*writer)->commit();
      writer->reset();
      if (log_shards)
        std::cerr << "rank " << mpi.rank() << ": " << fs::path(path).filename().string() << " done (" << shard.count
                  << " pairs, " << seconds_since(t0) << " s)\n";
    });
  }
  disk.drain();
  const double my_seconds = seconds_since(generation_start);
  mpi.post_report(done, true);
  mpi.finish_together(datagen_cfg.peer_timeout, [&](const dist::MpiContext::Report& r) {
    board.absorb(r);
    board.show(done);
  });
  if (mpi.is_root()) {
    board.show(done);
    board.finish();
  }

  const std::vector<RankStats> stats =
      mpi.gather_struct(RankStats{mpi.rank(), done, my_seconds, dist::peak_memory_mb(device), stop_requested()});
  bool any_stopped = false;
  for (const RankStats& r : stats) any_stopped = any_stopped || r.stopped;
  if (mpi.broadcast(any_stopped ? "stopped" : "") == "stopped") {
    if (mpi.is_root()) {
      write_stop_marker(s.out_dir, "datagen: stop signal, finished shards kept, no manifest yet");
      std::cerr << "datagen: stop signal: finished shards kept in " << s.out_dir
                << ", no manifest yet; exit 75 (rerun to "
                << "resume; " << (fs::path(s.out_dir) / kStopMarkerName).string() << " says so under any launcher)\n";
    }
    return kExitTempFail;
  }
  if (mpi.is_root()) {
    remove_temp_files(s.out_dir, "pairs-");
    const pairs::Manifest manifest = build_manifest(s, datagen_cfg, plan.id, all, attrs, pixel_space);
    pairs::write_manifest(s.out_dir, manifest);
    int64_t bytes = 0;
    for (const pairs::ManifestShard& shard : manifest.shards) bytes += shard.bytes;
    std::cerr << "datagen: " << s.num_samples << " pairs in " << all.size() << " shard(s), " << bytes / 1e6 << " MB, "
              << plan.todo_samples() << " made this run in " << format_duration(seconds_since(start)) << "\n";
    print_rank_stats(stats);
    std::cerr << "manifest: " << pairs::manifest_path(s.out_dir) << "\n";
  }
  return kExitOk;
}

}  // namespace sinsr::datagen
