// The reference's learning rate (docs/method.md §4.4), reproduced with its first-iteration quirk: the optimizer
// starts at the base rate, and adjust_lr runs *after* each step with the step just done, so iteration 1
// runs at the full base rate, iteration 2 at base/warmup, iteration k (2 <= k <= warmup + 1) at
// (k - 1)/warmup * base, and from then on base, halved at each later milestone.
#pragma once
#include <cstdint>
#include <vector>

namespace sinsr::train {

struct LrSchedule {
  double base = 5e-5;
  int64_t warmup = 5000;            // milestones[0]
  std::vector<int64_t> milestones;  // the later ones (each halves the rate)

  // The rate iteration `iteration` (1-based) runs at.
  double at(int64_t iteration) const;
};

}  // namespace sinsr::train
