#include "trainer/checkpoint.h"

#include <torch/torch.h>

#include <filesystem>
#include <sstream>

#include "core/io/state_dict.h"
#include "core/run/run_folder.h"
#include "core/util/atomic_file.h"
#include "core/util/errors.h"

namespace fs = std::filesystem;

namespace sinsr::train {

void save_checkpoint(const std::string& run_dir, const CheckpointState& state, const torch::nn::Module& student,
                     const io::TensorDict& ema, torch::optim::Optimizer& optimizer, int keep) {
  const fs::path tmp = run::begin_checkpoint(run_dir, state.step);
  try {
    io::write_state_dict((tmp / run::kStudentWeights).string(), io::module_state_dict(student));
    io::write_state_dict((tmp / run::kEmaWeights).string(), ema);
    // Serialised in memory and written by us: LibTorch's file writer throws from its destructor when the
    // disk is full, which terminates the process instead of reporting the error.
    torch::serialize::OutputArchive archive;
    optimizer.save(archive);
    std::ostringstream bytes;
    archive.save_to(bytes);
    const std::string data = bytes.str();
    write_file_atomically((tmp / run::kOptimizerState).string(), data.data(), data.size());
    Json info = state.info;
    info.set("step", Json::number(static_cast<double>(state.step)));
    write_file_atomically((tmp / run::kStateFile).string(), info.dump(2) + "\n");
  } catch (...) {
    std::error_code ignored;  // the disk may be full: the half-made folder goes, the last checkpoint stays
    fs::remove_all(tmp, ignored);
    throw;
  }
  run::publish_checkpoint(tmp.string(), run_dir, state.step, keep);
}

CheckpointState load_checkpoint(const std::string& dir, torch::nn::Module& student, io::TensorDict& ema,
                                torch::optim::Optimizer& optimizer, const c10::Device& device) {
  io::load_weights(student, (fs::path(dir) / run::kStudentWeights).string());
  const io::TensorDict saved_ema = io::read_state_dict((fs::path(dir) / run::kEmaWeights).string());
  if (saved_ema.size() != ema.size()) throw IntegrityError(dir + "/ema.pth does not match the student's state dict");
  for (size_t i = 0; i < ema.size(); ++i) {
    if (saved_ema[i].first != ema[i].first)
      throw IntegrityError(dir + "/ema.pth: key " + saved_ema[i].first + " out of place");
    ema[i].second.copy_(saved_ema[i].second);
  }
  torch::serialize::InputArchive archive;
  archive.load_from((fs::path(dir) / run::kOptimizerState).string(), device);
  optimizer.load(archive);
  CheckpointState s;
  s.info = Json::parse(read_file((fs::path(dir) / run::kStateFile).string()));
  s.step = s.info["step"].as_int();
  return s;
}

}  // namespace sinsr::train
