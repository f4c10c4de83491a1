#include "core/pairs/manifest.h"

#include <filesystem>
#include <stdexcept>

#include "core/util/atomic_file.h"
#include "core/util/json.h"

namespace sinsr::pairs {

namespace {

Json weights_json(const WeightsRecord& w) {
  return Json::object({{"path", Json::string(w.path)}, {"sha256", Json::string(w.sha256)}});
}

WeightsRecord weights_record(const Json& j) { return {j["path"].as_string(), j["sha256"].as_string()}; }

Json integer(int64_t v) { return Json::number(static_cast<double>(v)); }

}  // namespace

std::string manifest_path(const std::string& dir) { return (std::filesystem::path(dir) / kManifestName).string(); }

Manifest read_manifest(const std::string& dir) {
  const std::string path = manifest_path(dir);
  try {
    const Json j = Json::parse(read_file(path));
    Manifest m;
    m.schema = j["schema"].as_string();
    m.num_samples = j["num_samples"].as_int();
    m.shard_size = j["shard_size"].as_int();
    m.seed = j["seed"].as_int();
    m.content_sha256 = j["content_sha256"].as_string();
    m.teacher = weights_record(j["teacher"]);
    if (!j["autoencoder"].is_null()) m.autoencoder = weights_record(j["autoencoder"]);
    m.config = j["config"].as_string();
    m.generator = j["generator"].as_string();
    for (const Json& s : j["shards"].as_array())
      m.shards.push_back({s["file"].as_string(), s["first_index"].as_int(), s["count"].as_int(), s["bytes"].as_int(),
                          s["sha256"].as_string()});
    return m;
  } catch (const std::exception& e) {
    const std::string what = e.what();
    throw std::runtime_error(what.find(path) == std::string::npos ? path + ": " + what : what);
  }
}

void write_manifest(const std::string& dir, const Manifest& m) {
  Json shards = Json::array();
  for (const ManifestShard& s : m.shards)
    shards.push_back(Json::object({{"file", Json::string(s.file)},
                                   {"first_index", integer(s.first_index)},
                                   {"count", integer(s.count)},
                                   {"bytes", integer(s.bytes)},
                                   {"sha256", Json::string(s.sha256)}}));
  const Json j = Json::object({{"schema", Json::string(m.schema)},
                               {"num_samples", integer(m.num_samples)},
                               {"shard_size", integer(m.shard_size)},
                               {"seed", integer(m.seed)},
                               {"content_sha256", Json::string(m.content_sha256)},
                               {"teacher", weights_json(m.teacher)},
                               {"autoencoder", m.autoencoder ? weights_json(*m.autoencoder) : Json()},
                               {"config", Json::string(m.config)},
                               {"generator", Json::string(m.generator)},
                               {"shards", shards}});
  write_file_atomically(manifest_path(dir), j.dump(2) + "\n");
}

}  // namespace sinsr::pairs
