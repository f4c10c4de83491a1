// [train]: SinSR distillation and teacher training (docs/method.md §4), parsed once when `sinsr train` or
// `sinsr train-teacher` starts; the loop reads these fields.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/util/config_table.h"

namespace sinsr::train {

struct TrainConfig : ConfigSection<TrainConfig> {
  int64_t steps;
  int64_t batch_size;  // global: all ranks together
  int64_t microbatch;  // per rank; gradients accumulate over the rest of the rank's share
  double lr;
  int64_t warmup;
  std::vector<int64_t> milestones;
  double weight_decay;
  double grad_clip;  // 0: off
  double ema_rate;
  double w_distill, w_inverse, w_gt;
  std::string init;  // "teacher" or "random"
  int64_t seed;
  int64_t val_samples;
  int64_t log_every, val_every, ckpt_every, keep_ckpts, check_every;
  double peer_timeout;
  std::string grad_sync;  // "overlap" or "after_backward"
  double bucket_mb;
  std::string precision;
  std::string nonfinite;     // "abort" or "skip"
  int64_t stop_check_every;  // 0: the device's default

  static ConfigTable<TrainConfig> table();  // [train]
};

}  // namespace sinsr::train
