// A PNG of the loss curves next to metrics.jsonl, so a run can be judged at a glance (log-scale losses
// against steps; one colour per term).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace sinsr::train {

struct LossPoint {
  int64_t step;
  std::vector<double> values;  // one per term
};

// `terms` names the values of every point (the first is drawn as "total" in black). Written atomically.
// Fewer than two points: nothing to draw, nothing written.
void write_loss_plot(const std::string& path, const std::vector<std::string>& terms,
                     const std::vector<LossPoint>& points);

}  // namespace sinsr::train
