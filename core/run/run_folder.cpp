#include "core/run/run_folder.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "core/util/atomic_file.h"
#include "core/util/errors.h"

namespace fs = std::filesystem;

namespace sinsr::run {

namespace {

constexpr const char* kLatestFile = "latest";
constexpr const char* kTempPrefix = ".tmp-";

}  // namespace

std::string checkpoint_name(int64_t step) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%09lld", static_cast<long long>(step));
  return buf;
}

std::optional<int64_t> checkpoint_step(const std::string& name) {
  if (name.size() != 9 || !std::all_of(name.begin(), name.end(), ::isdigit)) return std::nullopt;
  return std::stoll(name);
}

std::vector<CheckpointFolder> list_checkpoints(const std::string& ckpt_root) {
  std::vector<CheckpointFolder> out;
  for (const auto& e : fs::directory_iterator(ckpt_root)) {
    const std::string name = e.path().filename().string();
    if (const auto step = checkpoint_step(name); step && e.is_directory())
      out.push_back({name, e.path().string(), *step});
  }
  std::sort(out.begin(), out.end(),
            [](const CheckpointFolder& a, const CheckpointFolder& b) { return a.step < b.step; });
  return out;
}

std::optional<std::string> latest_checkpoint(const std::string& run_dir) {
  const fs::path latest = fs::path(run_dir) / kCheckpointsFolder / kLatestFile;
  if (!fs::exists(latest)) return std::nullopt;
  std::string name = read_file(latest.string());
  while (!name.empty() && (name.back() == '\n' || name.back() == ' ')) name.pop_back();
  const fs::path dir = fs::path(run_dir) / kCheckpointsFolder / name;
  if (!fs::is_directory(dir)) throw IntegrityError(latest.string() + " names " + name + ", which does not exist");
  return dir.string();
}

std::string begin_checkpoint(const std::string& run_dir, int64_t step) {
  const fs::path tmp =
      fs::path(run_dir) / kCheckpointsFolder / (kTempPrefix + checkpoint_name(step) + "-" + std::to_string(::getpid()));
  fs::remove_all(tmp);
  fs::create_directories(tmp);
  return tmp.string();
}

void publish_checkpoint(const std::string& temp_dir, const std::string& run_dir, int64_t step, int keep) {
  const fs::path root = fs::path(run_dir) / kCheckpointsFolder;
  const fs::path final_dir = root / checkpoint_name(step);
  fs::remove_all(final_dir);  // a re-save of the same step (after a resume) replaces it
  rename_durably(temp_dir, final_dir.string());
  write_file_atomically((root / kLatestFile).string(), checkpoint_name(step) + "\n");
  for (const auto& e : fs::directory_iterator(root))
    if (e.path().filename().string().rfind(kTempPrefix, 0) == 0) fs::remove_all(e.path());
  // Keep the newest `keep` step folders, and always the one `latest` names.
  const std::vector<CheckpointFolder> steps = list_checkpoints(root.string());
  for (size_t i = 0; i + static_cast<size_t>(std::max(keep, 1)) < steps.size(); ++i)
    if (steps[i].step != step) fs::remove_all(steps[i].dir);
}

}  // namespace sinsr::run
