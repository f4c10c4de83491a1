// sinsr train: SinSR distillation over datagen's pair shards, on one process or many MPI ranks.
#include <iostream>

#include "core/dist/mpi_context.h"
#include "core/util/errors.h"
#include "launcher/commands.h"
#include "trainer/train_run.h"

namespace sinsr::cli {

namespace {

int run_train_command(const Invocation& inv) {
  dist::MpiContext mpi;
  train::TrainSettings s;
  s.data_dir = inv.args["data"].as<std::string>();
  s.run_dir = inv.args["out"].as<std::string>();
  if (inv.args.count("teacher")) s.teacher_path = inv.args["teacher"].as<std::string>();
  if (inv.args.count("init")) s.init_path = inv.args["init"].as<std::string>();
  s.config = inv.config;
  if (s.teacher_path.empty() && s.init_path.empty() && s.config.str("train.init") == "teacher")
    throw UsageError("the student starts from the teacher (train.init = teacher): give --teacher T.pth, or --init S.pth");
  try {
    return train::run_train(s, mpi);
  } catch (const UsageError&) {
    throw;
  } catch (const std::exception& e) {
    std::cerr << "sinsr train: error on rank " << mpi.rank() << ": " << e.what() << "\n";
    if (mpi.size() > 1) mpi.abort(kExitFailure);
    throw;
  }
}

}  // namespace

Command train_command() {
  Command c;
  c.name = "train";
  c.summary = "distil the one-step SinSR student from teacher pair shards (MPI data parallel)";
  c.usage = "[mpirun -np R] sinsr train --data PAIRS_DIR --out RUN_DIR --teacher T.pth [options]";
  c.description =
      "Optimises train.w_distill L_distill + train.w_inverse L_inverse + train.w_gt L_gt (SPEC.md §4.3) with\n"
      "AdamW and the reference's warm-up, EMA 0.999, over the pairs of `sinsr datagen` (the last\n"
      "train.val_samples held out). Each rank takes its slice of every global batch and gradients are\n"
      "all-reduced, so R ranks x B/R equals 1 rank x B. Checkpoints go to RUN_DIR/ckpt/<step>/ (student.pth\n"
      "and ema.pth load in Python); a rerun resumes from RUN_DIR/ckpt/latest exactly. SIGTERM or SIGUSR1:\n"
      "finish the step, checkpoint, exit 75. Metrics: RUN_DIR/metrics.jsonl.";
  c.sections = {"model", "diffusion", "train"};
  c.declare = [](po::options_description& o, po::positional_options_description&) {
    o.add_options()("data", po::value<std::string>()->required()->value_name("DIR"), "pair data set (sinsr datagen --out)")(
        "out", po::value<std::string>()->required()->value_name("DIR"), "run folder: checkpoints, metrics (resumed if present)")(
        "teacher", po::value<std::string>()->value_name("PTH"), "teacher weights the student starts from")(
        "init", po::value<std::string>()->value_name("PTH"), "start the student from these weights instead");
  };
  c.run = run_train_command;
  return c;
}

}  // namespace sinsr::cli
