#include "trainer/lr_schedule.h"

namespace sinsr::train {

double LrSchedule::at(int64_t iteration) const {
  if (iteration <= 1) return base;  // the optimizer's initial rate: adjust_lr has not run yet
  const int64_t c = iteration - 1;  // adjust_lr(current_iters = c) set the rate this iteration uses
  if (c <= warmup) return static_cast<double>(c) / static_cast<double>(warmup) * base;
  double lr = base;
  for (int64_t m : milestones)
    if (c >= m) lr *= 0.5;
  return lr;
}

}  // namespace sinsr::train
