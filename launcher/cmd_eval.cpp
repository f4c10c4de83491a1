// sinsr eval: image-quality metrics of a folder of outputs, or of every checkpoint of a run on a benchmark.
#include "core/dist/device.h"
#include "core/dist/mpi_context.h"
#include "core/util/errors.h"
#include "core/util/threads.h"
#include "eval/eval_run.h"
#include "launcher/commands.h"
#include "launcher/mpi_command.h"

namespace sinsr::cli {

namespace {

std::string opt(const Invocation& inv, const char* name) {
  return inv.args.count(name) ? inv.args[name].as<std::string>() : std::string();
}

int run_eval_command(const Invocation& inv) {
  dist::MpiContext mpi;
  set_threads(inv.args["threads"].as<int>());
  eval::EvalSettings s;
  s.pred_dir = opt(inv, "pred");
  s.gt_dir = opt(inv, "gt");
  s.checkpoints_dir = opt(inv, "checkpoints");
  s.benchmark_path = opt(inv, "benchmark");
  s.autoencoder_path = opt(inv, "autoencoder");
  s.teacher_path = opt(inv, "teacher");
  s.out_dir = opt(inv, "out");
  s.seed = inv.args["seed"].as<uint64_t>();
  s.device = inv.args["device"].as<std::string>();
  s.config = inv.config;
  if (!s.pred_dir.empty() == !s.checkpoints_dir.empty())
    throw UsageError("give either --pred DIR [--gt DIR] or --checkpoints RUN_DIR/ckpt --benchmark B.ini");
  if (!s.pred_dir.empty()) return run_on_ranks(mpi, "eval", [&] { return eval::run_eval_folders(s, mpi); });
  if (s.benchmark_path.empty() || s.out_dir.empty())
    throw UsageError(
        "--checkpoints needs --benchmark B.ini and --out DIR (and --autoencoder VQ.pth for latent-space models)");
  return run_on_ranks(mpi, "eval", [&] { return eval::run_eval_checkpoints(s, mpi); });
}

}  // namespace

Command eval_command() {
  Command c;
  c.name = "eval";
  c.summary = "score outputs (PSNR, SSIM, LPIPS, CLIPIQA, MUSIQ) or every checkpoint of a run on a benchmark";
  c.usage =
      "[mpirun -np R] sinsr eval --pred DIR [--gt DIR] [--out DIR] [options]\n"
      "  [mpirun -np R] sinsr eval --checkpoints RUN_DIR/ckpt --benchmark configs/benchmarks/NAME.ini [--autoencoder "
      "VQ.pth] --out DIR";
  c.description =
      "--pred/--gt: outputs are paired with references by file stem (unpaired files are listed); without --gt\n"
      "only no-reference metrics (CLIPIQA, MUSIQ) are computed. PSNR/SSIM come in named variants\n"
      "(eval.psnr_ssim_variants; pyiqa-ycbcr is the paper's protocol). LPIPS, CLIPIQA and MUSIQ need weight\n"
      "files set in [eval] (README: Evaluation); without them they are reported unavailable.\n"
      "--checkpoints: the student and EMA weights of every checkpoint super-resolve the benchmark's LQ images\n"
      "in one step (sinsr infer's code path, tiles 64/56, --seed), outputs are kept under OUT/outputs/ and\n"
      "scored; scores are cached in OUT/cache.jsonl per (weights hash, benchmark, metric), so a rerun only\n"
      "scores new checkpoints. Writes OUT/results.csv, results.json, plots/ (metric vs step) and report.html\n"
      "(table, plots, crops: LR bicubic, --teacher's full chain if given, student, EMA, reference).\n"
      "Images are split over MPI ranks; the numbers do not depend on the rank count.";
  c.sections = {"model", "autoencoder", "diffusion", "eval"};
  c.declare = [](po::options_description& o, po::positional_options_description&) {
    o.add_options()("pred", po::value<std::string>()->value_name("DIR"), "folder of outputs to score")(
        "gt", po::value<std::string>()->value_name("DIR"), "folder of references (same file stems)")(
        "checkpoints", po::value<std::string>()->value_name("DIR"), "a run's ckpt/ folder: score every checkpoint")(
        "benchmark", po::value<std::string>()->value_name("INI"), "benchmark definition (configs/benchmarks/)")(
        "autoencoder", po::value<std::string>()->value_name("PTH"),
        "VQ-f4 weights (--checkpoints of latent-space models)")(
        "teacher", po::value<std::string>()->value_name("PTH"),
        "teacher weights: its full chain is shown in the crops")("out", po::value<std::string>()->value_name("DIR"),
                                                                 "results folder (required with --checkpoints)")(
        "seed", po::value<uint64_t>()->default_value(12345), "inference noise seed (as sinsr infer)")(
        "threads", po::value<int>()->default_value(0), "intra-op threads (0 = SINSR_THREADS or all cores)")(
        "device", po::value<std::string>()->default_value("auto"), dist::kDeviceHelp);
  };
  c.run = run_eval_command;
  return c;
}

}  // namespace sinsr::cli
