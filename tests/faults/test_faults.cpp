// Issue 17's fault trials as tests (ctest -L faults): bad config values, a full disk (a real tmpfs), bad
// photos, NaN weights and NaN training, each through the real `sinsr` binary on the tiny config. None may
// end in a signal, a stack trace or a hang; each ends in one line naming what is wrong and the documented
// exit code (README, "Exit codes"), with nothing half-written under a final name.
#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <hdf5.h>
#include <signal.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <thread>

#include "core/io/pth.h"
#include "core/util/config.h"
#include "tests/support/photos.h"
#include "tests/support/processes.h"
#include "tests/support/run.h"

namespace fs = std::filesystem;

namespace sinsr::test {
namespace {

const std::string kTeacher = "tests/fixtures/parity/unet_small.pth", kVq = "tests/fixtures/parity/vq_small.pth";

const fs::path& photos() {
  static const fs::path d = [] {
    const fs::path p = fresh_dir("sinsr_faults_photos");
    write_four_photos(p.string());
    return p;
  }();
  return d;
}

std::string datagen(const fs::path& out, int64_t n, const std::string& teacher = kTeacher,
                    const fs::path& hr = photos()) {
  return "env SINSR_THREADS=1 " + sinsr_binary() + " datagen --config configs/tiny.ini --data.hr=" + hr.string() +
         " --out " + out.string() + " --num-samples " + std::to_string(n) + " --teacher " + teacher +
         " --autoencoder " + kVq;
}

std::string train(const fs::path& data, const fs::path& run, const std::string& extra = "", int steps = 6) {
  return "env SINSR_THREADS=1 " + sinsr_binary() + " train --config configs/tiny.ini --data " + data.string() +
         " --out " + run.string() + " --teacher " + kTeacher + " --train.steps=" + std::to_string(steps) +
         " --train.batch_size=4 --train.microbatch=2 --train.val_samples=2 --train.log_every=1"
         " --train.ckpt_every=2 --train.keep_ckpts=10 --train.warmup=0" +
         extra;
}

// A data set of 24 teacher pairs shared by the training tests.
const fs::path& pairs() {
  static const fs::path d = [] {
    const fs::path p = fresh_dir("sinsr_faults_pairs") / "ds";
    const RunResult r = run_command(datagen(p, 24));
    if (r.exit_code != 0) throw std::runtime_error("datagen for the fault tests failed: " + r.output);
    return p;
  }();
  return d;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// The run's error line: exit code `code` (never a signal: 128 + n), one line naming every needle.
void expect_error_line(const RunResult& r, int code, const std::vector<std::string>& needles) {
  EXPECT_EQ(r.exit_code, code) << r.output;
  EXPECT_EQ(r.output.find("terminate called"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("Exception raised from"), std::string::npos) << r.output;  // a LibTorch stack trace
  bool found = false;
  for (const std::string& line : lines_of(r.output)) {
    bool all = true;
    for (const std::string& n : needles) all = all && line.find(n) != std::string::npos;
    found = found || all;
  }
  EXPECT_TRUE(found) << "no line names all of the expected parts:\n" << r.output;
}

std::vector<std::string> names_in(const fs::path& dir) {
  std::vector<std::string> out;
  if (fs::exists(dir))
    for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

// A real tmpfs of `size` on a fresh folder, unmounted at the end. Mounting needs root: without it the
// test that asks for one is skipped (CI runs as root).
class Tmpfs {
 public:
  Tmpfs(const std::string& name, const std::string& size) : dir_(fresh_dir(name)) {
    mounted_ = run_command("mount -t tmpfs -o size=" + size + " tmpfs " + dir_.string()).exit_code == 0;
  }
  ~Tmpfs() {
    if (mounted_) run_command("umount -l " + dir_.string());
  }
  bool mounted() const { return mounted_; }
  const fs::path& dir() const { return dir_; }
  // "Space is back": the same file system, grown.
  void resize(const std::string& size) const {
    ASSERT_EQ(run_command("mount -o remount,size=" + size + " " + dir_.string()).exit_code, 0);
  }

 private:
  fs::path dir_;
  bool mounted_ = false;
};

// 17.1: load_config checks every key against its rule before a command does anything: one key of every
// section each command reads (all keys' rules are unit-tested in-process), and the values seen in the trials.
TEST(Faults, EveryCommandRefusesABadConfigValueBeforeAnyWork) {
  const std::vector<std::string> commands = {"infer", "degrade", "datagen", "train", "train-teacher", "eval", "demo"};
  std::set<std::string> sections_seen;
  for (const std::string& command : commands) {
    const RunResult printed = run_command(sinsr_binary() + " " + command + " --print-config");
    ASSERT_EQ(printed.exit_code, 0) << printed.output;
    for (const std::string& line : lines_of(printed.output)) {
      if (line.empty() || line.front() != '[') continue;
      const std::string section = line.substr(1, line.size() - 2);
      sections_seen.insert(section);
      for (const ConfigKey& k : config_schema()) {
        if (k.section != section || k.rule.describe().empty()) continue;
        const RunResult r = run_command(sinsr_binary() + " " + command + " --" + k.dotted() + "=nan");
        expect_error_line(r, 2, {"config key " + k.dotted() + " = 'nan' (from command line): expected"});
        break;  // one key per section and command
      }
    }
  }
  EXPECT_EQ(sections_seen.size(), config_sections().size() - 1);  // every section but [benchmark] (eval's files)
  for (const std::string command : {"train", "train-teacher"})
    for (const std::string bad : {"log_every=0", "ckpt_every=0", "val_every=0", "lr=-1", "lr=nan", "ema_rate=2",
                                  "log_every=-1", "peer_timeout=0"}) {
      const RunResult r = run_command(sinsr_binary() + " " + command + " --train." + bad);
      expect_error_line(
          r, 2, {"config key train." + bad.substr(0, bad.find('=')) + " = '" + bad.substr(bad.find('=') + 1) + "'"});
    }
  // A bad value in a file names the file.
  const fs::path ini = fresh_dir("sinsr_faults_ini") / "bad.ini";
  std::ofstream(ini) << "[datagen]\nshard_size = 0\n";
  expect_error_line(run_command(sinsr_binary() + " datagen --config " + ini.string()), 2,
                    {"config key datagen.shard_size = '0' (from " + ini.string() + "): expected an integer >= 1"});
}

// 17.1: values inside their rules that do not fit together or with the model still end in one line, never a
// LibTorch stack trace or a signal: x1 for a latent model whose autoencoder downsamples by 4 (the UNet's check
// names diffusion.sf), and an image_size whose Swin masks would not fit in memory (bounded by its rule).
TEST(Faults, ValuesThatDoNotFitTheModelEndInOneLine) {
  const std::string infer = sinsr_binary() + " infer --config configs/tiny.ini -i " + (photos() / "p0.png").string() +
                            " -o " + (fresh_dir("sinsr_faults_fit") / "out").string() + " --model " + kTeacher +
                            " --autoencoder " + kVq;
  expect_error_line(run_command(infer + " --diffusion.sf=1"), 1,
                    {"p0.png", "does not fit the diffusion state", "diffusion.sf"});
  expect_error_line(
      run_command(infer + " --model.image_size=100000"), 2,
      {"config key model.image_size = '100000' (from command line): expected an integer >= 1 and <= 4096"});
}

// 17.2: a disk that fills while shards are written: one line with the file and the system's reason, exit 1,
// no signal (HDF5 used to crash at exit), no temporary file left; once space is back the rerun completes a
// data set that datagen-verify accepts.
TEST(Faults, DiskFullWhileWritingShardsFailsCleanlyAndTheRerunCompletes) {
  Tmpfs disk("sinsr_faults_shards", "300k");
  if (!disk.mounted()) GTEST_SKIP() << "mounting a tmpfs needs root";
  const fs::path out = disk.dir() / "ds";
  expect_error_line(run_command(datagen(out, 40)), 1, {(out / "pairs-").string(), ".h5", "No space left on device"});
  for (const std::string& name : names_in(out))
    EXPECT_TRUE(name.rfind("pairs-", 0) == 0 && name.size() == std::string("pairs-000000000.h5").size()) << name;
  EXPECT_FALSE(fs::exists(out / "manifest.json"));
  disk.resize("20m");
  const RunResult again = run_command(datagen(out, 40));
  ASSERT_EQ(again.exit_code, 0) << again.output;
  const RunResult verify = run_command(sinsr_binary() + " datagen-verify " + out.string());
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
}

// 17.2: a disk that fills while a checkpoint is written (LibTorch's writer used to abort the process, 134):
// exit 1 naming the file, the half-made checkpoint folder removed, `latest` still the previous one; once
// space is back the run resumes from it and ends with the same weights as a run that never failed.
TEST(Faults, DiskFullWhileCheckpointingFailsCleanlyAndResumesExactly) {
  const fs::path reference = fresh_dir("sinsr_faults_ckpt_ref") / "run";
  ASSERT_EQ(run_command(train(pairs(), reference)).exit_code, 0);
  const auto checkpoint_bytes = [&](const fs::path& run) {
    uintmax_t n = 0;
    for (const auto& e : fs::recursive_directory_iterator(run / "ckpt" / "000000002")) n += e.file_size();
    return n;
  };
  const uintmax_t ckpt = checkpoint_bytes(reference);
  // Room for one checkpoint and a half (plus the logs), so the second one fails half-way.
  Tmpfs disk("sinsr_faults_ckpt", std::to_string(ckpt * 3 / 2 / 1024 + 64) + "k");
  if (!disk.mounted()) GTEST_SKIP() << "mounting a tmpfs needs root";
  const fs::path run = disk.dir() / "run";
  expect_error_line(run_command(train(pairs(), run)), 1, {(run / "ckpt").string(), "No space left on device"});
  EXPECT_EQ(names_in(run / "ckpt"), (std::vector<std::string>{"000000002", "latest"}));
  disk.resize(std::to_string(ckpt * 5 / 1024 + 1024) + "k");
  const RunResult resumed = run_command(train(pairs(), run));
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_NE(resumed.output.find("resuming from"), std::string::npos) << resumed.output;
  const io::TensorDict a = io::read_state_dict((run / "ckpt" / "000000006" / "student.pth").string());
  const io::TensorDict b = io::read_state_dict((reference / "ckpt" / "000000006" / "student.pth").string());
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(a[i].second.equal(b[i].second)) << a[i].first;
}

// 17.2: a read-only target (a real read-only mount): one line naming the file and the system's reason, exit 1,
// for an image (infer), a run folder (train) and a data set (datagen).
TEST(Faults, AReadOnlyTargetIsOneLineNamingTheFile) {
  Tmpfs disk("sinsr_faults_readonly", "4m");
  if (!disk.mounted()) GTEST_SKIP() << "mounting a tmpfs needs root";
  fs::create_directories(disk.dir() / "out");
  ASSERT_EQ(run_command("mount -o remount,ro " + disk.dir().string()).exit_code, 0);
  const std::string input = (photos() / "p0.png").string();
  expect_error_line(run_command(sinsr_binary() + " infer --config configs/tiny.ini -i " + input + " -o " +
                                (disk.dir() / "out").string() + " --model " + kTeacher + " --autoencoder " + kVq),
                    1, {(disk.dir() / "out" / "p0.png").string(), "Read-only file system"});
  expect_error_line(run_command(train(pairs(), disk.dir() / "run")), 1,
                    {(disk.dir() / "run").string(), "Read-only file system"});
  expect_error_line(run_command(datagen(disk.dir() / "out", 4)), 1,
                    {(disk.dir() / "out").string(), "Read-only file system"});
}

// 17.3: bad photos among good ones (a header claiming 100000 x 100000 pixels, text named .png, a 16-bit
// and a grey photo) never stop datagen or degrade: each bad one is logged once with its path, the run succeeds.
TEST(Faults, BadPhotosAreLoggedOnceAndSkippedByDatagenAndDegrade) {
  const fs::path hr = fresh_dir("sinsr_faults_badphotos");
  for (int i = 0; i < 3; ++i) write_synthetic_photo((hr / ("p" + std::to_string(i) + ".png")).string(), 140, 150, i);
  write_png_claiming((hr / "huge.png").string(), 100000, 100000);
  std::ofstream(hr / "text.png") << "not an image";
  const RunResult gen = run_command(datagen(fresh_dir("sinsr_faults_badphotos_out") / "ds", 16, kTeacher, hr));
  ASSERT_EQ(gen.exit_code, 0) << gen.output;
  for (const std::string bad : {"huge.png", "text.png"}) {
    int mentions = 0;
    for (const std::string& line : lines_of(gen.output)) mentions += line.find(bad) != std::string::npos;
    EXPECT_EQ(mentions, 1) << bad << "\n" << gen.output;
  }
  EXPECT_NE(gen.output.find("data.max_pixels"), std::string::npos) << gen.output;
  const RunResult deg = run_command(sinsr_binary() + " degrade --config configs/tiny.ini --data.hr=" + hr.string() +
                                    " -o " + (fresh_dir("sinsr_faults_degrade") / "out").string() + " --count 12");
  EXPECT_EQ(deg.exit_code, 0) << deg.output;
  EXPECT_NE(deg.output.find("huge.png"), std::string::npos) << deg.output;
}

// The teacher fixture with one weight set to NaN.
std::string nan_teacher() {
  io::TensorDict state = io::read_state_dict(kTeacher);
  for (auto& [key, t] : state)
    if (t.is_floating_point()) {
      t = t.clone();
      t.view(-1)[0] = std::numeric_limits<float>::quiet_NaN();
      break;
    }
  const std::string path = (fresh_dir("sinsr_faults_nan") / "nan_teacher.pth").string();
  io::write_state_dict(path, state);
  return path;
}

// 17.4: NaN weights warn at load (naming the tensor); infer writes no image from NaN output (exit 3, naming
// the input and the weights); datagen finishes no shard holding NaN (exit 3, naming the sample).
TEST(Faults, NanWeightsNeverBecomeAnImageOrAShard) {
  const std::string teacher = nan_teacher();
  const fs::path out = fresh_dir("sinsr_faults_nan_infer") / "out";
  const std::string input = (photos() / "p0.png").string();
  const RunResult inf = run_command("env SINSR_THREADS=1 " + sinsr_binary() + " infer --config configs/tiny.ini -i " +
                                    input + " -o " + out.string() + " --model " + teacher + " --autoencoder " + kVq);
  expect_error_line(inf, 3, {input, "NaN or infinite", teacher});
  expect_error_line(inf, 3, {"warning: checkpoint '" + teacher + "' holds NaN"});
  EXPECT_TRUE(names_in(out).empty());
  const fs::path ds = fresh_dir("sinsr_faults_nan_datagen") / "ds";
  const RunResult gen = run_command(datagen(ds, 8, teacher));
  expect_error_line(gen, 3, {"sample ", "NaN or infinite", teacher});
  EXPECT_TRUE(names_in(ds).empty()) << names_in(ds).size();
}

// 17.4: a step whose gradient is not finite (a learning rate of 1e30 blows the weights up after one step):
// by default the run stops (exit 1) naming the step and the rank, without checkpointing it; with
// train.nonfinite = skip the steps are skipped and logged, and every checkpoint is finite.
TEST(Faults, NonFiniteTrainingStepsAbortOrAreSkipped) {
  const fs::path abort_run = fresh_dir("sinsr_faults_nan_train") / "run";
  const RunResult aborted = run_command(train(pairs(), abort_run, " --train.lr=1e30"));
  expect_error_line(aborted, 1, {"NaN or infinite gradient at step 2"});
  expect_error_line(aborted, 1, {"rank 0: its loss was NaN or infinite at step 2"});
  EXPECT_FALSE(fs::exists(abort_run / "ckpt"));
  const fs::path skip_run = fresh_dir("sinsr_faults_nan_skip") / "run";
  const RunResult skipped = run_command(train(pairs(), skip_run, " --train.lr=1e30 --train.nonfinite=skip"));
  ASSERT_EQ(skipped.exit_code, 0) << skipped.output;
  expect_error_line(skipped, 0, {"step 2: NaN or infinite gradient, step skipped"});
  for (const std::string step : {"000000002", "000000004", "000000006"})
    for (const auto& [key, t] : io::read_state_dict((skip_run / "ckpt" / step / "student.pth").string()))
      EXPECT_TRUE(t.isfinite().all().item<bool>()) << step << " " << key;
  std::ifstream metrics(skip_run / "metrics.jsonl");
  std::string last, line;
  while (std::getline(metrics, line)) last = line;
  EXPECT_NE(last.find("\"skipped_steps\":5"), std::string::npos) << last;
}

// The pid of MPI rank `rank` among mpirun's children (its environment says which it is).
pid_t rank_pid(pid_t mpirun, int rank) {
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::istringstream children(run_command("pgrep -P " + std::to_string(mpirun)).output);
    for (pid_t child; children >> child;) {
      std::ifstream env("/proc/" + std::to_string(child) + "/environ");
      std::string var;
      while (std::getline(env, var, '\0'))
        if (var == "OMPI_COMM_WORLD_RANK=" + std::to_string(rank)) return child;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return 0;
}

// 17.5: a rank that stops making progress (SIGSTOP stands in for a hung file system) makes the job exit
// non-zero within datagen.peer_timeout, whether it is the root (the other rank gives up waiting for it)
// or not (the root gives up on it), instead of spinning forever.
TEST(Faults, AStoppedDatagenRankMakesTheJobExitWithinThePeerTimeout) {
  for (const int stopped : {1, 0}) {
    const fs::path out = fresh_dir("sinsr_faults_stopped_" + std::to_string(stopped)) / "ds";
    BackgroundCommand job(
        "env OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 SINSR_THREADS=1 mpirun -np 2 "
        "--oversubscribe " +
        sinsr_binary() + " datagen --config configs/tiny.ini --data.hr=" + photos().string() + " --out " +
        out.string() + " --num-samples 2000 --teacher " + kTeacher + " --autoencoder " + kVq +
        " --datagen.peer_timeout=8");
    // Under way: a first shard is done.
    ASSERT_TRUE(job.wait_for([&] {
      for (const std::string& name : names_in(out))
        if (name.size() == std::string("pairs-000000000.h5").size()) return true;
      return false;
    }));
    const pid_t pid = rank_pid(job.pid(), stopped);
    ASSERT_GT(pid, 0);
    ASSERT_EQ(kill(pid, SIGSTOP), 0);
    const auto t0 = std::chrono::steady_clock::now();
    int status = 0;
    // The other rank needs up to one shard (and its peer_timeout) to notice: 2000 samples would take minutes.
    EXPECT_TRUE(job.wait_for([&] { return job.exited(status); }, std::chrono::seconds(60)))
        << "rank " << stopped << " stopped: the job still runs";
    kill(pid, SIGCONT);
    EXPECT_FALSE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "rank " << stopped << " stopped, yet exit 0";
    EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 60.0);
  }
}

// 17.6: train on a data set with a missing, truncated or corrupted shard exits 3 (integrity), naming the shard:
// missing and truncated ones at start (sizes against the manifest), corrupted ones when a sample is read
// (Fletcher32), instead of exit 1 or training on.
TEST(Faults, TrainOnADamagedDataSetExitsThreeNamingTheShard) {
  const std::string shard = "pairs-000000008.h5";
  auto damaged_copy = [&](const std::string& name, const std::function<void(const fs::path&)>& damage) {
    const fs::path copy = fresh_dir("sinsr_faults_damaged_" + name) / "ds";
    fs::copy(pairs(), copy);
    damage(copy / shard);
    return copy;
  };
  const fs::path missing = damaged_copy("missing", [](const fs::path& p) { fs::remove(p); });
  expect_error_line(run_command(train(missing, missing.parent_path() / "run")), 3,
                    {(missing / shard).string(), "missing"});
  const fs::path truncated =
      damaged_copy("truncated", [](const fs::path& p) { fs::resize_file(p, fs::file_size(p) / 2); });
  expect_error_line(run_command(train(truncated, truncated.parent_path() / "run")), 3,
                    {(truncated / shard).string(), "the manifest says", "datagen-verify"});
  const fs::path flipped = damaged_copy("flipped", [](const fs::path& p) {
    // One bit inside the stored chunk of z_teacher's first row (sample 8), which training reads.
    haddr_t address = 0;
    hsize_t bytes = 0;
    {
      const hid_t file = H5Fopen(p.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT),
                  dataset = H5Dopen2(file, "z_teacher", H5P_DEFAULT);
      const hsize_t row0[4] = {0, 0, 0, 0};
      unsigned filter_mask = 0;
      ASSERT_GE(H5Dget_chunk_info_by_coord(dataset, row0, &filter_mask, &address, &bytes), 0);
      H5Dclose(dataset);
      H5Fclose(file);
    }
    std::fstream f(p, std::ios::in | std::ios::out | std::ios::binary);
    const auto at = static_cast<std::streamoff>(address + bytes / 2);
    f.seekg(at);
    const char c = static_cast<char>(f.get());
    f.seekp(at);
    f.put(static_cast<char>(c ^ 0x10));
  });
  // Every sample is read within 6 steps of 4 (22 training pairs), so the damaged one is met.
  expect_error_line(run_command(train(flipped, flipped.parent_path() / "run")), 3,
                    {(flipped / shard).string(), "datagen-verify"});
}

const std::string kMpirun2 =
    "env OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 mpirun -np 2 --oversubscribe ";

// 17.6: SIGTERM under mpirun: every rank exits 75, but mpirun reports its own code; the run folder's STOPPED
// marker says "stopped cleanly, rerun to resume" whatever the launcher. The rerun removes it and completes.
TEST(Faults, AStopUnderMpirunLeavesTheRequeueMarkerAndTheRerunClearsIt) {
  const fs::path run = fresh_dir("sinsr_faults_marker_train") / "run";
  const std::string train_cmd = kMpirun2 + train(pairs(), run, "", 400);
  {
    BackgroundCommand job(train_cmd);
    ASSERT_TRUE(job.wait_for([&] { return fs::exists(run / "ckpt" / "latest"); }));
    job.signal(SIGTERM, /*whole_group=*/true);
    int status = 0;
    ASSERT_TRUE(job.wait_for([&] { return job.exited(status); }, std::chrono::seconds(60)));
    EXPECT_FALSE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  ASSERT_TRUE(fs::exists(run / "STOPPED"));
  std::ifstream marker(run / "STOPPED");
  std::string text((std::istreambuf_iterator<char>(marker)), {});
  EXPECT_NE(text.find("exit code 75"), std::string::npos) << text;
  const RunResult rerun = run_command(train(pairs(), run, "", 8));  // resumes, ends sooner
  ASSERT_EQ(rerun.exit_code, 0) << rerun.output;
  EXPECT_FALSE(fs::exists(run / "STOPPED"));

  const fs::path ds = fresh_dir("sinsr_faults_marker_datagen") / "ds";
  {
    BackgroundCommand job(kMpirun2 + datagen(ds, 400));
    ASSERT_TRUE(job.wait_for([&] {
      for (const std::string& name : names_in(ds))
        if (name.size() == std::string("pairs-000000000.h5").size()) return true;
      return false;
    }));
    job.signal(SIGTERM, /*whole_group=*/true);
    int status = 0;
    ASSERT_TRUE(job.wait_for([&] { return job.exited(status); }, std::chrono::seconds(60)));
  }
  EXPECT_TRUE(fs::exists(ds / "STOPPED"));
  EXPECT_FALSE(fs::exists(ds / "manifest.json"));
}

}  // namespace
}  // namespace sinsr::test
