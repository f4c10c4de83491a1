// The whole schema: every stage's section, in documentation order. Each section's keys, defaults, help and
// rules are declared once in a table beside the struct it fills (docs/architecture.md §3); `sinsr <command>
// --help`, --print-config and the INI check read this list.
#include "core/data/data_config.h"
#include "core/diffusion/diffusion_config.h"
#include "core/nn/model_config.h"
#include "core/util/config.h"
#include "datagen/datagen_config.h"
#include "eval/eval_config.h"
#include "trainer/train_config.h"

namespace sinsr {

const std::vector<ConfigKey>& config_schema() {
  static const std::vector<ConfigKey> kSchema = [] {
    std::vector<ConfigKey> all;
    for (std::vector<ConfigKey> (*section)() :
         {&UNetConfig::config_keys, &VQConfig::config_keys, &DiffusionConfig::config_keys,
          &data::DegradationSettings::config_keys, &data::HrDataConfig::config_keys,
          &datagen::DatagenConfig::config_keys, &train::TrainConfig::config_keys, &eval::EvalConfig::config_keys,
          &eval::BenchmarkConfig::config_keys}) {
      std::vector<ConfigKey> keys = section();
      all.insert(all.end(), keys.begin(), keys.end());
    }
    return all;
  }();
  return kSchema;
}

}  // namespace sinsr
