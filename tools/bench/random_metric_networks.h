// The image-quality metrics' networks at the real models' sizes with seeded random weights: for benchmarks and
// device comparisons, whose cost and agreement do not depend on the values (no weight file is needed).
#pragma once
#include <torch/torch.h>

#include <cmath>

#include "core/io/state_dict.h"
#include "eval/metrics/clipiqa.h"
#include "eval/metrics/musiq.h"

namespace sinsr::bench {

// CLIP RN50's visual tower (OpenAI's sizes) as the `visual.*` state_dict CLIPIQA loads.
inline io::TensorDict random_clip_state(const metrics::ClipResNetConfig& rn50 = {}) {
  metrics::ClipModifiedResNet visual(rn50);
  io::TensorDict state;
  for (auto& [key, value] : io::module_state_dict(*visual)) state.emplace_back("visual." + key, value);
  return state;
}

// The five prompt pairs' text features (random) and OpenAI's trained logit scale.
inline io::TensorDict random_clip_text(const metrics::ClipResNetConfig& rn50 = {}) {
  return {{"text_features", torch::randn({static_cast<int64_t>(metrics::kClipIqaPrompts.size()), rn50.output_dim})},
          {"logit_scale", torch::full({1}, std::log(100.0))}};
}

inline metrics::ClipIqa random_clipiqa() {
  const metrics::ClipResNetConfig rn50;  // the defaults are OpenAI's RN50
  const io::TensorDict text = random_clip_text(rn50);
  return metrics::ClipIqa(rn50, random_clip_state(rn50), text[0].second, text[1].second, "random RN50 weights");
}

inline metrics::Musiq random_musiq() {
  metrics::Musiq musiq(metrics::MusiqArch{});  // the defaults are pyiqa's KonIQ model
  musiq->eval();
  return musiq;
}

}  // namespace sinsr::bench
