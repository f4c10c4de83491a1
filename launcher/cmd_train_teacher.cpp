// sinsr train-teacher: the ResShift teacher objective (docs/method.md §4.8) on HR photos, on one process or many
// MPI ranks; the same loop, checkpoints and metrics as sinsr train.
#include "core/dist/device.h"
#include "core/dist/mpi_context.h"
#include "launcher/commands.h"
#include "launcher/mpi_command.h"
#include "trainer/train_run.h"

namespace sinsr::cli {

namespace {

void declare(po::options_description& o, po::positional_options_description&, train::TrainSettings& s) {
  o.add_options()("out", po::value(&s.run_dir)->required()->value_name("DIR"),
                  "run folder: checkpoints, metrics (resumed if present)")(
      "autoencoder", po::value(&s.autoencoder_path)->value_name("PTH"), "VQ-f4 weights (latent-space models)")(
      "init", po::value(&s.init_path)->value_name("PTH"), "start from these weights instead of from scratch")(
      "device", po::value(&s.device)->default_value("auto"), dist::kDeviceHelp);
}

int run(train::TrainSettings& s, const Invocation& inv) {
  dist::MpiContext mpi;
  s.config = inv.config;
  return run_on_ranks(mpi, "train-teacher", [&] { return train::run_train_teacher(s, mpi); });
}

}  // namespace

Command train_teacher_command() {
  Command c(
      "train-teacher",
      "train a ResShift teacher (x0-prediction MSE) on HR photos, latent or pixel space (MPI data parallel)",
      "[mpirun -np R] sinsr train-teacher --out RUN_DIR --data.hr PHOTOS [--autoencoder VQ.pth] [options]",
      R"(Per sample: an HR crop and its degraded LR y ([data], [degradation], synthesised on the fly), t ~ U{0..T-1},
z_t = z_0 + eta_t (z_y - z_0) + kappa sqrt(eta_t) eps, loss = mean (z_0 - f(z_t / std_t, t, y))^2 (docs/method.md
§4.8). z = VQ-f4 latents (diffusion.latent_flag = true, --autoencoder) or the images themselves (pixel
space, latent_flag = false: no autoencoder). Any diffusion.sf (degradation.sf must match). The network
is [model], from scratch (the reference's init, seeded by train.seed) or --init. Everything else is
sinsr train's: [train] (lr, warm-up, EMA, batch over ranks, micro-batches), RUN_DIR/ckpt/<step>/
(student.pth = the network, ema.pth = its EMA: the teacher to use), exact resume, SIGTERM/SIGUSR1 ->
checkpoint and exit 75, metrics.jsonl + metrics.png. validation.jsonl every train.val_every steps, on
train.val_samples fixed pairs: the loss and the PSNR of the 15-step sample, the one-step prediction
and bicubic upsampling against the GT.)");
  c.sections = {"model", "autoencoder", "diffusion", "degradation", "data", "train"};
  bind_options(c, declare, run);
  return c;
}

}  // namespace sinsr::cli
