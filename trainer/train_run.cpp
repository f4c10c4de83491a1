#include "trainer/train_run.h"

#include <torch/torch.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "core/diffusion/diffusion.h"
#include "core/dist/communicator.h"
#include "core/dist/device.h"
#include "core/io/state_dict.h"
#include "core/nn/model_config.h"
#include "core/nn/unet_swin.h"
#include "core/nn/vq_autoencoder.h"
#include "core/util/atomic_file.h"
#include "core/util/errors.h"
#include "core/util/progress.h"
#include "core/util/signals.h"
#include "core/util/stopwatch.h"
#include "trainer/checkpoint.h"
#include "trainer/ema.h"
#include "trainer/loss_plot.h"
#include "trainer/lr_schedule.h"
#include "trainer/pair_source.h"
#include "trainer/sinsr_losses.h"

namespace fs = std::filesystem;

namespace sinsr::train {

namespace {

// Gives up when no step finishes for `timeout` seconds: a peer that died leaves the others blocked in a
// collective forever, and some launchers do not kill the rest of the job.
class Watchdog {
 public:
  Watchdog(double timeout, int rank) : timeout_(timeout), rank_(rank), last_(now()) {
    thread_ = std::thread([this] {
      while (!done_) {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        if (!done_ && now() - last_ > timeout_) {
          std::cerr << "sinsr train: rank " << rank_ << ": no step finished for " << timeout_
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
  std::atomic<double> last_;
  std::atomic<bool> done_{false};
  std::thread thread_;
};

// metrics.jsonl up to `step` (what a resumed run keeps: lines past the checkpoint are redone).
void truncate_metrics(const fs::path& path, int64_t step) {
  if (!fs::exists(path)) return;
  std::ifstream in(path);
  std::string line, kept;
  while (std::getline(in, line))
    if (!line.empty() && Json::parse(line)["step"].as_int() <= step) kept += line + "\n";
  write_file_atomically(path.string(), kept);
}

std::vector<LossPoint> read_loss_points(const fs::path& path) {
  std::vector<LossPoint> points;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const Json j = Json::parse(line);
    points.push_back({j["step"].as_int(), j["loss"].as_number(), j["distill"].as_number(), j["inverse"].as_number(),
                      j["gt"].as_number()});
  }
  return points;
}

// Batches are read on the CPU; the step runs where the student lives.
TrainBatch on_device(const TrainBatch& b, const at::Device& device) {
  auto move = [&](const at::Tensor& t) { return t.defined() ? t.to(device, /*non_blocking=*/true) : t; };
  return {move(b.x_T), move(b.z_teacher), move(b.z_gt), move(b.lq), b.index, move(b.gt)};
}

// PSNR in dB of images in [-1, 1], per sample, averaged.
double mean_psnr(const at::Tensor& a, const at::Tensor& b) {
  const at::Tensor mse = ((a.clamp(-1, 1) - b) / 2).pow(2).mean({1, 2, 3});
  return (-10.0 * at::log10(mse.clamp_min(1e-12))).mean().item<double>();
}

// The student's one-step prediction on held-out pairs against the teacher's output and the GT (latent
// MSE), and, with the autoencoder, decoded against the GT image (PSNR; the teacher's own PSNR alongside
// as the bar to reach).
Json validate(nn::UNetModelSwinImpl& student, const Diffusion& diffusion, PairSource& data, nn::VQModelTorchImpl* vq,
              int64_t micro) {
  torch::NoGradGuard no_grad;
  student.eval();
  const std::vector<int64_t> held = data.held_out();
  double mse_teacher = 0, mse_gt = 0, psnr = 0, teacher_psnr = 0;
  for (size_t i = 0; i < held.size(); i += static_cast<size_t>(micro)) {
    const std::vector<int64_t> chunk(held.begin() + static_cast<std::ptrdiff_t>(i),
                                     held.begin() + static_cast<std::ptrdiff_t>(std::min(held.size(), i + static_cast<size_t>(micro))));
    const TrainBatch b = on_device(data.load(chunk, vq != nullptr), student.parameters().front().device());
    const at::Tensor x0 = diffusion.predict_one_step(
        [&](const at::Tensor& x, const at::Tensor& t, const at::Tensor& lq) { return student.forward(x, t, lq); }, b.x_T, b.lq);
    const auto n = static_cast<double>(chunk.size());
    mse_teacher += (x0 - b.z_teacher).pow(2).mean({1, 2, 3}).sum().item<double>();
    mse_gt += (x0 - b.z_gt).pow(2).mean({1, 2, 3}).sum().item<double>();
    if (vq) {
      psnr += n * mean_psnr(diffusion.decode_first_stage(*vq, x0), b.gt);
      teacher_psnr += n * mean_psnr(diffusion.decode_first_stage(*vq, b.z_teacher), b.gt);
    }
  }
  student.train();
  const auto n = static_cast<double>(held.size());
  Json j = Json::object();
  j.set("val_mse_teacher", Json::number(mse_teacher / n));
  j.set("val_mse_gt", Json::number(mse_gt / n));
  if (vq) {
    j.set("val_psnr", Json::number(psnr / n));
    j.set("teacher_psnr", Json::number(teacher_psnr / n));
  }
  return j;
}

at::Tensor total_grad_norm(const std::vector<at::Tensor>& params) {
  std::vector<at::Tensor> norms;
  for (const at::Tensor& p : params) norms.push_back(p.grad().detach().pow(2).sum());
  return at::stack(norms).sum().sqrt();
}

}  // namespace

int run_train(const TrainSettings& s, const dist::MpiContext& mpi) {
  const Config& cfg = s.config;
  const at::Device device = dist::rank_device(s.device, mpi);
  auto comm = dist::make_communicator(mpi, device);
  const int R = comm->size(), rank = comm->rank();
  const int64_t steps = cfg.integer("train.steps"), B = cfg.integer("train.batch_size"), micro = cfg.integer("train.microbatch");
  if (steps < 1 || B < 1 || micro < 1) throw UsageError("train.steps, train.batch_size and train.microbatch must be >= 1");
  if (B % R) throw UsageError("train.batch_size (" + std::to_string(B) + ") must be a multiple of the rank count (" + std::to_string(R) + ")");
  const int64_t per_rank = B / R;
  const LossWeights weights{cfg.real("train.w_distill"), cfg.real("train.w_inverse"), cfg.real("train.w_gt")};
  std::vector<int64_t> later;
  for (int64_t m : cfg.int_list("train.milestones"))
    if (m > cfg.integer("train.warmup")) later.push_back(m);
  const LrSchedule schedule{cfg.real("train.lr"), cfg.integer("train.warmup"), later};
  const auto seed = static_cast<uint64_t>(cfg.integer("train.seed"));

  const std::unique_ptr<PairSource> data = s.online ? online_source(cfg, s.teacher_path, s.autoencoder_path, device)
                                                    : shard_source(s.data_dir, cfg.integer("train.val_samples"));
  const Diffusion diffusion(DiffusionConfig::from_config(cfg));

  // The student: the teacher's weights (the paper), a given checkpoint, or random; rank 0's copy wins.
  nn::UNetModelSwin student(UNetConfig::from_config(cfg));
  if (!s.init_path.empty()) io::load_weights(*student, s.init_path);
  else if (cfg.str("train.init") == "teacher") io::load_weights(*student, s.teacher_path);
  else if (cfg.str("train.init") != "random") throw UsageError("train.init must be 'teacher' or 'random'");
  student->to(device);
  std::vector<at::Tensor> params = student->parameters(), all_tensors = params;
  for (const auto& b : student->buffers()) all_tensors.push_back(b);
  torch::optim::AdamW optimizer(params, torch::optim::AdamWOptions(schedule.at(1))
                                            .betas({0.9, 0.999})
                                            .eps(1e-8)
                                            .weight_decay(cfg.real("train.weight_decay")));
  Ema ema(*student, cfg.real("train.ema_rate"));

  const fs::path run(s.run_dir);
  const fs::path metrics_path = run / "metrics.jsonl", validation_path = run / "validation.jsonl";
  int64_t start = 0;
  if (auto latest = latest_checkpoint(s.run_dir)) {
    const CheckpointState st = load_checkpoint(*latest, *student, ema.state(), optimizer, device);
    if (st.info["global_batch"].as_int() != B || st.info["data_identity"].as_string() != data->identity())
      throw UsageError(*latest + " was made with another global batch or data set; use another --out");
    start = st.step;
    if (mpi.is_root()) std::cerr << "train: resuming from " << *latest << " (step " << start << ")\n";
  }
  dist::broadcast_tensors(all_tensors, *comm);
  if (mpi.is_root()) {
    fs::create_directories(run);
    truncate_metrics(metrics_path, start);
    truncate_metrics(validation_path, start);
    write_file_atomically((run / "config.ini").string(), cfg.to_ini({"model", "diffusion", "train"}));
    std::cerr << "train: " << steps << " steps, global batch " << B << " (" << R << " rank(s) x " << per_rank
              << ", micro-batch " << std::min(micro, per_rank) << "), " << data->describe() << ", communicator "
              << comm->name() << ", device " << device.str() << "\n";
  }

  install_stop_signal_handlers();
  Watchdog watchdog(cfg.real("train.peer_timeout"), rank);
  Progress progress(steps - start, "steps");
  std::ofstream metrics, validation;
  std::vector<LossPoint> history;
  if (mpi.is_root()) {
    metrics.open(metrics_path, std::ios::app);
    validation.open(validation_path, std::ios::app);
    history = read_loss_points(metrics_path);
  }
  // Decoding for the validation PSNR needs the autoencoder; without it validation stays in latent space.
  nn::VQModelTorch vq{nullptr};
  if (mpi.is_root() && !s.autoencoder_path.empty()) {
    vq = nn::VQModelTorch(VQConfig::from_config(cfg));
    io::load_weights(*vq, s.autoencoder_path);
    vq->to(device);
    vq->eval();
  }
  const int64_t val_every = cfg.integer("train.val_every");
  const int64_t log_every = cfg.integer("train.log_every"), ckpt_every = cfg.integer("train.ckpt_every");
  const int64_t check_every = cfg.integer("train.check_every");
  const double grad_clip = cfg.real("train.grad_clip");
  auto checkpoint = [&](int64_t step) {
    if (mpi.is_root()) {
      CheckpointState st;
      st.step = step;
      st.info = Json::object();
      st.info.set("lr", Json::number(schedule.at(step)));
      st.info.set("global_batch", Json::number(static_cast<double>(B)));
      st.info.set("ranks", Json::number(R));
      st.info.set("seed", Json::number(static_cast<double>(seed)));
      st.info.set("data_identity", Json::string(data->identity()));
      st.info.set("config", Json::string(cfg.to_ini({"model", "diffusion", "train"})));
      save_checkpoint(s.run_dir, st, *student, ema.state(), optimizer, static_cast<int>(cfg.integer("train.keep_ckpts")));
    }
    mpi.barrier();
  };

  student->train();
  double window_seconds = 0, window_data = 0;
  int64_t window_steps = 0;
  for (int64_t step = start + 1; step <= steps; ++step) {
    const auto t0 = Clock::now();
    // This rank's slice of the global batch, then its micro-batches.
    const std::vector<int64_t> batch = data->step_indices(step, B, seed);
    const std::vector<int64_t> mine(batch.begin() + rank * per_rank, batch.begin() + (rank + 1) * per_rank);
    const TrainBatch b = on_device(data->load(mine), device);
    window_data += seconds_since(t0);
    optimizer.zero_grad();
    at::Tensor sums = at::zeros({4}, at::TensorOptions().device(device));  // loss, distill, inverse, gt summed over this rank's samples
    for (int64_t m0 = 0; m0 < per_rank; m0 += micro) {
      const int64_t n = std::min(micro, per_rank - m0);
      auto sl = [&](const at::Tensor& t) { return t.narrow(0, m0, n); };
      const LossTerms l = sinsr_losses(*student, diffusion, sl(b.x_T), sl(b.z_teacher), sl(b.z_gt), sl(b.lq), weights);
      // Summed over samples and divided by the global batch: the all-reduced sum is the batch mean's gradient.
      (l.per_sample.sum() / static_cast<double>(B)).backward();
      sums += at::stack({l.per_sample.sum(), l.distill.sum(), l.inverse.sum(), l.gt.sum()}).detach();
    }
    dist::all_reduce_gradients(params, *comm);
    const double grad_norm = total_grad_norm(params).item<double>();
    if (grad_clip > 0 && grad_norm > grad_clip)
      for (const at::Tensor& p : params) p.grad().mul_(grad_clip / grad_norm);
    for (auto& group : optimizer.param_groups()) static_cast<torch::optim::AdamWOptions&>(group.options()).lr(schedule.at(step));
    optimizer.step();
    if (mpi.is_root()) ema.update(*student);
    comm->all_reduce_sum(sums);
    sums /= static_cast<double>(B);
    // Everyone learns whether anyone was asked to stop, so all ranks checkpoint the same step.
    at::Tensor stop = at::full({1}, stop_requested() ? 1.0f : 0.0f, at::TensorOptions().device(device));
    comm->all_reduce_sum(stop);
    watchdog.alive();
    window_seconds += seconds_since(t0);
    ++window_steps;

    if (mpi.is_root() && (step % log_every == 0 || step == steps)) {
      Json line = Json::object();
      line.set("step", Json::number(static_cast<double>(step)));
      line.set("loss", Json::number(sums[0].item<double>()));
      line.set("distill", Json::number(sums[1].item<double>()));
      line.set("inverse", Json::number(sums[2].item<double>()));
      line.set("gt", Json::number(sums[3].item<double>()));
      line.set("lr", Json::number(schedule.at(step)));
      line.set("grad_norm", Json::number(grad_norm));
      line.set("samples_per_s", Json::number(static_cast<double>(B * window_steps) / window_seconds));
      line.set("s_per_step", Json::number(window_seconds / static_cast<double>(window_steps)));
      line.set("data_wait", Json::number(window_data / window_seconds));
      metrics << line.dump() << "\n" << std::flush;
      history.push_back({step, sums[0].item<double>(), sums[1].item<double>(), sums[2].item<double>(), sums[3].item<double>()});
      write_loss_plot((run / "metrics.png").string(), history);
      window_seconds = window_data = 0;
      window_steps = 0;
    }
    if (mpi.is_root() && !data->held_out().empty() && (step % val_every == 0 || step == steps)) {
      Json v = validate(*student, diffusion, *data, vq.is_empty() ? nullptr : vq.get(), micro);
      v.set("step", Json::number(static_cast<double>(step)));
      validation << v.dump() << "\n" << std::flush;
    }
    if (check_every > 0 && step % check_every == 0 && !dist::replicas_agree(all_tensors, *comm)) {
      std::cerr << "sinsr train: rank " << rank << ": replicas diverged at step " << step << "; aborting\n";
      mpi.abort(kExitFailure);
    }
    if (mpi.is_root()) progress.advance();
    if (stop.item<float>() > 0) {
      checkpoint(step);
      if (mpi.is_root()) {
        progress.finish();
        std::cerr << "train: stop signal: checkpointed step " << step << " to " << (run / "ckpt").string()
                  << "; exit 75 (requeue)\n";
      }
      return kExitTempFail;
    }
    if (step % ckpt_every == 0 || step == steps) checkpoint(step);
  }
  if (mpi.is_root()) {
    progress.finish();
    std::cerr << "train: done, " << steps << " steps; checkpoints in " << (run / "ckpt").string() << "\n";
  }
  return kExitOk;
}

}  // namespace sinsr::train
