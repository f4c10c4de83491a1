#include "trainer/checkpoint.h"

#include <fcntl.h>
#include <torch/torch.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <sstream>

#include "core/io/state_dict.h"
#include "core/util/atomic_file.h"
#include "core/util/errors.h"

namespace fs = std::filesystem;

namespace sinsr::train {

namespace {

std::string step_name(int64_t step) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%09lld", static_cast<long long>(step));
  return buf;
}

void fsync_dir(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

}  // namespace

void save_checkpoint(const std::string& run_dir, const CheckpointState& state, const torch::nn::Module& student,
                     const io::TensorDict& ema, torch::optim::Optimizer& optimizer, int keep) {
  const fs::path root = fs::path(run_dir) / "ckpt";
  const fs::path final_dir = root / step_name(state.step);
  const fs::path tmp = root / (".tmp-" + step_name(state.step) + "-" + std::to_string(::getpid()));
  fs::remove_all(tmp);
  fs::create_directories(tmp);
  try {
    io::write_state_dict((tmp / "student.pth").string(), io::module_state_dict(student));
    io::write_state_dict((tmp / "ema.pth").string(), ema);
    // Serialised in memory and written by us: LibTorch's file writer throws from its destructor when the
    // disk is full, which terminates the process instead of reporting the error.
    torch::serialize::OutputArchive archive;
    optimizer.save(archive);
    std::ostringstream bytes;
    archive.save_to(bytes);
    const std::string data = bytes.str();
    write_file_atomically((tmp / "optimizer.pt").string(), data.data(), data.size());
    Json info = state.info;
    info.set("step", Json::number(static_cast<double>(state.step)));
    write_file_atomically((tmp / "state.json").string(), info.dump(2) + "\n");
  } catch (...) {
    std::error_code ignored;  // the disk may be full: the half-made folder goes, the last checkpoint stays
    fs::remove_all(tmp, ignored);
    throw;
  }
  fsync_dir(tmp);
  fs::remove_all(final_dir);  // a re-save of the same step (after a resume) replaces it
  fs::rename(tmp, final_dir);
  fsync_dir(root);
  write_file_atomically((root / "latest").string(), step_name(state.step) + "\n");
  // Prune: keep the newest `keep` step folders (and never the one `latest` names), drop stale temporaries.
  std::vector<fs::path> steps;
  for (const auto& e : fs::directory_iterator(root)) {
    const std::string name = e.path().filename().string();
    if (name.rfind(".tmp-", 0) == 0) fs::remove_all(e.path());
    else if (e.is_directory() && name.size() == 9 && std::all_of(name.begin(), name.end(), ::isdigit)) steps.push_back(e.path());
  }
  std::sort(steps.begin(), steps.end());
  for (size_t i = 0; i + static_cast<size_t>(std::max(keep, 1)) < steps.size(); ++i)
    if (steps[i] != final_dir) fs::remove_all(steps[i]);
}

std::optional<std::string> latest_checkpoint(const std::string& run_dir) {
  const fs::path latest = fs::path(run_dir) / "ckpt" / "latest";
  if (!fs::exists(latest)) return std::nullopt;
  std::string name = read_file(latest.string());
  while (!name.empty() && (name.back() == '\n' || name.back() == ' ')) name.pop_back();
  const fs::path dir = fs::path(run_dir) / "ckpt" / name;
  if (!fs::is_directory(dir)) throw IntegrityError(latest.string() + " names " + name + ", which does not exist");
  return dir.string();
}

CheckpointState load_checkpoint(const std::string& dir, torch::nn::Module& student, io::TensorDict& ema,
                                torch::optim::Optimizer& optimizer, const c10::Device& device) {
  io::load_weights(student, (fs::path(dir) / "student.pth").string());
  const io::TensorDict saved_ema = io::read_state_dict((fs::path(dir) / "ema.pth").string());
  if (saved_ema.size() != ema.size()) throw IntegrityError(dir + "/ema.pth does not match the student's state dict");
  for (size_t i = 0; i < ema.size(); ++i) {
    if (saved_ema[i].first != ema[i].first) throw IntegrityError(dir + "/ema.pth: key " + saved_ema[i].first + " out of place");
    ema[i].second.copy_(saved_ema[i].second);
  }
  torch::serialize::InputArchive archive;
  archive.load_from((fs::path(dir) / "optimizer.pt").string(), device);
  optimizer.load(archive);
  CheckpointState s;
  s.info = Json::parse(read_file((fs::path(dir) / "state.json").string()));
  s.step = s.info["step"].as_int();
  return s;
}

}  // namespace sinsr::train
