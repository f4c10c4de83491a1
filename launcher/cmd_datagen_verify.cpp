// sinsr datagen-verify: is a pair data set complete and intact? --repair regenerates what is not.
#include <unistd.h>

#include <filesystem>
#include <iostream>

#include "core/dist/mpi_context.h"
#include "core/util/atomic_file.h"
#include "core/util/errors.h"
#include "core/util/json.h"
#include "datagen/datagen_run.h"
#include "datagen/shard_names.h"
#include "datagen/verify.h"
#include "launcher/commands.h"

namespace fs = std::filesystem;

namespace sinsr::cli {

namespace {

void print_report(const std::string& dir, const datagen::VerifyReport& r) {
  for (const std::string& p : r.problems) std::cerr << "problem: " << p << "\n";
  std::cerr << "datagen-verify: " << dir << ": " << r.shards_ok << " shard(s) ok (" << r.pairs_ok << " pairs, "
            << r.bytes / 1e6 << " MB), " << r.bad_shards.size() << " bad, " << r.problems.size() << " problem(s)\n";
  if (!r.bad_shards.empty()) {
    std::cerr << "bad shards:";
    for (const std::string& s : r.bad_shards) std::cerr << " " << s;
    std::cerr << "\n";
  }
}

// Deletes the bad shards and leftovers, then reruns datagen with the manifest's settings: it keeps every
// sound shard and makes exactly the missing ones.
void repair(const std::string& dir, const datagen::VerifyReport& r) {
  const Json m = Json::parse(read_file((fs::path(dir) / datagen::kManifestName).string()));
  for (const std::string& s : r.bad_shards) fs::remove(fs::path(dir) / s);
  for (const auto& e : fs::directory_iterator(dir))
    if (datagen::is_temp_shard_name(e.path().filename().string())) fs::remove(e.path());
  const std::string ini = (fs::temp_directory_path() / ("sinsr-repair-" + std::to_string(::getpid()) + ".ini")).string();
  write_file_atomically(ini, m["config"].as_string());
  datagen::DatagenSettings s;
  s.out_dir = dir;
  s.teacher_path = m["teacher"]["path"].as_string();
  if (!m["autoencoder"].is_null()) s.autoencoder_path = m["autoencoder"]["path"].as_string();  // null: pixel space
  s.num_samples = m["num_samples"].as_int();
  s.config = Config::load(ini);
  s.generator = m["generator"].as_string();
  fs::remove(ini);
  std::cerr << "datagen-verify: regenerating " << r.bad_shards.size() << " shard(s) with the manifest's settings\n";
  dist::MpiContext mpi;
  datagen::run_datagen(s, mpi);
}

int run_verify(const Invocation& inv) {
  const std::string dir = inv.args["dir"].as<std::string>();
  datagen::VerifyReport r = datagen::verify_pairs(dir, true);
  print_report(dir, r);
  if (r.ok()) return kExitOk;
  if (!inv.args.count("repair")) return kExitIntegrity;
  if (!r.has_manifest) throw UsageError(dir + ": no manifest to repair from; rerun sinsr datagen with its original arguments");
  repair(dir, r);
  r = datagen::verify_pairs(dir, false);
  print_report(dir, r);
  return r.ok() ? kExitOk : kExitIntegrity;
}

}  // namespace

Command datagen_verify_command() {
  Command c;
  c.name = "datagen-verify";
  c.summary = "check a pair data set (manifest, SHA-256, schema, coverage, checksums); --repair it";
  c.usage = "sinsr datagen-verify DIR [--repair]";
  c.description =
      "Checks every shard listed in DIR/manifest.json: present, same size and SHA-256, schema sinsr-pairs/1,\n"
      "counts and indices as listed, samples 0..N-1 covered once, every dataset readable (HDF5 Fletcher32\n"
      "checksums) and finite; flags leftover temporary files and unlisted shards. Exit code 3 lists the bad\n"
      "shards. --repair deletes them and regenerates exactly those, with the weights and configuration\n"
      "recorded in the manifest (run it from the folder datagen ran in if those paths are relative).";
  c.declare = [](po::options_description& o, po::positional_options_description& p) {
    o.add_options()("dir", po::value<std::string>()->required()->value_name("DIR"), "the data set folder")(
        "repair", "regenerate bad or missing shards");
    p.add("dir", 1);
  };
  c.run = run_verify;
  return c;
}

}  // namespace sinsr::cli
