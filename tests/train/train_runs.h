// What the training tests read back from a run folder: the newest checkpoint's weights, and how far two
// sets of weights are apart.
#pragma once
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>

#include "core/io/pth.h"
#include "core/util/atomic_file.h"
#include "tests/support/fixtures.h"

namespace sinsr::test {

// `file` (student.pth: the network; ema.pth) of the checkpoint RUN/ckpt/latest names.
inline io::TensorDict final_weights(const std::filesystem::path& run, const std::string& file = "student.pth") {
  const std::string step = read_file((run / "ckpt" / "latest").string()).substr(0, 9);
  return io::read_state_dict((run / "ckpt" / step / file).string());
}

// The largest relative error over corresponding tensors (same keys in the same order expected).
inline double max_rel_param_error(const io::TensorDict& a, const io::TensorDict& b) {
  EXPECT_EQ(a.size(), b.size());
  double worst = 0;
  for (size_t i = 0; i < std::min(a.size(), b.size()); ++i)
    worst = std::max(worst, max_rel_error(a[i].second, b[i].second));
  return worst;
}

}  // namespace sinsr::test
