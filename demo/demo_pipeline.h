// sinsr demo: the whole idea end to end in minutes on a CPU. Demo photos (fetched if missing) -> teacher
// pairs from the bundled small teacher (datagen) -> a distilled one-step student (train) -> bicubic vs
// teacher (15 steps) vs student (1 step) on held-out photos -> an HTML report. Every stage keeps its
// output under OUT, so a rerun resumes where it stopped (datagen and train resume exactly).
#pragma once
#include <cstdint>
#include <string>

#include "core/util/config.h"

namespace sinsr::demo {

struct DemoSettings {
  std::string out_dir;       // everything goes here
  std::string photos_dir;    // train/ and heldout/ (tools/fetch-demo-photos.sh)
  std::string fetch_script;  // run when photos_dir is missing
  std::string teacher_path;  // the bundled teacher (pixel space)
  int64_t pairs = 0;         // teacher pairs to generate
  int64_t heldout_size = 0;  // GT crop size of the held-out evaluation images
  uint64_t seed = 0;         // inference noise
  std::string device;        // --device of every stage (dist::select_device)
  Config config;             // [model] [diffusion] [degradation] [data] [datagen] [train]
};

int run_demo(const DemoSettings& s);

}  // namespace sinsr::demo
