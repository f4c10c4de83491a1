// sinsr datagen / datagen-verify end to end with the tiny config: real `mpirun -np 2` processes, real
// `kill -9`, real bit flips. Sample data is compared dataset by dataset, per index.
#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "core/io/hdf5_file.h"
#include "core/pairs/shard_names.h"
#include "core/util/atomic_file.h"
#include "core/util/config.h"
#include "core/util/errors.h"
#include "tests/support/photos.h"
#include "tests/support/processes.h"
#include "tests/support/run.h"

namespace fs = std::filesystem;

namespace sinsr::test {
namespace {

const char* kDatasets[] = {"index", "gt", "lq", "x_T", "z_teacher", "z_y", "z_gt"};

// Photos shared by the tests of one process.
const fs::path& photos() {
  static const fs::path d = [] {
    const fs::path p = fresh_dir("sinsr_datagen_photos");
    write_four_photos(p.string());
    return p;
  }();
  return d;
}

// The datagen command line (tiny networks, 1 thread per rank so runs of any rank count are bit-comparable).
std::string datagen_args(const fs::path& out, int64_t n) {
  return " datagen --config configs/tiny.ini --data.hr=" + photos().string() + " --out " + out.string() +
         " --num-samples " + std::to_string(n) +
         " --teacher tests/fixtures/parity/unet_small.pth --autoencoder tests/fixtures/parity/vq_small.pth";
}
std::string single(const fs::path& out, int64_t n) {
  return "env SINSR_THREADS=1 " + sinsr_binary() + datagen_args(out, n);
}
std::string mpirun2(const std::string& args) {
  return "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 SINSR_THREADS=1 mpirun -np 2 --oversubscribe " +
         sinsr_binary() + args;
}

// index -> (dataset -> that sample's row), over every shard of a data set.
std::map<int64_t, std::map<std::string, at::Tensor>> samples_of(const fs::path& dir) {
  std::map<int64_t, std::map<std::string, at::Tensor>> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() != ".h5") continue;
    io::H5Reader h5(e.path().string());
    const at::Tensor index = h5.read("index");
    for (const char* d : kDatasets) {
      const at::Tensor t = h5.read(d);
      for (int64_t r = 0; r < index.size(0); ++r) out[index[r].item<int64_t>()][d] = t[r];
    }
  }
  return out;
}

void expect_identical_samples(const fs::path& a, const fs::path& b, int64_t n) {
  const auto sa = samples_of(a), sb = samples_of(b);
  ASSERT_EQ(static_cast<int64_t>(sa.size()), n) << a;
  ASSERT_EQ(static_cast<int64_t>(sb.size()), n) << b;
  for (const auto& [i, datasets] : sa)
    for (const auto& [name, t] : datasets) EXPECT_TRUE(t.equal(sb.at(i).at(name))) << "sample " << i << " " << name;
}

std::vector<std::string> temp_files(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir))
    if (pairs::is_temp_shard_name(e.path().filename().string())) out.push_back(e.path().string());
  return out;
}

// relative L2 distance of a dataset over all samples: |a - b| / |a|.
double relative_l2(const std::map<int64_t, std::map<std::string, at::Tensor>>& a,
                   const std::map<int64_t, std::map<std::string, at::Tensor>>& b, const std::string& d) {
  double diff = 0, norm = 0;
  for (const auto& [i, rows] : a) {
    diff += (rows.at(d) - b.at(i).at(d)).to(at::kDouble).pow(2).sum().item<double>();
    norm += rows.at(d).to(at::kDouble).pow(2).sum().item<double>();
  }
  return std::sqrt(diff / norm);
}

// datagen.precision = bf16 against fp32 (the tolerances are measured values with a margin):
// - the trained demo teacher (pixel space, no autoencoder): the 15-step chain's output z_teacher within
//   1e-2 relative L2 (measured 2.6e-3, 64 dB PSNR), and everything the teacher does not touch identical;
// - the tiny latent-space fixtures (random weights): the bf16 autoencoder's latents z_y and z_gt within
//   6e-2 (measured 2.5e-2 and 1.8e-2), x_T = z_y + noise likewise.
TEST(Datagen, Bf16PairsMatchFp32WithinTheMeasuredTolerance) {
  const fs::path f32 = fresh_dir("sinsr_datagen_fp32"), b16 = fresh_dir("sinsr_datagen_bf16");
  const std::string demo = " datagen --config configs/demo.ini --data.hr=" + photos().string() +
                           " --num-samples 4"
                           " --datagen.shard_size=4 --teacher models/demo-teacher-x2.pth --out ";
  ASSERT_EQ(run_command("env SINSR_THREADS=1 " + sinsr_binary() + demo + f32.string()).exit_code, 0);
  const auto r =
      run_command("env SINSR_THREADS=1 " + sinsr_binary() + demo + b16.string() + " --datagen.precision=bf16");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto a = samples_of(f32), b = samples_of(b16);
  ASSERT_EQ(a.size(), 4u);
  const double teacher = relative_l2(a, b, "z_teacher");
  std::cout << "  demo teacher, bf16 vs fp32: z_teacher relative L2 " << teacher << "\n";
  EXPECT_GT(teacher, 0.0) << "bf16 did not change anything: is autocast on?";
  EXPECT_LE(teacher, 1e-2);
  for (const char* d : {"gt", "lq", "x_T", "z_y", "z_gt"}) EXPECT_EQ(relative_l2(a, b, d), 0.0) << d;

  const fs::path l32 = fresh_dir("sinsr_datagen_latent_fp32"), l16 = fresh_dir("sinsr_datagen_latent_bf16");
  ASSERT_EQ(run_command(single(l32, 4)).exit_code, 0);
  ASSERT_EQ(run_command(single(l16, 4) + " --datagen.precision=bf16").exit_code, 0);
  const auto la = samples_of(l32), lb = samples_of(l16);
  for (const char* d : {"z_y", "z_gt", "x_T"}) {
    const double e = relative_l2(la, lb, d);
    std::cout << "  tiny latent fixtures, bf16 vs fp32: " << d << " relative L2 " << e << "\n";
    EXPECT_GT(e, 0.0) << d;
    EXPECT_LE(e, 6e-2) << d;
  }
  // Another precision is another data set: resuming the fp32 folder in bf16 is refused.
  const auto mixed = run_command(single(l32, 4) + " --datagen.precision=bf16");
  EXPECT_EQ(mixed.exit_code, kExitUsage) << mixed.output;
}

TEST(Datagen, TwoRanksAndOneProcessMakeIdenticalSamples) {
  const fs::path one = fresh_dir("sinsr_dg_one"), two = fresh_dir("sinsr_dg_two");
  auto r1 = run_command(single(one, 10));
  ASSERT_EQ(r1.exit_code, 0) << r1.output;
  auto r2 = run_command(mpirun2(datagen_args(two, 10)));
  ASSERT_EQ(r2.exit_code, 0) << r2.output;
  EXPECT_NE(r2.output.find("rank 1: pairs-"), std::string::npos) << "rank 1 made no shard:\n" << r2.output;
  expect_identical_samples(one, two, 10);
  for (const fs::path& d : {one, two}) {
    auto v = run_command(sinsr_binary() + " datagen-verify " + d.string());
    EXPECT_EQ(v.exit_code, 0) << v.output;
  }
  // Shard layout: 3 shards of tiny.ini's 4, the last with 2; uint8 images, float32 latents.
  io::H5Reader h5((one / "pairs-000000008.h5").string());
  EXPECT_EQ(h5.attr_string("/", "schema"), "sinsr-pairs/1");
  EXPECT_EQ(h5.read("gt").sizes(), (std::vector<int64_t>{2, 3, 64, 64}));
  EXPECT_EQ(h5.read("lq").sizes(), (std::vector<int64_t>{2, 3, 16, 16}));
  EXPECT_EQ(h5.read("z_teacher").sizes(), (std::vector<int64_t>{2, 3, 16, 16}));
  EXPECT_EQ(h5.read("z_teacher").scalar_type(), at::kFloat);
  // The teacher moved x_T somewhere else; x_T - z_y is kappa sqrt(eta_T) eps, not zero.
  EXPECT_GT((h5.read("z_teacher") - h5.read("x_T")).abs().max().item<double>(), 0.1);
  EXPECT_GT((h5.read("x_T") - h5.read("z_y")).abs().max().item<double>(), 0.1);
}

// Runs the command and SIGKILLs its whole process group once `moment` holds.
void kill_when(const std::string& command, const std::function<bool()>& moment, const std::string& what) {
  BackgroundCommand c(command);
  EXPECT_TRUE(c.wait_for(moment)) << "datagen finished (or timed out) before the moment: " << what;
  c.signal(SIGKILL, true);
  const int status = c.wait();
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << what;
}

int count_shards(const fs::path& dir) {
  int n = 0;
  for (const auto& e : fs::directory_iterator(dir)) n += e.path().extension() == ".h5";
  return n;
}

TEST(Datagen, KillNineAtThreeMomentsThenResumeEqualsTheUninterruptedRun) {
  constexpr int64_t kSamples = 20;  // 5 shards of 4
  const fs::path ref = fresh_dir("sinsr_dg_ref"), dir = fresh_dir("sinsr_dg_killed");
  auto r = run_command(single(ref, kSamples));
  ASSERT_EQ(r.exit_code, 0) << r.output;

  // 1: while the very first shard is being written (its temporary file exists, no shard is complete).
  kill_when(
      single(dir, kSamples), [&] { return !temp_files(dir).empty(); }, "first shard in progress");
  EXPECT_EQ(count_shards(dir), 0);
  // 2: the resumed run, killed once two shards are complete.
  kill_when(
      single(dir, kSamples), [&] { return count_shards(dir) >= 2; }, "after two shards");
  // 3: the next resume, killed while a later shard is being written.
  const int before = count_shards(dir);
  kill_when(
      single(dir, kSamples), [&] { return count_shards(dir) > before && !temp_files(dir).empty(); },
      "a later shard in progress");
  EXPECT_FALSE(fs::exists(dir / "manifest.json"));

  auto fin = run_command(single(dir, kSamples));
  ASSERT_EQ(fin.exit_code, 0) << fin.output;
  EXPECT_NE(fin.output.find("complete"), std::string::npos) << fin.output;
  expect_identical_samples(ref, dir, kSamples);
  EXPECT_TRUE(temp_files(dir).empty());
  auto v = run_command(sinsr_binary() + " datagen-verify " + dir.string());
  EXPECT_EQ(v.exit_code, 0) << v.output;
}

// SIGTERM (Slurm's preemption signal) is a clean stop: finished shards stay, the shard in progress is dropped,
// no manifest, exit 75; the rerun resumes and ends where the uninterrupted run does.
TEST(Datagen, SigtermStopsWithExit75AndTheRerunCompletesTheSameDataSet) {
  constexpr int64_t kSamples = 20;  // 5 shards of 4
  const fs::path ref = fresh_dir("sinsr_dg_term_ref"), dir = fresh_dir("sinsr_dg_term");
  ASSERT_EQ(run_command(single(ref, kSamples)).exit_code, 0);
  BackgroundCommand c(single(dir, kSamples));
  ASSERT_TRUE(c.wait_for([&] { return count_shards(dir) >= 1 && !temp_files(dir).empty(); })) << "finished too early";
  c.signal(SIGTERM, false);
  const int status = c.wait();
  ASSERT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), kExitTempFail);
  EXPECT_TRUE(temp_files(dir).empty()) << "the shard in progress was left behind";
  EXPECT_FALSE(fs::exists(dir / "manifest.json"));
  EXPECT_LT(count_shards(dir), 5);
  const auto fin = run_command(single(dir, kSamples));
  ASSERT_EQ(fin.exit_code, 0) << fin.output;
  expect_identical_samples(ref, dir, kSamples);
  EXPECT_EQ(run_command(sinsr_binary() + " datagen-verify " + dir.string()).exit_code, 0);
}

TEST(Datagen, VerifyCatchesFlippedBitsAndMissingShardsAndRepairRestoresThem) {
  const fs::path dir = fresh_dir("sinsr_dg_verify"), ref = fresh_dir("sinsr_dg_verify_ref");
  ASSERT_EQ(run_command(single(dir, 12)).exit_code, 0);
  ASSERT_EQ(run_command(single(ref, 12)).exit_code, 0);
  // Flip one bit in the middle of the second shard's data; delete the third shard.
  const fs::path flipped = dir / "pairs-000000004.h5";
  std::string bytes = read_file(flipped.string());
  bytes[bytes.size() / 2] ^= 0x10;
  std::ofstream(flipped, std::ios::binary | std::ios::trunc) << bytes;
  fs::remove(dir / "pairs-000000008.h5");

  auto v = run_command(sinsr_binary() + " datagen-verify " + dir.string());
  EXPECT_EQ(v.exit_code, kExitIntegrity) << v.output;
  EXPECT_NE(v.output.find("bad shards: pairs-000000004.h5 pairs-000000008.h5"), std::string::npos) << v.output;
  EXPECT_EQ(v.output.find("pairs-000000000.h5:"), std::string::npos) << v.output;  // the sound shard is not accused

  auto rep = run_command("SINSR_THREADS=1 " + sinsr_binary() + " datagen-verify --repair " + dir.string());
  EXPECT_EQ(rep.exit_code, 0) << rep.output;
  expect_identical_samples(ref, dir, 12);
  EXPECT_EQ(run_command(sinsr_binary() + " datagen-verify " + dir.string()).exit_code, 0);
}

TEST(Datagen, Fletcher32CatchesACorruptedSampleOnRead) {
  const fs::path dir = fresh_dir("sinsr_dg_fletcher");
  const std::string path = (dir / "f.h5").string();
  {
    io::H5Writer w(path);
    w.create_dataset("gt", at::kByte, {2, 4000});
    w.write_rows("gt", 0, at::full({2, 4000}, 0xAB, at::kByte));
    w.close();
  }
  std::string bytes = read_file(path);
  const size_t at_data = bytes.find(std::string(64, '\xAB'));
  ASSERT_NE(at_data, std::string::npos);
  bytes[at_data + 10] ^= 0x01;
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  io::H5Reader h5(path);
  EXPECT_THROW(h5.read("gt"), std::runtime_error);
}

// Issue 17.7: every shard's seed and config attributes are checked against the manifest; a hand-edited
// manifest (here its seed) is reported and --repair refuses it, saying what to do; a shard the manifest does
// not list is reported and --repair moves it aside (nothing deleted).
TEST(Datagen, VerifyChecksSeedAndConfigRefusesAnEditedManifestAndMovesUnlistedShardsAside) {
  const fs::path dir = fresh_dir("sinsr_dg_verify_manifest");
  ASSERT_EQ(run_command(single(dir, 8)).exit_code, 0);
  const std::string manifest = read_file((dir / "manifest.json").string());
  const std::string seed = "\"seed\": " + std::to_string(Config::defaults().integer("data.seed"));
  ASSERT_NE(manifest.find(seed), std::string::npos) << manifest;
  std::string edited = manifest;
  edited.replace(edited.find(seed), seed.size(), "\"seed\": 7");
  std::ofstream(dir / "manifest.json", std::ios::trunc) << edited;
  auto v = run_command(sinsr_binary() + " datagen-verify " + dir.string());
  EXPECT_EQ(v.exit_code, kExitIntegrity) << v.output;
  EXPECT_NE(v.output.find("manifest.json: its config, seed or weight checksums no longer match"), std::string::npos)
      << v.output;
  EXPECT_NE(v.output.find("pairs-000000000.h5: seed attribute 12345 differs from the manifest's 7"), std::string::npos)
      << v.output;
  auto refused = run_command(sinsr_binary() + " datagen-verify --repair " + dir.string());
  EXPECT_EQ(refused.exit_code, kExitUsage) << refused.output;
  EXPECT_NE(refused.output.find("restore the original manifest.json, or make the data set again"), std::string::npos)
      << refused.output;
  EXPECT_TRUE(fs::exists(dir / "pairs-000000000.h5"));  // nothing deleted

  std::ofstream(dir / "manifest.json", std::ios::trunc) << manifest;
  fs::copy_file(dir / "pairs-000000004.h5", dir / "pairs-000000100.h5");
  v = run_command(sinsr_binary() + " datagen-verify " + dir.string());
  EXPECT_EQ(v.exit_code, kExitIntegrity) << v.output;
  EXPECT_NE(v.output.find("pairs-000000100.h5: shard not listed in the manifest"), std::string::npos) << v.output;
  auto rep = run_command("SINSR_THREADS=1 " + sinsr_binary() + " datagen-verify --repair " + dir.string());
  EXPECT_EQ(rep.exit_code, 0) << rep.output;
  EXPECT_TRUE(fs::exists(dir / "unlisted" / "pairs-000000100.h5"));
  EXPECT_EQ(run_command(sinsr_binary() + " datagen-verify " + dir.string()).exit_code, 0);
}

TEST(Datagen, ADifferentConfigurationIsRefusedAndNothingIsTouched) {
  const fs::path dir = fresh_dir("sinsr_dg_foreign");
  ASSERT_EQ(run_command(single(dir, 4)).exit_code, 0);
  const std::string before = read_file((dir / "pairs-000000000.h5").string());
  auto r = run_command(single(dir, 4) + " --data.seed=99");
  EXPECT_EQ(r.exit_code, kExitUsage) << r.output;
  EXPECT_NE(r.output.find("different configuration"), std::string::npos) << r.output;
  EXPECT_EQ(read_file((dir / "pairs-000000000.h5").string()), before);
  // Under mpirun too: every rank stops with the same message, none hangs.
  auto r2 = run_command(mpirun2(datagen_args(dir, 4) + " --data.seed=99"));
  EXPECT_NE(r2.exit_code, 0) << r2.output;
  EXPECT_NE(r2.output.find("different configuration"), std::string::npos) << r2.output;
}

TEST(Datagen, PythonH5pyReadsAShardAsDocumented) {
  if (run_command("/usr/bin/python3 -c 'import h5py'").exit_code != 0) GTEST_SKIP() << "python3-h5py not installed";
  const fs::path dir = fresh_dir("sinsr_dg_h5py");
  ASSERT_EQ(run_command(single(dir, 6)).exit_code, 0);
  const std::string script = R"(
import h5py, json, sys
f = h5py.File(sys.argv[1], 'r')
n = int(f.attrs['count'])
assert f.attrs['schema'] == 'sinsr-pairs/1', f.attrs['schema']
for a in ['teacher_sha256', 'autoencoder_sha256', 'config', 'seed', 'count', 'created_utc', 'generator']:
    assert a in f.attrs, a
assert len(f.attrs['teacher_sha256']) == 64
assert '[diffusion]' in f.attrs['config']
assert f['index'].dtype == 'int64' and f['index'].shape == (n,)
assert list(f['index'][:]) == list(range(int(f.attrs['first_index']), int(f.attrs['first_index']) + n))
assert f['gt'].dtype == 'uint8' and f['gt'].shape == (n, 3, 64, 64)
assert f['lq'].dtype == 'uint8' and f['lq'].shape == (n, 3, 16, 16)
for d in ['x_T', 'z_teacher', 'z_y', 'z_gt']:
    assert f[d].dtype == 'float32' and f[d].shape == (n, 3, 16, 16), d
    assert f[d].fletcher32 and f[d].chunks == (1, 3, 16, 16), d
m = json.load(open(sys.argv[2]))
assert m['num_samples'] == 6 and len(m['shards']) == 2
print('ok', n)
)";
  write_file_atomically((dir / "check.py").string(), script);
  auto r = run_command("/usr/bin/python3 " + (dir / "check.py").string() + " " + (dir / "pairs-000000004.h5").string() +
                       " " + (dir / "manifest.json").string());
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("ok 2"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace sinsr::test
