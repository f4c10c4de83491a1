#include "trainer/train_loop.h"

#include <torch/torch.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <optional>
#include <thread>

#include "core/dist/communicator.h"
#include "core/dist/device.h"
#include "core/dist/device_memory.h"
#include "core/dist/grad_sync.h"
#include "core/run/run_folder.h"
#include "core/util/atomic_file.h"
#include "core/util/errors.h"
#include "core/util/progress.h"
#include "core/util/signals.h"
#include "core/util/stop_marker.h"
#include "core/util/stopwatch.h"
#include "trainer/checkpoint.h"
#include "trainer/ema.h"
#include "trainer/lr_schedule.h"
#include "trainer/metrics_log.h"

namespace fs = std::filesystem;

namespace sinsr::train {

namespace {

// Gives up when no step finishes for `timeout` seconds: a peer that died leaves the others blocked in a
// collective forever, and some launchers do not kill the rest of the job.
class Watchdog {
 public:
  Watchdog(double timeout, int rank, std::string command)
      : timeout_(timeout), rank_(rank), command_(std::move(command)), last_(now()) {
    thread_ = std::thread([this] {
      while (!done_) {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        if (!done_ && now() - last_ > timeout_) {
          std::cerr << "sinsr " << command_ << ": rank " << rank_ << ": no step finished for " << timeout_
                    << " s (a peer rank died or hangs); giving up\n";
          std::_Exit(kExitFailure);
        }
      }
    });
  }
  ~Watchdog() {
    done_ = true;
    thread_.join();
  }
  void alive() { last_ = now(); }

 private:
  static double now() { return std::chrono::duration<double>(Clock::now().time_since_epoch()).count(); }
  double timeout_;
  int rank_;
  std::string command_;
  std::atomic<double> last_;
  std::atomic<bool> done_{false};
  std::thread thread_;
};

// Reading the stop vote is a host sync: every step costs nothing on a CPU, but stalls a GPU's queue.
int64_t stop_vote_interval(const TrainConfig& train, const at::Device& device) {
  if (train.stop_check_every > 0) return train.stop_check_every;
  return device.is_cuda() ? 10 : 1;
}

// Warm-up, then the rate halves after each milestone past it.
LrSchedule lr_schedule(const TrainConfig& train) {
  std::vector<int64_t> later;
  for (int64_t m : train.milestones)
    if (m > train.warmup) later.push_back(m);
  return LrSchedule{train.lr, train.warmup, later};
}

// The step to continue after: that of RUN_DIR's latest checkpoint, whose weights, EMA and optimizer state
// are loaded (0 without one). A checkpoint of another global batch or data set is refused.
int64_t resume(const LoopSettings& s, int64_t global_batch, const std::string& data_identity,
               nn::UNetModelSwinImpl& net, Ema& ema, torch::optim::Optimizer& optimizer, const at::Device& device,
               bool is_root) {
  const std::optional<std::string> latest = run::latest_checkpoint(s.run_dir);
  if (!latest) return 0;
  const CheckpointState st = load_checkpoint(*latest, net, ema.state(), optimizer, device);
  if (st.info["global_batch"].as_int() != global_batch || st.info["data_identity"].as_string() != data_identity)
    throw UsageError(*latest + " was made with another global batch or data set; use another --out");
  if (is_root) std::cerr << s.command << ": resuming from " << *latest << " (step " << st.step << ")\n";
  return st.step;
}

// RUN_DIR exists, records its configuration, and no longer says that an earlier run stopped.
void open_run_folder(const LoopSettings& s) {
  fs::create_directories(s.run_dir);
  clear_stop_marker(s.run_dir);
  write_file_atomically((fs::path(s.run_dir) / "config.ini").string(), s.recorded_config);
}

// The root's last words when a non-finite gradient stops the run (train.nonfinite = abort).
void report_nonfinite_abort(const LoopSettings& s, int64_t step) {
  std::cerr << s.command << ": NaN or infinite gradient at step " << step << " (train.nonfinite = abort): stopped "
            << "without checkpointing it; the last checkpoint stays (train.nonfinite=skip skips such steps)\n";
}

// The root's last words on a stop signal, after the checkpoint: the STOPPED marker says "requeue me" to any
// launcher.
void report_stop_signal(const LoopSettings& s, int64_t step) {
  const fs::path run_dir(s.run_dir);
  write_stop_marker(s.run_dir, s.command + ": stop signal, checkpointed step " + std::to_string(step));
  std::cerr << s.command << ": stop signal: checkpointed step " << step << " to "
            << (run_dir / run::kCheckpointsFolder).string() << "; exit 75 (requeue; "
            << (run_dir / kStopMarkerName).string() << " says so under any launcher)\n";
}

// What a checkpoint's state.json records besides the step: what a resume checks, and how the run was made.
Json checkpoint_info(const LoopSettings& s, double lr, int64_t global_batch, int ranks, const std::string& identity) {
  Json info = Json::object();
  info.set("lr", Json::number(lr));
  info.set("global_batch", Json::number(static_cast<double>(global_batch)));
  info.set("ranks", Json::number(ranks));
  info.set("seed", Json::number(static_cast<double>(s.train.seed)));
  info.set("data_identity", Json::string(identity));
  info.set("config", Json::string(s.recorded_config));
  return info;
}

at::Tensor total_grad_norm(const std::vector<at::Tensor>& params) {
  std::vector<at::Tensor> norms;
  for (const at::Tensor& p : params) norms.push_back(p.grad().detach().pow(2).sum());
  return at::stack(norms).sum().sqrt();
}

}  // namespace

int run_training_loop(const LoopSettings& s, nn::UNetModelSwin net, Objective& objective, const at::Device& device,
                      const dist::MpiContext& mpi) {
  auto comm = dist::make_communicator(mpi, device);
  const int R = comm->size(), rank = comm->rank();
  // load_config has checked every value against its key's rule (intervals >= 1, lr > 0, ...).
  const TrainConfig& train = s.train;
  const int64_t steps = train.steps, B = train.batch_size, micro = train.microbatch;
  if (B % R)
    throw UsageError("train.batch_size (" + std::to_string(B) + ") must be a multiple of the rank count (" +
                     std::to_string(R) + ")");
  const int64_t per_rank = B / R;
  const int64_t stop_every = stop_vote_interval(train, device);
  const bool skip_nonfinite = train.nonfinite == "skip";
  const LrSchedule schedule = lr_schedule(train);
  const std::vector<std::string> terms = objective.terms();
  const auto T = static_cast<int64_t>(terms.size());

  net->to(device);
  std::vector<at::Tensor> params = net->parameters(), all_tensors = params;
  for (const auto& b : net->buffers()) all_tensors.push_back(b);
  torch::optim::AdamW optimizer(
      params,
      torch::optim::AdamWOptions(schedule.at(1)).betas({0.9, 0.999}).eps(1e-8).weight_decay(train.weight_decay));
  Ema ema(*net, train.ema_rate);
  dist::GradientSync grad_sync(params, *comm, dist::parse_grad_sync_mode(train.grad_sync, "train.grad_sync"),
                               static_cast<size_t>(train.bucket_mb * 1024 * 1024));

  const fs::path run_dir(s.run_dir);
  const int64_t start = resume(s, B, objective.identity(), *net, ema, optimizer, device, mpi.is_root());
  dist::broadcast_tensors(all_tensors, *comm);
  if (mpi.is_root()) {
    open_run_folder(s);
    std::cerr << s.command << ": " << steps << " steps, global batch " << B << " (" << R << " rank(s) x " << per_rank
              << ", micro-batch " << std::min(micro, per_rank) << "), " << objective.describe() << ", communicator "
              << comm->name() << " (gradients: " << train.grad_sync << ", " << grad_sync.bucket_count()
              << " bucket(s) of " << train.bucket_mb << " MiB), device " << device.str() << "\n";
  }

  install_stop_signal_handlers();
  Watchdog watchdog(train.peer_timeout, rank, s.command);
  Progress progress(steps - start, "steps");
  std::optional<MetricsLog> log;
  if (mpi.is_root()) log.emplace(s.run_dir, terms, start);
  auto checkpoint = [&](int64_t step) {
    if (mpi.is_root())
      save_checkpoint(s.run_dir, {step, checkpoint_info(s, schedule.at(step), B, R, objective.identity())}, *net,
                      ema.state(), optimizer, static_cast<int>(train.keep_ckpts));
    mpi.barrier();
  };

  net->train();
  double window_seconds = 0, window_data = 0;
  int64_t window_steps = 0, skipped_steps = 0;
  // The first step whose gradient (first_bad) or this rank's own loss (my_first_bad) was not finite; 0: none.
  at::Tensor first_bad = at::zeros({1}, at::TensorOptions().dtype(at::kLong).device(device)),
             my_first_bad = first_bad.clone();
  for (int64_t step = start + 1; step <= steps; ++step) {
    const auto t0 = Clock::now();
    const StagedBatch staged =
        objective.load(step, B, rank, per_rank, device);  // this rank's slice of the global batch
    window_data += seconds_since(t0);
    optimizer.zero_grad();
    at::Tensor sums = at::zeros({T}, at::TensorOptions().device(device));  // each term summed over this rank's samples
    for (int64_t m0 = 0; m0 < per_rank; m0 += micro) {
      const int64_t n = std::min(micro, per_rank - m0);
      const at::Tensor l = objective.losses(*net, staged.slice(m0, n));
      // Only the last micro-batch's backward communicates; its buckets leave while backward still runs.
      grad_sync.begin_backward(m0 + n == per_rank);
      // Summed over samples and divided by the global batch: the all-reduced sum is the batch mean's gradient.
      (l[0].sum() / static_cast<double>(B)).backward();
      sums += l.sum(1).detach();
    }
    grad_sync.finish();
    const bool log_step = step % train.log_every == 0 || step == steps;
    const bool ckpt_step = step % train.ckpt_every == 0 || step == steps;
    // Stays on the device (read on log steps only). A NaN or infinity in any rank's loss reaches every rank's
    // gradients through the all-reduce, so the ranks agree on `finite` without exchanging it.
    const at::Tensor grad_norm = total_grad_norm(params);
    const at::Tensor finite = grad_norm.isfinite();
    first_bad.masked_fill_(first_bad.eq(0).logical_and(finite.logical_not()), step);
    my_first_bad.masked_fill_(my_first_bad.eq(0).logical_and(sums.isfinite().all().logical_not()), step);
    // skip decides now (a host sync); abort learns it at the next vote, always before a checkpoint.
    const bool apply = !skip_nonfinite || finite.item<bool>();
    if (apply) {
      if (train.grad_clip > 0) {
        const at::Tensor scale = (train.grad_clip / grad_norm).clamp_max(1.0);
        for (const at::Tensor& p : params) p.grad().mul_(scale);
      }
      for (auto& group : optimizer.param_groups())
        static_cast<torch::optim::AdamWOptions&>(group.options()).lr(schedule.at(step));
      optimizer.step();
      if (mpi.is_root()) ema.update(*net);
    } else {
      ++skipped_steps;
      if (mpi.is_root())
        progress.message(s.command + ": step " + std::to_string(step) +
                         ": NaN or infinite gradient, step skipped (train.nonfinite = skip)");
      first_bad.zero_(), my_first_bad.zero_();
    }
    if (log_step) {
      comm->all_reduce_sum(sums);
      sums /= static_cast<double>(B);
    }
    // Everyone learns whether anyone was asked to stop, so all ranks checkpoint the same step; the same vote
    // carries the non-finite verdict, and a checkpoint step always votes.
    bool stop = false;
    if (log_step || ckpt_step || step % stop_every == 0) {
      at::Tensor votes = at::full({1}, stop_requested() ? 1.0f : 0.0f, at::TensorOptions().device(device));
      comm->all_reduce_sum(votes);
      stop = votes.item<float>() > 0;
      if (const int64_t bad = first_bad.item<int64_t>(); bad > 0) {
        if (const int64_t mine = my_first_bad.item<int64_t>(); mine > 0)
          std::cerr << s.command << ": rank " << rank << ": its loss was NaN or infinite at step " << mine << "\n";
        if (mpi.is_root()) {
          progress.finish();
          report_nonfinite_abort(s, bad);
        }
        return kExitFailure;
      }
    }
    watchdog.alive();
    window_seconds += seconds_since(t0);
    ++window_steps;

    if (mpi.is_root() && log_step) {
      const at::Tensor host = sums.to(at::kCPU, at::kDouble);
      log->log_step({step, std::vector<double>(host.data_ptr<double>(), host.data_ptr<double>() + T), schedule.at(step),
                     grad_norm.item<double>(), skipped_steps, static_cast<double>(B * window_steps) / window_seconds,
                     window_seconds / static_cast<double>(window_steps), window_data / window_seconds,
                     dist::peak_memory_mb(device)});
      window_seconds = window_data = 0;
      window_steps = 0;
    }
    if (mpi.is_root() && (step % train.val_every == 0 || step == steps)) {
      torch::NoGradGuard no_grad;
      net->eval();
      log->log_validation(step, objective.validate(*net, micro));
      net->train();
    }
    if (train.check_every > 0 && step % train.check_every == 0 && !dist::replicas_agree(all_tensors, *comm)) {
      std::cerr << "sinsr " << s.command << ": rank " << rank << ": replicas diverged at step " << step
                << "; aborting\n";
      mpi.abort(kExitFailure);
    }
    if (mpi.is_root()) progress.advance();
    if (stop) {
      checkpoint(step);
      if (mpi.is_root()) {
        progress.finish();
        report_stop_signal(s, step);
      }
      return kExitTempFail;
    }
    if (ckpt_step) checkpoint(step);
  }
  if (mpi.is_root()) {
    progress.finish();
    std::cerr << s.command << ": done, " << steps << " steps; checkpoints in "
              << (run_dir / run::kCheckpointsFolder).string();
    if (grad_sync.bucket_count() > 0)
      std::cerr << "; last step: " << grad_sync.started_during_backward() << " of " << grad_sync.bucket_count()
                << " gradient buckets left during backward";
    std::cerr << "\n";
  }
  return kExitOk;
}

}  // namespace sinsr::train
