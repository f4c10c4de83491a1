// sinsr eval: image-quality metrics of a folder of outputs, or of every checkpoint of a run on a benchmark.
#include "core/dist/device.h"
#include "core/dist/mpi_context.h"
#include "core/util/errors.h"
#include "eval/eval_run.h"
#include "launcher/commands.h"
#include "launcher/mpi_command.h"

namespace sinsr::cli {

namespace {

void declare(po::options_description& o, po::positional_options_description&, eval::EvalSettings& s) {
  o.add_options()("pred", po::value(&s.pred_dir)->value_name("DIR"), "folder of outputs to score")(
      "gt", po::value(&s.gt_dir)->value_name("DIR"), "folder of references (same file stems)")(
      "checkpoints", po::value(&s.checkpoints_dir)->value_name("DIR"), "a run's ckpt/ folder: score every checkpoint")(
      "benchmark", po::value(&s.benchmark_path)->value_name("INI"), "benchmark definition (configs/benchmarks/)")(
      "autoencoder", po::value(&s.autoencoder_path)->value_name("PTH"),
      "VQ-f4 weights (--checkpoints of latent-space models)")("teacher", po::value(&s.teacher_path)->value_name("PTH"),
                                                              "teacher weights: its full chain is shown in the crops")(
      "out", po::value(&s.out_dir)->value_name("DIR"), "results folder (required with --checkpoints)")(
      "seed", po::value(&s.seed)->default_value(12345), "inference noise seed (as sinsr infer)")(
      "device", po::value(&s.device)->default_value("auto"), dist::kDeviceHelp);
}

int run(eval::EvalSettings& s, const Invocation& inv) {
  dist::MpiContext mpi;
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
  Command c(
      "eval", "score outputs (PSNR, SSIM, LPIPS, CLIPIQA, MUSIQ) or every checkpoint of a run on a benchmark",
      "[mpirun -np R] sinsr eval --pred DIR [--gt DIR] [--out DIR] [options]\n"
      "  [mpirun -np R] sinsr eval --checkpoints RUN_DIR/ckpt --benchmark configs/benchmarks/NAME.ini [--autoencoder "
      "VQ.pth] --out DIR",
      R"(--pred/--gt: outputs are paired with references by file stem (unpaired files are listed); without --gt
only no-reference metrics (CLIPIQA, MUSIQ) are computed. PSNR/SSIM come in named variants
(eval.psnr_ssim_variants; pyiqa-ycbcr is the paper's protocol). LPIPS, CLIPIQA and MUSIQ need weight
files set in [eval] (README: Evaluation); without them they are reported unavailable.
--checkpoints: the student and EMA weights of every checkpoint super-resolve the benchmark's LQ images
in one step (sinsr infer's code path, tiles 64/56, --seed), outputs are kept under OUT/outputs/ and
scored; scores are cached in OUT/cache.jsonl per (weights hash, benchmark, metric), so a rerun only
scores new checkpoints. Writes OUT/results.csv, results.json, plots/ (metric vs step) and report.html
(table, plots, crops: LR bicubic, --teacher's full chain if given, student, EMA, reference).
Images are split over MPI ranks; the numbers do not depend on the rank count.)");
  c.sections = {"model", "autoencoder", "diffusion", "eval"};
  c.threads_flag = true;
  bind_options(c, declare, run);
  return c;
}

}  // namespace sinsr::cli
