// sinsr train-teacher: the ResShift teacher objective (docs/method.md §4.8) on HR photos, on one process or many
// MPI ranks; the same loop, checkpoints and metrics as sinsr train.
#include "core/dist/device.h"
#include "core/dist/mpi_context.h"
#include "launcher/commands.h"
#include "launcher/mpi_command.h"
#include "trainer/train_run.h"

namespace sinsr::cli {

namespace {

int run_train_teacher_command(const Invocation& inv) {
  dist::MpiContext mpi;
  train::TrainSettings s;
  s.run_dir = inv.args["out"].as<std::string>();
  if (inv.args.count("autoencoder")) s.autoencoder_path = inv.args["autoencoder"].as<std::string>();
  if (inv.args.count("init")) s.init_path = inv.args["init"].as<std::string>();
  s.device = inv.args["device"].as<std::string>();
  s.config = inv.config;
  return run_on_ranks(mpi, "train-teacher", [&] { return train::run_train_teacher(s, mpi); });
}

}  // namespace

Command train_teacher_command() {
  Command c;
  c.name = "train-teacher";
  c.summary = "train a ResShift teacher (x0-prediction MSE) on HR photos, latent or pixel space (MPI data parallel)";
  c.usage = "[mpirun -np R] sinsr train-teacher --out RUN_DIR --data.hr PHOTOS [--autoencoder VQ.pth] [options]";
  c.description =
      "Per sample: an HR crop and its degraded LR y ([data], [degradation], synthesised on the fly), t ~ U{0..T-1},\n"
      "z_t = z_0 + eta_t (z_y - z_0) + kappa sqrt(eta_t) eps, loss = mean (z_0 - f(z_t / std_t, t, y))^2 "
      "(docs/method.md\n"
      "§4.8). z = VQ-f4 latents (diffusion.latent_flag = true, --autoencoder) or the images themselves (pixel\n"
      "space, latent_flag = false: no autoencoder). Any diffusion.sf (degradation.sf must match). The network\n"
      "is [model], from scratch (the reference's init, seeded by train.seed) or --init. Everything else is\n"
      "sinsr train's: [train] (lr, warm-up, EMA, batch over ranks, micro-batches), RUN_DIR/ckpt/<step>/\n"
      "(student.pth = the network, ema.pth = its EMA: the teacher to use), exact resume, SIGTERM/SIGUSR1 ->\n"
      "checkpoint and exit 75, metrics.jsonl + metrics.png. validation.jsonl every train.val_every steps, on\n"
      "train.val_samples fixed pairs: the loss and the PSNR of the 15-step sample, the one-step prediction\n"
      "and bicubic upsampling against the GT.";
  c.sections = {"model", "autoencoder", "diffusion", "degradation", "data", "train"};
  c.declare = [](po::options_description& o, po::positional_options_description&) {
    o.add_options()("out", po::value<std::string>()->required()->value_name("DIR"),
                    "run folder: checkpoints, metrics (resumed if present)")(
        "autoencoder", po::value<std::string>()->value_name("PTH"), "VQ-f4 weights (latent-space models)")(
        "init", po::value<std::string>()->value_name("PTH"), "start from these weights instead of from scratch")(
        "device", po::value<std::string>()->default_value("auto"), dist::kDeviceHelp);
  };
  c.run = run_train_teacher_command;
  return c;
}

}  // namespace sinsr::cli
