// sinsr datagen-verify: is a pair data set complete and intact? --repair regenerates what is not.
#include <filesystem>
#include <iostream>
#include <utility>
#include <vector>

#include "core/dist/mpi_context.h"
#include "core/pairs/manifest.h"
#include "core/pairs/shard_names.h"
#include "core/util/config_file.h"
#include "core/util/errors.h"
#include "core/util/sha256.h"
#include "datagen/datagen_run.h"
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

// Deletes the bad shards and leftovers, moves unlisted shards aside to DIR/unlisted/, then reruns datagen
// with the manifest's settings: it keeps every sound shard and makes exactly the missing ones.
void repair(const std::string& dir, const datagen::VerifyReport& r) {
  const std::string manifest = pairs::manifest_path(dir);
  if (r.manifest_edited)
    throw UsageError(manifest +
                     " was edited (its config, seed or weight checksums no longer hash to its "
                     "content_sha256), so --repair cannot know how the shards were made: restore the original "
                     "manifest.json, or make the data set again with sinsr datagen into a new folder");
  const pairs::Manifest m = pairs::read_manifest(dir);
  datagen::DatagenSettings s;
  s.out_dir = dir;
  std::vector<std::pair<pairs::WeightsRecord, const char*>> weights{{m.teacher, "teacher"}};
  if (m.autoencoder) weights.emplace_back(*m.autoencoder, "autoencoder");  // none: pixel space
  for (const auto& [w, role] : weights)
    if (!fs::exists(w.path) || sha256_file(w.path) != w.sha256)
      throw UsageError(w.path + " is missing or not the " + role +
                       " the data set was made with (SHA-256 differs from " + manifest +
                       "): put the original file there (run from the folder datagen ran in if "
                       "the path is relative), or make the data set again into a new folder");
  for (const std::string& bad : r.bad_shards) fs::remove(fs::path(dir) / bad);
  for (const auto& e : fs::directory_iterator(dir))
    if (pairs::is_temp_shard_name(e.path().filename().string())) fs::remove(e.path());
  if (!r.unlisted_shards.empty()) {
    const fs::path aside = fs::path(dir) / "unlisted";
    fs::create_directories(aside);
    for (const std::string& extra : r.unlisted_shards) fs::rename(fs::path(dir) / extra, aside / extra);
    std::cerr << "datagen-verify: moved " << r.unlisted_shards.size() << " unlisted shard(s) to " << aside.string()
              << "\n";
  }
  s.teacher_path = m.teacher.path;
  if (m.autoencoder) s.autoencoder_path = m.autoencoder->path;
  s.num_samples = m.num_samples;
  s.config = config_from_ini_text(m.config, manifest + " (config)");
  s.generator = m.generator;
  std::cerr << "datagen-verify: regenerating " << r.bad_shards.size() << " shard(s) with the manifest's settings\n";
  dist::MpiContext mpi;
  datagen::run_datagen(s, mpi);
}

struct VerifyOptions {
  std::string dir;
  bool repair = false;
};

void declare(po::options_description& o, po::positional_options_description& p, VerifyOptions& v) {
  o.add_options()("dir", po::value(&v.dir)->required()->value_name("DIR"), "the data set folder")(
      "repair", po::bool_switch(&v.repair), "regenerate bad or missing shards");
  p.add("dir", 1);
}

int run(VerifyOptions& v, const Invocation&) {
  const std::string& dir = v.dir;
  datagen::VerifyReport r = datagen::verify_pairs(dir, true);
  print_report(dir, r);
  if (r.ok()) return kExitOk;
  if (!v.repair) return kExitIntegrity;
  if (!r.has_manifest)
    throw UsageError(dir + ": no manifest to repair from; rerun sinsr datagen with its original arguments");
  repair(dir, r);
  r = datagen::verify_pairs(dir, false);
  print_report(dir, r);
  return r.ok() ? kExitOk : kExitIntegrity;
}

}  // namespace

Command datagen_verify_command() {
  Command c("datagen-verify", "check a pair data set (manifest, SHA-256, schema, coverage, checksums); --repair it",
            "sinsr datagen-verify DIR [--repair]",
            R"(Checks every shard listed in DIR/manifest.json: present, same size and SHA-256, schema sinsr-pairs/1,
counts and indices as listed, samples 0..N-1 covered once, every dataset readable (HDF5 Fletcher32
checksums) and finite; flags leftover temporary files and unlisted shards. Exit code 3 lists the bad
shards. --repair deletes them, moves unlisted shards to DIR/unlisted/, and regenerates exactly the bad
ones with the weights and configuration recorded in the manifest (run it from the folder datagen ran in
if those paths are relative). A manifest edited by hand is refused. The SHA-256s detect damage, not
deliberate tampering: whoever can write the shards can rewrite the manifest.)");
  bind_options(c, declare, run);
  return c;
}

}  // namespace sinsr::cli
