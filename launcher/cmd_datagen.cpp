// sinsr datagen: teacher pair generation into HDF5 shards, one or many MPI ranks, resumable.
#include "core/dist/device.h"
#include "core/dist/mpi_context.h"
#include "core/util/errors.h"
#include "datagen/datagen_run.h"
#include "launcher/commands.h"
#include "launcher/mpi_command.h"

namespace sinsr::cli {

namespace {

int run_datagen_command(const Invocation& inv) {
  dist::MpiContext mpi;
  datagen::DatagenSettings s;
  s.out_dir = inv.args["out"].as<std::string>();
  s.teacher_path = inv.args["teacher"].as<std::string>();
  if (inv.args.count("autoencoder")) s.autoencoder_path = inv.args["autoencoder"].as<std::string>();
  s.num_samples = inv.args["num-samples"].as<int64_t>();
  s.device = inv.args["device"].as<std::string>();
  s.config = inv.config;
  if (inv.args.count("shard-size"))
    s.config.set("datagen.shard_size", std::to_string(inv.args["shard-size"].as<int64_t>()), "command line");
  s.generator = std::string("sinsr ") + SINSR_VERSION;
  return run_on_ranks(mpi, "datagen", [&] { return datagen::run_datagen(s, mpi); });
}

}  // namespace

Command datagen_command() {
  Command c;
  c.name = "datagen";
  c.summary = "generate teacher pairs (x_T, F(x_T, y), y, x_0) into HDF5 shards, on MPI ranks";
  c.usage = "[mpirun -np R] sinsr datagen --out DIR --num-samples N --teacher T.pth [--autoencoder VQ.pth] [options]";
  c.description =
      "Samples 0..N-1 are cut into shards of datagen.shard_size consecutive indices and dealt to the ranks.\n"
      "Per sample: HR photo -> degraded LR y ([data], [degradation]) -> z_y, z_gt (VQ encoder) -> x_T =\n"
      "z_y + kappa sqrt(eta_T) eps -> the teacher's 15 deterministic steps F(x_T, y). Sample i depends only\n"
      "on data.seed and i, not on the number of ranks. Shards are written under a temporary name and renamed\n"
      "when complete; rerunning the same command skips complete shards and redoes the rest. Rank 0 writes\n"
      "DIR/manifest.json at the end. A folder holding another configuration's shards is refused.\n"
      "The teacher network is the [model] config (the paper's full size by default). Pixel-space models\n"
      "(diffusion.latent_flag = false) have no autoencoder: the \"latents\" are the images themselves.";
  c.sections = {"model", "autoencoder", "diffusion", "degradation", "data", "datagen"};
  c.declare = [](po::options_description& o, po::positional_options_description&) {
    o.add_options()("out", po::value<std::string>()->required()->value_name("DIR"), "output folder (created)")(
        "num-samples", po::value<int64_t>()->required()->value_name("N"), "samples 0..N-1")(
        "teacher", po::value<std::string>()->required()->value_name("PTH"), "ResShift teacher weights")(
        "autoencoder", po::value<std::string>()->value_name("PTH"), "VQ-f4 weights (latent-space models)")(
        "shard-size", po::value<int64_t>()->value_name("S"), "samples per shard (default: datagen.shard_size)")(
        "device", po::value<std::string>()->default_value("auto"), dist::kDeviceHelp);
  };
  c.run = run_datagen_command;
  return c;
}

}  // namespace sinsr::cli
