#include "datagen/datagen_config.h"

#include "core/util/config_table.h"

namespace sinsr::datagen {

ConfigTable<DatagenConfig> DatagenConfig::table() {
  return {
      "datagen",
      {
          {"shard_size", "256", "samples per shard file (a crash loses at most one shard's work)",
           R::integer_at_least(1), &C::shard_size},
          {"batch_size", "4", "samples per teacher call (speed only)", R::integer_at_least(1), &C::batch_size},
          {"peer_timeout", "600",
           "seconds a rank may show no progress (SIGSTOP, a hung file system) before the others give up",
           R::number_above(0), &C::peer_timeout},
          {"precision", "fp32",
           "fp32, bf16 or fp16 (GPU): the teacher under autocast, the autoencoder in half precision (docs/design.md, "
           "Precision)",
           R::one_of(kPrecisionChoices), &C::precision},
      }};
}

}  // namespace sinsr::datagen
