// sinsr datagen: teacher pair generation into HDF5 shards, one or many MPI ranks, resumable.
#include "core/dist/device.h"
#include "core/dist/mpi_context.h"
#include "core/util/errors.h"
#include "datagen/datagen_run.h"
#include "launcher/commands.h"
#include "launcher/mpi_command.h"

namespace sinsr::cli {

namespace {

void declare(po::options_description& o, po::positional_options_description&, datagen::DatagenSettings& s) {
  o.add_options()("out", po::value(&s.out_dir)->required()->value_name("DIR"), "output folder (created)")(
      "num-samples", po::value(&s.num_samples)->required()->value_name("N"), "samples 0..N-1")(
      "teacher", po::value(&s.teacher_path)->required()->value_name("PTH"), "ResShift teacher weights")(
      "autoencoder", po::value(&s.autoencoder_path)->value_name("PTH"), "VQ-f4 weights (latent-space models)")(
      "shard-size", po::value<int64_t>()->value_name("S"), "samples per shard (default: datagen.shard_size)")(
      "device", po::value(&s.device)->default_value("auto"), dist::kDeviceHelp);
}

int run(datagen::DatagenSettings& s, const Invocation& inv) {
  dist::MpiContext mpi;
  s.config = inv.config;
  if (inv.args.count("shard-size"))
    s.config.set("datagen.shard_size", std::to_string(inv.args["shard-size"].as<int64_t>()), "command line");
  s.generator = std::string("sinsr ") + SINSR_VERSION;
  return run_on_ranks(mpi, "datagen", [&] { return datagen::run_datagen(s, mpi); });
}

}  // namespace

Command datagen_command() {
  Command c("datagen", "generate teacher pairs (x_T, F(x_T, y), y, x_0) into HDF5 shards, on MPI ranks",
            "[mpirun -np R] sinsr datagen --out DIR --num-samples N --teacher T.pth [--autoencoder VQ.pth] [options]",
            R"(Samples 0..N-1 are cut into shards of datagen.shard_size consecutive indices and dealt to the ranks.
Per sample: HR photo -> degraded LR y ([data], [degradation]) -> z_y, z_gt (VQ encoder) -> x_T =
z_y + kappa sqrt(eta_T) eps -> the teacher's 15 deterministic steps F(x_T, y). Sample i depends only
on data.seed and i, not on the number of ranks. Shards are written under a temporary name and renamed
when complete; rerunning the same command skips complete shards and redoes the rest. Rank 0 writes
DIR/manifest.json at the end. A folder holding another configuration's shards is refused.
The teacher network is the [model] config (the paper's full size by default). Pixel-space models
(diffusion.latent_flag = false) have no autoencoder: the "latents" are the images themselves.)");
  c.sections = {"model", "autoencoder", "diffusion", "degradation", "data", "datagen"};
  bind_options(c, declare, run);
  return c;
}

}  // namespace sinsr::cli
