// sinsr degrade: synthesise training pairs from HR photos with the [degradation] pipeline, to look at
// them (a contact sheet) or to build a paired test set (gt/ and lq/ folders, like ResShift's testdata).
#include <ATen/ATen.h>
#include <opencv2/imgproc.hpp>

#include <filesystem>
#include <iostream>

#include "core/data/pair_loader.h"
#include "core/io/image_io.h"
#include "core/util/atomic_file.h"
#include "core/util/errors.h"
#include "core/util/progress.h"
#include "core/util/threads.h"
#include "launcher/commands.h"

namespace sinsr::cli {

namespace {

namespace fs = std::filesystem;

// Pairs side by side (GT | LR enlarged with nearest neighbours, so its pixels stay visible), four pairs per
// row, on white.
cv::Mat contact_sheet(const std::vector<std::pair<cv::Mat, cv::Mat>>& pairs) {
  constexpr int kPerRow = 4, kGap = 8;
  const int cell = pairs.front().first.rows;
  const int rows = (static_cast<int>(pairs.size()) + kPerRow - 1) / kPerRow;
  const int cols = std::min<int>(kPerRow, static_cast<int>(pairs.size()));
  cv::Mat sheet(rows * (cell + kGap) + kGap, cols * (2 * cell + 3 * kGap) + kGap, CV_8UC3, cv::Scalar::all(255));
  for (size_t i = 0; i < pairs.size(); ++i) {
    const int x = kGap + static_cast<int>(i % kPerRow) * (2 * cell + 3 * kGap),
              y = kGap + static_cast<int>(i / kPerRow) * (cell + kGap);
    pairs[i].first.copyTo(sheet(cv::Rect(x, y, cell, cell)));
    cv::Mat lq;
    cv::resize(pairs[i].second, lq, cv::Size(cell, cell), 0, 0, cv::INTER_NEAREST);
    lq.copyTo(sheet(cv::Rect(x + cell + kGap, y, cell, cell)));
  }
  return sheet;
}

struct DegradeOptions {
  std::string out_dir, contact_sheet;  // empty: not written
  int64_t first = 0, count = 0;
};

void declare(po::options_description& o, po::positional_options_description&, DegradeOptions& d) {
  o.add_options()("output,o", po::value(&d.out_dir)->value_name("DIR"), "write the pairs to DIR/gt and DIR/lq")(
      "contact-sheet", po::value(&d.contact_sheet)->value_name("FILE"), "write a contact sheet of the first 16 pairs")(
      "first", po::value(&d.first)->default_value(0), "first sample index")(
      "count", po::value(&d.count)->default_value(16), "number of samples");
}

int run(DegradeOptions& d, const Invocation& inv) {
  if (d.out_dir.empty() && d.contact_sheet.empty())
    throw UsageError("nothing to write: give -o DIR (pairs as gt/ and lq/ PNGs) and/or --contact-sheet FILE.png");
  const int64_t first = d.first, count = d.count;
  if (first < 0 || count < 1) throw UsageError("--first must be >= 0 and --count >= 1");
  const data::PairSynthesizer source = data::PairSynthesizer::from_config(inv.config);
  const data::HrDataConfig& data = source.data_config();
  const int threads = data.workers > 0 ? static_cast<int>(data.workers) : set_threads(0);

  const std::string& out_dir = d.out_dir;
  if (!out_dir.empty()) {
    fs::create_directories(fs::path(out_dir) / "gt");
    fs::create_directories(fs::path(out_dir) / "lq");
  }
  std::cerr << "sinsr degrade: samples " << first << ".." << first + count - 1 << " from " << source.size()
            << " photo(s), seed " << data.seed << ", " << threads << " worker(s)\n";
  data::PairLoader loader(source, first, count, {/*batch_size=*/1, threads, static_cast<int>(data.prefetch_batches)});
  Progress progress(count, "pairs");
  std::vector<std::pair<cv::Mat, cv::Mat>> sheet_pairs;
  while (auto batch = loader.next()) {
    const cv::Mat gt = io::to_rgb_mat(batch->gt[0]), lq = io::to_rgb_mat(batch->lq[0]);
    char name[32];
    std::snprintf(name, sizeof name, "%09lld.png", static_cast<long long>(batch->index[0].item<int64_t>()));
    if (!out_dir.empty()) {
      io::write_image_u8((fs::path(out_dir) / "gt" / name).string(), gt);
      io::write_image_u8((fs::path(out_dir) / "lq" / name).string(), lq);
    }
    if (!d.contact_sheet.empty() && sheet_pairs.size() < 16) sheet_pairs.emplace_back(gt, lq);
    progress.advance();
  }
  progress.finish();
  if (!d.contact_sheet.empty()) {
    io::write_image_u8(d.contact_sheet, contact_sheet(sheet_pairs));
    std::cerr << "contact sheet (first " << sheet_pairs.size() << " pairs, GT | LR x4 nearest): " << d.contact_sheet
              << "\n";
  }
  if (!out_dir.empty()) std::cerr << "pairs written to " << out_dir << "/gt and " << out_dir << "/lq\n";
  return kExitOk;
}

}  // namespace

Command degrade_command() {
  Command c("degrade", "synthesise GT/LR training pairs from HR photos (Real-ESRGAN degradation)",
            "sinsr degrade --data.hr=DIR|LIST [-o DIR] [--contact-sheet FILE.png] [options]",
            R"(Runs the training data pipeline on samples FIRST .. FIRST+COUNT-1: photo choice, random crop/flip,
the two-stage Real-ESRGAN degradation of [degradation]. Sample i depends only on data.seed and i, so
these are exactly the pairs datagen and the trainer see. Writes <index>.png into DIR/gt and DIR/lq,
and/or a contact sheet of the first 16 pairs (GT next to its LR enlarged x4). Unreadable photos are
reported once and replaced.)");
  c.sections = {"data", "degradation"};
  bind_options(c, declare, run);
  return c;
}

}  // namespace sinsr::cli
