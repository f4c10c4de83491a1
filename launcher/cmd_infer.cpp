// sinsr infer: super-resolve a file or a folder of images with the one-step student (or the teacher's
// full chain), folders in, folders out.
#include <filesystem>
#include <iostream>
#include <map>

#include "core/diffusion/diffusion.h"
#include "core/diffusion/first_stage.h"
#include "core/dist/device.h"
#include "core/io/image_io.h"
#include "core/io/state_dict.h"
#include "core/sr/super_resolver.h"
#include "core/util/error_text.h"
#include "core/util/errors.h"
#include "core/util/progress.h"
#include "core/util/rng.h"
#include "launcher/commands.h"

namespace sinsr::cli {

namespace {

namespace fs = std::filesystem;

struct Job {
  std::string input, output;
};

std::vector<Job> plan_jobs(const std::string& input, const std::string& out_dir, const std::string& format) {
  std::vector<std::string> inputs;
  if (fs::is_directory(input)) {
    inputs = io::list_images(input);
    if (inputs.empty()) throw UsageError("no images (png/jpg/jpeg/bmp/webp/tif) in '" + input + "'");
  } else if (fs::exists(input)) {
    inputs = {input};
  } else {
    throw UsageError("input '" + input + "' does not exist");
  }
  std::vector<Job> jobs;
  std::map<std::string, std::string> by_output;
  for (const auto& in : inputs) {
    const std::string out = (fs::path(out_dir) / (fs::path(in).stem().string() + "." + format)).string();
    if (auto it = by_output.find(out); it != by_output.end())
      throw UsageError("'" + it->second + "' and '" + in + "' would both be written to '" + out + "'; rename one");
    by_output[out] = in;
    jobs.push_back({in, out});
  }
  // Never overwrite an input (e.g. -o pointing at the input folder with --fp matching their format).
  for (const auto& job : jobs)
    for (const auto& in : inputs)
      if (fs::exists(job.output) && fs::equivalent(job.output, in))
        throw UsageError("output '" + job.output + "' is an input file; choose another output folder");
  return jobs;
}

sr::SamplerKind parse_sampler(const std::string& s) {
  if (s == "deterministic") return sr::SamplerKind::Deterministic;
  if (s == "stochastic") return sr::SamplerKind::Stochastic;
  throw UsageError("--sampler takes 'deterministic' or 'stochastic', not '" + s + "'");
}

sr::Blend parse_blend(const std::string& s) {
  if (s == "smooth") return sr::Blend::Smooth;
  if (s == "uniform") return sr::Blend::Uniform;
  throw UsageError("--blend takes 'smooth' or 'uniform', not '" + s + "'");
}

// `sinsr infer`'s flags; --scale and --chop-stride stay in the invocation (given or not).
struct InferOptions {
  std::string input, output, model, autoencoder;
  int64_t steps = 1;
  std::string sampler, blend, precision, format, device, max_memory;
  int64_t chop_size = 0;
  uint64_t seed = 0;
};

void declare(po::options_description& o, po::positional_options_description&, InferOptions& f) {
  o.add_options()("input,i", po::value(&f.input)->required()->value_name("FILE|DIR"), "image or folder of images")(
      "output,o", po::value(&f.output)->required()->value_name("DIR"), "output folder (created)")(
      "model", po::value(&f.model)->required()->value_name("PTH"), "UNet weights (SinSR student, or ResShift teacher)")(
      "autoencoder", po::value(&f.autoencoder)->value_name("PTH"),
      "VQ-f4 weights (autoencoder_vq_f4.pth); latent-space models only (diffusion.latent_flag = true)")(
      "steps", po::value(&f.steps)->default_value(1), "1 = one network call (SinSR); 15 = the full chain (teacher)")(
      "sampler", po::value(&f.sampler)->default_value("deterministic"),
      "full chain only: deterministic (SinSR's ODE) or stochastic (ResShift)")(
      "scale", po::value<int64_t>()->value_name("N"), "upscaling factor (default: [diffusion] sf = 4)")(
      "max-memory", po::value(&f.max_memory)->value_name("SIZE"),
      "peak memory to size tiles by, e.g. 6G (default: a quarter of RAM or the job's limit; half a GPU's memory)")(
      "chop-size", po::value(&f.chop_size)->default_value(0),
      "force tiles of N input pixels (0: the largest that fit --max-memory; the reference on GPUs: 128)")(
      "chop-stride", po::value<int64_t>()->value_name("N"), "tile stride in input pixels (default: 7/8 of the size)")(
      "blend", po::value(&f.blend)->default_value("smooth"), "tile blending: smooth or uniform (the reference's)")(
      "seed", po::value(&f.seed)->default_value(12345), "noise seed")(
      "device", po::value(&f.device)->default_value("auto"), dist::kDeviceHelp)(
      "precision", po::value(&f.precision)->default_value("fp32"),
      "fp32, bf16 or fp16 (GPU only): the UNet under autocast, the autoencoder in half precision")(
      "fp", po::value(&f.format)->default_value("png"), "output format: png or jpg");
}

int run(InferOptions& f, const Invocation& inv) {
  const auto& a = inv.args;
  if (f.format != "png" && f.format != "jpg") throw UsageError("--fp takes 'png' or 'jpg', not '" + f.format + "'");
  const auto jobs = plan_jobs(f.input, f.output, f.format);

  DiffusionConfig dcfg = DiffusionConfig::from_config(inv.config);
  if (a.count("scale")) dcfg.sf = a["scale"].as<int64_t>();
  dcfg.validate();
  sr::SuperResolveOptions opt;
  opt.steps = f.steps;
  opt.sampler = parse_sampler(f.sampler);
  opt.chop_size = f.chop_size;
  if (a.count("chop-stride") && f.chop_size == 0) throw UsageError("--chop-stride needs --chop-size");
  opt.chop_stride = a.count("chop-stride") ? a["chop-stride"].as<int64_t>() : opt.chop_size - opt.chop_size / 8;
  if (!f.max_memory.empty()) {
    if (f.chop_size > 0) throw UsageError("give --max-memory or --chop-size, not both");
    opt.max_memory = sr::parse_memory_size(f.max_memory, "--max-memory");
  }
  opt.blend = parse_blend(f.blend);

  const c10::Device device = dist::select_device(f.device);
  const Precision precision = parse_precision(f.precision, "--precision");
  check_precision(precision, device, "--precision");
  nn::UNetModelSwin unet(UNetConfig::from_config(inv.config));
  io::load_weights(*unet, f.model);
  unet->to(device);
  unet->set_inference_precision(precision);
  sr::SuperResolver sr(unet, Diffusion(dcfg, load_first_stage(inv.config, f.autoencoder, device, precision)), opt);

  fs::create_directories(f.output);
  std::cerr << "sinsr infer: " << jobs.size() << " image(s), "
            << (opt.steps == 1 ? "one step" : std::to_string(opt.steps) + " steps") << ", x" << sr.scale() << ", "
            << (opt.chop_size > 0 ? "tiles " + std::to_string(opt.chop_size) + "/" + std::to_string(opt.chop_stride)
                                  : "tiles sized for " + sr::format_memory_size(sr.memory_budget()))
            << ", " << (device.is_cuda() ? device.str() : std::to_string(inv.threads) + " thread(s)") << ", "
            << precision_name(precision) << "\n";
  Progress progress(static_cast<int64_t>(jobs.size()), "images");
  int failed = 0;
  for (const auto& job : jobs) {
    try {
      io::LoadedImage img = io::read_image(job.input);
      for (const auto& w : img.warnings) progress.message("warning: " + job.input + ": " + w);
      const int64_t height = img.rgb.size(1), width = img.rgb.size(2);
      const sr::TilePlan plan = sr.tile_plan(height, width);
      const size_t rows = sr::tile_starts(height, plan.size, plan.stride).size(),
                   cols = sr::tile_starts(width, plan.size, plan.stride).size();
      if (rows * cols > 1 && opt.chop_size == 0)  // the size a seam check (tools/seam_metric.py) needs
        progress.message(job.input + ": " + std::to_string(rows) + "x" + std::to_string(cols) + " tiles of " +
                         std::to_string(plan.size) + " px, stride " + std::to_string(plan.stride));
      if (!plan.fits)
        progress.message("warning: " + job.input + ": even " + std::to_string(plan.size) +
                         "-pixel tiles need more than " + sr::format_memory_size(sr.memory_budget()) +
                         " (--max-memory); running them anyway");
      // The noise depends on the seed and the file name only: results do not depend on order or company.
      const uint64_t key = derive_seed(f.seed, "infer", fs::path(job.input).filename().string());
      const at::Tensor out = sr.upscale(img.rgb, key);
      // Saved, NaN would be a black image: non-finite output means broken weights, so the run stops (exit 3).
      if (!out.isfinite().all().item<bool>())
        throw IntegrityError(job.input +
                             ": the output holds NaN or infinite values; nothing written for it (check the "
                             "weights " +
                             f.model + ")");
      io::write_image(job.output, out);
    } catch (const IntegrityError&) {
      throw;
    } catch (const std::exception& e) {
      progress.message("skipping " + job.input + ": " + error_text(e));
      ++failed;
    }
    progress.advance();
  }
  progress.finish();
  const double secs = progress.elapsed_seconds();
  std::cerr << "sinsr infer: " << jobs.size() - static_cast<size_t>(failed) << " written to " << f.output << ", "
            << failed << " failed, " << format_duration(secs) << " ("
            << static_cast<double>(jobs.size()) / std::max(secs, 1e-9) << " images/s; encode " << sr.times().encode
            << " s, unet " << sr.times().unet << " s, decode " << sr.times().decode << " s)\n";
  return failed ? kExitFailure : kExitOk;
}

}  // namespace

Command infer_command() {
  Command c("infer", "super-resolve images x4 with the one-step student (or the teacher's full chain)",
            "sinsr infer -i FILE|DIR -o DIR --model MODEL.pth [--autoencoder VQ.pth] [options]",
            R"(Reads PNG/JPEG/BMP/WebP/TIFF (8/16-bit, gray, RGBA: alpha dropped with a warning) and writes
<stem>.png (or .jpg) at x4 into DIR. Images are padded to the network's multiple and cropped back;
an image whose peak memory would exceed --max-memory is cut into the largest overlapping tiles that
fit, blended with smooth ramps (or the reference's uniform average); --chop-size forces a tile size. The noise of an image depends only on --seed and its file name. A file that cannot be read
is reported and skipped; the exit code is 1 if any failed. An output holding NaN or infinities (broken
weights) is never written: the run stops with exit 3. The networks are the [model], [autoencoder]
and [diffusion] config (defaults: the paper's full-size model; configs/tiny.ini for the small one).)");
  c.sections = {"model", "autoencoder", "diffusion"};
  c.threads_flag = true;
  bind_options(c, declare, run);
  return c;
}

}  // namespace sinsr::cli
