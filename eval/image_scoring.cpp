#include "eval/image_scoring.h"

#include <ATen/ATen.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>

#include "core/io/image_io.h"
#include "core/util/atomic_file.h"
#include "core/util/error_text.h"
#include "core/util/errors.h"
#include "core/util/json.h"
#include "core/util/progress.h"

namespace fs = std::filesystem;

namespace sinsr::eval {

namespace {

std::map<std::string, std::string> images_by_stem(const std::string& dir, const std::string& flag) {
  if (!fs::is_directory(dir)) throw UsageError(flag + " '" + dir + "' is not a folder");
  std::map<std::string, std::string> out;
  for (const auto& path : io::list_images(dir)) {
    const std::string stem = fs::path(path).stem().string();
    if (auto [it, inserted] = out.emplace(stem, path); !inserted)
      throw UsageError("'" + it->second + "' and '" + path + "' have the same name; keep one");
  }
  if (out.empty()) throw UsageError(flag + " '" + dir + "' holds no images (png/jpg/jpeg/bmp/webp/tif)");
  return out;
}

Json to_json(const ImageScores& s) {
  Json values = Json::array();
  for (double v : s.values) values.push_back(Json::number(v));
  return Json::object({{"name", Json::string(s.name)}, {"values", values}, {"error", Json::string(s.error)}});
}

ImageScores from_json(const Json& j) {
  ImageScores s{j["name"].as_string(), {}, j["error"].as_string()};
  for (const Json& v : j["values"].as_array()) s.values.push_back(v.as_number());
  return s;
}

}  // namespace

Pairing pair_by_stem(const std::string& pred_dir, const std::string& ref_dir) {
  const auto preds = images_by_stem(pred_dir, "--pred");
  Pairing p;
  if (ref_dir.empty()) {
    for (const auto& [stem, path] : preds) p.pairs.push_back({stem, path, ""});
    return p;
  }
  const auto refs = images_by_stem(ref_dir, "--gt");
  for (const auto& [stem, path] : preds) {
    if (auto it = refs.find(stem); it != refs.end())
      p.pairs.push_back({stem, path, it->second});
    else
      p.only_pred.push_back(fs::path(path).filename().string());
  }
  for (const auto& [stem, path] : refs)
    if (!preds.count(stem)) p.only_ref.push_back(fs::path(path).filename().string());
  return p;
}

at::Tensor read_rgb_u8(const std::string& path) {
  io::LoadedImage img = io::read_image(path);
  for (const auto& w : img.warnings) std::cerr << "warning: " << path << ": " << w << "\n";
  return io::to_uint8(img.rgb).permute({1, 2, 0}).contiguous();
}

std::vector<ImageScores> score_on_ranks(const std::vector<ImagePair>& pairs,
                                        const std::function<std::vector<double>(const ImagePair&)>& score_one,
                                        const dist::MpiContext& mpi, const std::string& what, double peer_timeout) {
  const auto n = static_cast<int64_t>(pairs.size());
  std::unique_ptr<Progress> progress;
  if (mpi.is_root()) progress = std::make_unique<Progress>(n, what);
  std::map<int, int64_t> reported;  // rank -> images it has reported done
  auto absorb = [&](const dist::MpiContext::Report& r) {
    progress->advance(r.done - reported[r.rank]);
    reported[r.rank] = r.done;
  };
  Json mine = Json::array();
  int64_t done = 0;
  mpi.begin_phase();
  for (int64_t i = mpi.rank(); i < n; i += mpi.size()) {
    ImageScores s{pairs[static_cast<size_t>(i)].name, {}, ""};
    try {
      s.values = score_one(pairs[static_cast<size_t>(i)]);
    } catch (const std::exception& e) {
      s.error = error_text(e);
      std::cerr << "rank " << mpi.rank() << ": " << pairs[static_cast<size_t>(i)].pred << ": " << s.error << "\n";
    }
    mine.push_back(to_json(s));
    ++done;
    if (mpi.is_root()) {
      progress->advance();
      for (const auto& r : mpi.poll_reports()) absorb(r);
      mpi.post_heartbeat();
    } else {
      mpi.post_report(done, false);
    }
    mpi.check_peers(peer_timeout);
  }
  if (!mpi.is_root()) mpi.post_report(done, true);
  mpi.finish_together(peer_timeout, absorb);
  if (progress) progress->finish();

  const std::vector<std::string> gathered = mpi.gather(mine.dump());
  std::vector<ImageScores> out(mpi.is_root() ? pairs.size() : 0);
  for (int r = 0; r < static_cast<int>(gathered.size()); ++r) {
    const Json part = Json::parse(gathered[static_cast<size_t>(r)]);
    size_t k = 0;
    for (int64_t i = r; i < n; i += mpi.size()) out[static_cast<size_t>(i)] = from_json(part.as_array()[k++]);
  }
  return out;
}

std::vector<ScoreRow> mean_rows(const ScoreRow& base, const std::vector<MetricColumn>& columns,
                                const std::vector<ImageScores>& scores) {
  std::vector<ScoreRow> rows;
  for (size_t c = 0; c < columns.size(); ++c) {
    ScoreRow row = base;
    row.metric = columns[c].metric;
    row.variant = columns[c].variant;
    row.higher_is_better = columns[c].higher_is_better;
    row.value = 0;
    row.images = 0;
    for (const auto& s : scores)
      if (s.error.empty()) row.value += s.values[c], ++row.images;  // summed in image order: rank-count independent
    if (row.images) row.value /= static_cast<double>(row.images);
    rows.push_back(row);
  }
  return rows;
}

void write_per_image_csv(const std::string& path, const std::vector<MetricColumn>& columns,
                         const std::vector<ImageScores>& scores) {
  std::string csv = "image";
  for (const auto& c : columns) csv += "," + c.metric + "/" + c.variant;
  csv += ",error\n";
  for (const auto& s : scores) {
    csv += s.name;
    for (size_t c = 0; c < columns.size(); ++c) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.10g", s.error.empty() ? s.values[c] : 0.0);
      csv += "," + (s.error.empty() ? std::string(buf) : std::string());
    }
    std::string error = s.error;
    for (char& ch : error)
      if (ch == '"' || ch == ',' || ch == '\n') ch = ' ';
    csv += "," + error + "\n";
  }
  write_file_atomically(path, csv);
}

}  // namespace sinsr::eval
