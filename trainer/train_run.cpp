#include "trainer/train_run.h"

#include <torch/torch.h>

#include "core/diffusion/first_stage.h"
#include "core/dist/device.h"
#include "core/io/state_dict.h"
#include "core/nn/model_config.h"
#include "core/nn/unet_swin.h"
#include "core/util/errors.h"
#include "core/util/sha256.h"
#include "trainer/distill_objective.h"
#include "trainer/teacher_objective.h"
#include "trainer/train_loop.h"

namespace sinsr::train {

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// A network to train from scratch, initialised like the reference's constructor: LibTorch's default
// layer init (PyTorch's), then zero_module on every ResBlock's last conv and on the output conv (so each
// residual branch starts as the identity and the first prediction is 0), and the Swin relative-position
// bias tables ~ N(0, 0.02) (timm's trunc_normal_, whose +-2 bounds are 100 std away). Seeded by train.seed.
nn::UNetModelSwin fresh_network(const Config& cfg, const TrainConfig& train) {
  torch::manual_seed(static_cast<uint64_t>(train.seed));
  nn::UNetModelSwin net(UNetConfig::from_config(cfg));
  torch::NoGradGuard no_grad;
  for (auto& item : net->named_parameters()) {
    const std::string& name = item.key();
    at::Tensor& p = item.value();
    if (ends_with(name, "out_layers.3.weight") || ends_with(name, "out_layers.3.bias") || name == "out.2.weight" ||
        name == "out.2.bias")
      p.zero_();
    else if (ends_with(name, "relative_position_bias_table"))
      p.normal_(0.0, 0.02);
  }
  return net;
}

// The sections a run folder records (config.ini, each checkpoint): what the weights mean and how they were made.
LoopSettings loop_settings(const TrainSettings& s, const TrainConfig& train, const std::string& command) {
  return {s.run_dir, command, train, s.config.to_ini({"model", "diffusion", "train"})};
}

}  // namespace

Precision train_precision(const TrainConfig& train) {
  const Precision p = parse_precision(train.precision, "train.precision");
  if (p == Precision::Fp16)
    throw UsageError(
        "train.precision = fp16 needs a dynamic loss scaler, which training does not have; use "
        "train.precision=bf16 (float32's range, no scaler needed; as fast on GPUs since Ampere)");
  return p;
}

int run_train(const TrainSettings& s, const dist::MpiContext& mpi) {
  const Config& cfg = s.config;
  const TrainConfig train = TrainConfig::from_config(cfg);
  if (s.teacher_path.empty() && s.init_path.empty() && train.init == "teacher")
    throw UsageError(
        "the student starts from the teacher (train.init = teacher): give --teacher T.pth, or --init S.pth");
  const at::Device device = dist::rank_device(s.device, mpi);
  const Precision precision = train_precision(train);
  const LossWeights weights{train.w_distill, train.w_inverse, train.w_gt};
  std::unique_ptr<PairSource> data = s.online
                                         ? online_source(cfg, precision, s.teacher_path, s.autoencoder_path, device)
                                         : shard_source(s.data_dir, train.val_samples);
  // Decoding for the validation PSNR: pixel space needs none; latent space needs the autoencoder (without
  // it validation stays in latent space), on rank 0 only, which validates.
  const DiffusionConfig diffusion_cfg = DiffusionConfig::from_config(cfg);
  const bool load_autoencoder = is_pixel_space(cfg) || (mpi.is_root() && !s.autoencoder_path.empty());
  const Diffusion diffusion =
      load_autoencoder ? Diffusion(diffusion_cfg, load_first_stage(cfg, s.autoencoder_path, device, precision))
                       : Diffusion(diffusion_cfg);
  DistillObjective objective(std::move(data), diffusion, weights, static_cast<uint64_t>(train.seed));

  // The student: the teacher's weights (the paper), a given checkpoint, or random; rank 0's copy wins.
  nn::UNetModelSwin student(UNetConfig::from_config(cfg));
  if (!s.init_path.empty())
    io::load_weights(*student, s.init_path);
  else if (train.init == "teacher")  // else "random" (the key's rule allows nothing else)
    io::load_weights(*student, s.teacher_path);
  student->set_precision(precision);
  return run_training_loop(loop_settings(s, train, "train"), student, objective, device, mpi);
}

int run_train_teacher(const TrainSettings& s, const dist::MpiContext& mpi) {
  const Config& cfg = s.config;
  const at::Device device = dist::rank_device(s.device, mpi);
  const TrainConfig train = TrainConfig::from_config(cfg);
  const Precision precision = train_precision(train);
  const FirstStage first_stage = load_first_stage(cfg, s.autoencoder_path, device, precision);
  TeacherObjective objective(cfg, train, first_stage,
                             first_stage.is_latent() ? sha256_file(s.autoencoder_path) : "pixel");
  nn::UNetModelSwin net = fresh_network(cfg, train);
  if (!s.init_path.empty()) io::load_weights(*net, s.init_path);
  net->set_precision(precision);
  return run_training_loop(loop_settings(s, train, "train-teacher"), net, objective, device, mpi);
}

}  // namespace sinsr::train
