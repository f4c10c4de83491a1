// Per-image scoring spread over MPI ranks: outputs paired with references by file stem, image i done by
// rank i mod R, every image's values gathered on the root in pair order, so the means (and every file
// written from them) do not depend on the number of ranks.
#pragma once
#include <ATen/core/Tensor.h>

#include <functional>
#include <string>
#include <vector>

#include "core/dist/mpi_context.h"
#include "eval/metric_suite.h"
#include "eval/report.h"

namespace sinsr::eval {

struct ImagePair {
  std::string name;       // the stem both files share
  std::string pred, ref;  // ref empty: no reference
};

struct Pairing {
  std::vector<ImagePair> pairs;
  std::vector<std::string> only_pred, only_ref;  // file names without a partner
};
// Every image of pred_dir, with the image of ref_dir that has the same stem (ref_dir empty: none).
// Throws UsageError for a missing folder, an empty one, or two files of one folder with the same stem.
Pairing pair_by_stem(const std::string& pred_dir, const std::string& ref_dir);

// An image as the metrics take it: uint8 [H, W, 3] RGB (alpha dropped, gray replicated). Throws
// std::runtime_error naming the file.
at::Tensor read_rgb_u8(const std::string& path);

struct ImageScores {
  std::string name;
  std::vector<double> values;  // one per MetricSuite column; empty when `error` is set
  std::string error;
};

// Runs `score_one` on this rank's share of `pairs` (i = rank, rank + R, ...), with one progress bar on
// the root over all ranks. Returns every image's scores in pair order on the root, nothing elsewhere.
// An exception from score_one becomes that image's error; the others go on. A rank silent for
// `peer_timeout` seconds (stopped, hung) makes the others give up (MpiContext::finish_together).
std::vector<ImageScores> score_on_ranks(const std::vector<ImagePair>& pairs,
                                        const std::function<std::vector<double>(const ImagePair&)>& score_one,
                                        const dist::MpiContext& mpi, const std::string& what, double peer_timeout);

// The mean of each column over the images without error, as result rows completed from `base`.
std::vector<ScoreRow> mean_rows(const ScoreRow& base, const std::vector<MetricColumn>& columns,
                                const std::vector<ImageScores>& scores);
// image, then one column per metric/variant ("psnr/pyiqa-ycbcr"), then error. Written atomically.
void write_per_image_csv(const std::string& path, const std::vector<MetricColumn>& columns,
                         const std::vector<ImageScores>& scores);

}  // namespace sinsr::eval
