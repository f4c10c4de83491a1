// A PNG of the loss curves next to metrics.jsonl, so a run can be judged at a glance (log-scale losses
// against steps; one colour per term).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace sinsr::train {

struct LossPoint {
  int64_t step;
  double loss, distill, inverse, gt;
};

// Written atomically. Fewer than two points: nothing to draw, nothing written.
void write_loss_plot(const std::string& path, const std::vector<LossPoint>& points);

}  // namespace sinsr::train
