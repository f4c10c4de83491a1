#include "datagen/datagen_run.h"

#include <chrono>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "core/data/pair_loader.h"
#include "core/diffusion/first_stage.h"
#include "core/dist/device.h"
#include "core/dist/device_memory.h"
#include "core/io/state_dict.h"
#include "core/nn/model_config.h"
#include "core/util/atomic_file.h"
#include "core/util/errors.h"
#include "core/util/json.h"
#include "core/util/progress.h"
#include "core/util/serial_worker.h"
#include "core/util/signals.h"
#include "core/util/stop_marker.h"
#include "core/util/sha256.h"
#include "core/util/stopwatch.h"
#include "datagen/pair_shard.h"
#include "datagen/teacher_pairs.h"

namespace fs = std::filesystem;

namespace sinsr::datagen {

namespace {

struct Identity {
  std::string teacher_sha256, autoencoder_sha256, content_sha256;
};

// Root only: the shards still to make, or a UsageError message when `dir` belongs to another data set.
std::string plan_remaining(const DatagenSettings& s, const Identity& id, const std::vector<ShardRange>& all,
                           std::vector<ShardRange>& todo) {
  const fs::path dir = s.out_dir;
  const std::string foreign = " was made with a different configuration or different weights than this run; use "
                              "another --out, or remove it to start over";
  if (fs::exists(dir / kManifestName)) {
    const Json m = Json::parse(read_file((dir / kManifestName).string()));
    if (m["content_sha256"].as_string() != id.content_sha256) return (dir / kManifestName).string() + foreign;
  }
  std::map<int64_t, ShardRange> wanted;
  for (const ShardRange& r : all) wanted[r.first] = r;
  std::set<int64_t> complete;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (name.rfind("pairs-", 0) != 0 || e.path().extension() != ".h5") continue;
    ShardIdentity sid;
    try {
      sid = read_shard_identity(e.path().string());
    } catch (const std::exception&) {
      continue;  // unreadable: regenerated below if it is one of ours, reported by datagen-verify otherwise
    }
    if (sid.schema != kSchema || sid.content_sha256 != id.content_sha256) return e.path().string() + foreign;
    auto it = wanted.find(sid.first_index);
    if (it != wanted.end() && it->second.count == sid.count && name == shard_file_name(sid.first_index))
      complete.insert(sid.first_index);
  }
  for (const ShardRange& r : all)
    if (!complete.count(r.first)) todo.push_back(r);
  return "";
}

std::string encode_ranges(const std::vector<ShardRange>& v) {
  std::ostringstream out;
  for (const ShardRange& r : v) out << r.first << " " << r.count << "\n";
  return out.str();
}

std::vector<ShardRange> decode_ranges(const std::string& text) {
  std::vector<ShardRange> v;
  std::istringstream in(text);
  ShardRange r;
  while (in >> r.first >> r.count) v.push_back(r);
  return v;
}

// A shard never holds a NaN or an infinity: a broken teacher or autoencoder stops the run (exit 3) before
// the batch reaches the disk, naming the first such sample.
void check_finite(const PairLatents& z, const at::Tensor& index, const std::string& teacher_path) {
  for (const auto& [name, t] : {std::pair<const char*, const at::Tensor&>{"x_T", z.x_T}, {"z_teacher", z.z_teacher},
                                {"z_y", z.z_y}, {"z_gt", z.z_gt}}) {
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
    if (is_temp_shard_name(name) && name.rfind(shard_name_prefix, 0) == 0) fs::remove(e.path());
  }
}

}  // namespace

int run_datagen(const DatagenSettings& s, const dist::MpiContext& mpi) {
  const Config& cfg = s.config;
  const auto start = Clock::now();
  const std::vector<ShardRange> all = plan_shards(s.num_samples, cfg.integer("datagen.shard_size"));
  const int64_t batch_size = cfg.integer("datagen.batch_size");

  // The autoencoder first: a wrong --autoencoder for the config's space is a usage error before any work.
  nn::VQModelTorch vq = load_first_stage(cfg, s.autoencoder_path, c10::kCPU);

  // Root hashes the weights and checks the folder; everyone learns the verdict and the work list.
  Identity id;
  std::string verdict, todo_text;
  if (mpi.is_root()) {
    try {
      fs::create_directories(s.out_dir);
      clear_stop_marker(s.out_dir);
      std::cerr << "datagen: hashing " << s.teacher_path << (vq.is_empty() ? "" : " and " + s.autoencoder_path) << "\n";
      id.teacher_sha256 = sha256_file(s.teacher_path);
      id.autoencoder_sha256 = vq.is_empty() ? "none (pixel space)" : sha256_file(s.autoencoder_path);
      id.content_sha256 = content_sha256(cfg, id.teacher_sha256, id.autoencoder_sha256);
      std::vector<ShardRange> todo;
      verdict = plan_remaining(s, id, all, todo);
      todo_text = encode_ranges(todo);
    } catch (const std::exception& e) {
      verdict = e.what();
    }
  }
  verdict = mpi.broadcast(verdict);
  if (!verdict.empty()) throw UsageError(verdict);
  id.teacher_sha256 = mpi.broadcast(id.teacher_sha256);
  id.autoencoder_sha256 = mpi.broadcast(id.autoencoder_sha256);
  id.content_sha256 = mpi.broadcast(id.content_sha256);
  const std::vector<ShardRange> todo = decode_ranges(mpi.broadcast(todo_text));
  std::vector<ShardRange> mine;  // round-robin over what is left, so a resume stays balanced
  for (size_t j = 0; j < todo.size(); ++j)
    if (static_cast<int>(j % static_cast<size_t>(mpi.size())) == mpi.rank()) mine.push_back(todo[j]);
  int64_t todo_samples = 0;
  for (const ShardRange& r : todo) todo_samples += r.count;
  if (mpi.is_root())
    std::cerr << "datagen: " << s.num_samples << " samples in " << all.size() << " shard(s) of "
              << cfg.integer("datagen.shard_size") << "; " << all.size() - todo.size() << " complete, " << todo.size()
              << " to make on " << mpi.size() << " rank(s) into " << s.out_dir << "\n";

  // Networks and data.
  nn::UNetModelSwin teacher(UNetConfig::from_config(cfg));
  io::load_weights(*teacher, s.teacher_path);
  // The teacher's device decides where TeacherPairs computes; shards always receive CPU tensors.
  const c10::Device device = dist::rank_device(s.device, mpi);
  const Precision precision = parse_precision(cfg.str("datagen.precision"), "datagen.precision");
  check_precision(precision, device, "datagen.precision");
  teacher->to(device);
  teacher->set_precision(precision);
  if (!vq.is_empty()) {
    vq->to(device);
    vq->set_precision(precision);
  }
  const data::PairSynthesizer synth = data::PairSynthesizer::from_config(cfg, [&](const std::string& line) {
    std::cerr << "rank " << mpi.rank() << ": " << line << "\n";
  });
  const auto seed = static_cast<uint64_t>(cfg.integer("data.seed"));
  TeacherPairs pairs(teacher, vq, Diffusion(DiffusionConfig::from_config(cfg)), seed);
  const int64_t gt_size = synth.data_config().gt_size, lr = synth.lr_size();
  const SampleShapes shapes{{3, gt_size, gt_size}, {3, lr, lr}, latent_shape(cfg, gt_size)};
  ShardAttributes attrs;
  attrs.teacher_sha256 = id.teacher_sha256;
  attrs.autoencoder_sha256 = id.autoencoder_sha256;
  attrs.config = cfg.to_ini(kDatagenSections);
  attrs.content_sha256 = id.content_sha256;
  attrs.seed = static_cast<int64_t>(seed);
  attrs.generator = s.generator;
  const int workers = static_cast<int>(cfg.integer("data.workers"));
  const data::LoaderOptions loader_options{batch_size, workers > 0 ? workers : 1,
                                           static_cast<int>(cfg.integer("data.prefetch_batches"))};

  // Rank 0 aggregates everyone's counts into one progress line; the others report after each batch.
  Progress progress(todo_samples, "pairs");
  std::map<int, int64_t> done_by_rank;
  int64_t done = 0, shown = 0;
  // Every report is absorbed here, wherever it is received: a rank's last report may arrive while the
  // root is still generating, and must count then.
  auto absorb = [&](const dist::MpiContext::Report& r) {
    done_by_rank[r.rank] = r.done;
  };
  const double peer_timeout = cfg.real("datagen.peer_timeout");
  auto show = [&] {
    if (mpi.is_root())
      for (const auto& r : mpi.poll_reports()) absorb(r);
    mpi.check_peers(peer_timeout);  // after the poll: a report waiting in the queue is a sign of life
    if (!mpi.is_root()) return;
    int64_t total = done;
    for (const auto& [rank, n] : done_by_rank) total += n;
    if (total > shown) progress.advance(total - shown), shown = total;
  };
  const auto generation_start = Clock::now();
  mpi.begin_phase();
  // Every HDF5 call runs on the disk thread, in order: the teacher computes the next batch while the last
  // one is written (a few batches may wait; a slow disk then slows the teacher down instead of filling RAM).
  SerialWorker disk(/*max_queued=*/4);
  const bool log_shards = !mpi.is_root() || !progress.is_tty();
  // SIGTERM/SIGUSR1 (Slurm's preemption): this rank stops after the batch in hand; its unfinished shard is
  // dropped (the writer's temporary file goes with it), finished shards stay, and the run exits 75 so that a
  // rerun resumes. The manifest is written only by a run in which no rank stopped.
  install_stop_signal_handlers();
  for (const ShardRange& shard : mine) {
    if (stop_requested()) break;
    const auto t0 = Clock::now();
    auto writer = std::make_shared<std::unique_ptr<ShardWriter>>();
    disk.submit([&, shard, writer] {
      remove_temp_files(s.out_dir, shard_file_name(shard.first));  // a crashed attempt's leftovers
      *writer = std::make_unique<ShardWriter>(s.out_dir, shard, shapes, attrs);
    });
    data::PairLoader loader(synth, shard.first, shard.count, loader_options);
    int64_t row = 0;
    bool stopped = false;
    while (auto batch = loader.next()) {
      if ((stopped = stop_requested())) break;
      const PairLatents z = pairs.compute(*batch);
      check_finite(z, batch->index, s.teacher_path);
      disk.submit([writer, row, b = std::move(*batch), z] {
        (*writer)->write(row, b.index, b.gt, b.lq, z.x_T, z.z_teacher, z.z_y, z.z_gt);
      });
      row += z.x_T.size(0);
      done += z.x_T.size(0);
      mpi.post_report(done, false);
      mpi.post_heartbeat();
      show();
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
  mpi.finish_together(peer_timeout, [&](const dist::MpiContext::Report& r) {
    absorb(r);
    show();
  });
  if (mpi.is_root()) {
    show();
    progress.finish();
  }

  // Per-rank statistics to the root, then the manifest (every shard's checksum, including earlier runs').
  std::ostringstream stats;
  stats << mpi.rank() << " " << done << " " << my_seconds << " " << dist::peak_memory_mb(device) << " "
        << (stop_requested() ? 1 : 0);
  const std::vector<std::string> rank_stats = mpi.gather(stats.str());
  bool any_stopped = false;
  for (const std::string& line : rank_stats) any_stopped = any_stopped || line.back() == '1';
  if (mpi.broadcast(any_stopped ? "stopped" : "") == "stopped") {
    if (mpi.is_root()) {
      write_stop_marker(s.out_dir, "datagen: stop signal, finished shards kept, no manifest yet");
      std::cerr << "datagen: stop signal: finished shards kept in " << s.out_dir << ", no manifest yet; exit 75 (rerun to "
                << "resume; " << (fs::path(s.out_dir) / kStopMarkerName).string() << " says so under any launcher)\n";
    }
    return kExitTempFail;
  }
  if (mpi.is_root()) {
    remove_temp_files(s.out_dir, "pairs-");
    Json shards = Json::array();
    int64_t bytes = 0;
    for (const ShardRange& r : all) {
      const std::string path = (fs::path(s.out_dir) / shard_file_name(r.first)).string();
      const auto size = static_cast<int64_t>(fs::file_size(path));
      bytes += size;
      Json j = Json::object();
      j.set("file", Json::string(shard_file_name(r.first)));
      j.set("first_index", Json::number(static_cast<double>(r.first)));
      j.set("count", Json::number(static_cast<double>(r.count)));
      j.set("bytes", Json::number(static_cast<double>(size)));
      j.set("sha256", Json::string(sha256_file(path)));
      shards.push_back(j);
    }
    Json m = Json::object();
    m.set("schema", Json::string(kSchema));
    m.set("num_samples", Json::number(static_cast<double>(s.num_samples)));
    m.set("shard_size", Json::number(static_cast<double>(cfg.integer("datagen.shard_size"))));
    m.set("seed", Json::number(static_cast<double>(seed)));
    m.set("content_sha256", Json::string(id.content_sha256));
    m.set("teacher", Json::object({{"path", Json::string(fs::absolute(s.teacher_path).string())},
                                   {"sha256", Json::string(id.teacher_sha256)}}));
    m.set("autoencoder", vq.is_empty() ? Json()
                                       : Json::object({{"path", Json::string(fs::absolute(s.autoencoder_path).string())},
                                                       {"sha256", Json::string(id.autoencoder_sha256)}}));
    m.set("config", Json::string(attrs.config));
    m.set("generator", Json::string(attrs.generator));
    m.set("shards", shards);
    write_file_atomically((fs::path(s.out_dir) / kManifestName).string(), m.dump(2) + "\n");
    const double secs = seconds_since(start);
    std::cerr << "datagen: " << s.num_samples << " pairs in " << all.size() << " shard(s), " << bytes / 1e6 << " MB, "
              << todo_samples << " made this run in " << format_duration(secs) << "\n";
    for (const std::string& line : rank_stats) {
      std::istringstream in(line);
      int rank = 0;
      int64_t n = 0;
      double t = 0, peak_mb = 0;
      in >> rank >> n >> t >> peak_mb;
      std::cerr << "  rank " << rank << ": " << n << " pairs in " << t << " s of generation, "
                << (t > 0 ? static_cast<double>(n) / t : 0.0) << " pairs/s, peak memory " << std::fixed
                << std::setprecision(0) << peak_mb << std::defaultfloat << " MB\n";
    }
    std::cerr << "manifest: " << (fs::path(s.out_dir) / kManifestName).string() << "\n";
  }
  return kExitOk;
}

}  // namespace sinsr::datagen
