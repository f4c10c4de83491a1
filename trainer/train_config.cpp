#include "trainer/train_config.h"

#include "core/util/config_table.h"

namespace sinsr::train {

// The paper fine-tunes for 300k iterations; the reference YAML says 500k with milestones [5000, 500000].
ConfigTable<TrainConfig> TrainConfig::table() {
  return {
      "train",
      {
          {"steps", "300000", "optimizer steps", R::integer_at_least(1), &C::steps},
          {"batch_size", "64", "global batch (all ranks together); must be a multiple of the rank count",
           R::integer_at_least(1), &C::batch_size},
          {"microbatch", "64",
           "per-rank micro-batch; gradients accumulate over the rest of the rank's batch (the three losses run as one "
           "network batch of 3x this)",
           R::integer_at_least(1), &C::microbatch},
          {"lr", "5e-5", "AdamW learning rate after warm-up", R::number_above(0), &C::lr},
          {"warmup", "5000", "linear warm-up steps (the reference's first milestone)", R::integer_at_least(0),
           &C::warmup},
          {"milestones", "500000", "steps after which the rate halves", R::integers_at_least(1, /*may_be_empty=*/true),
           &C::milestones},
          {"weight_decay", "0", "AdamW weight decay", R::number_at_least(0), &C::weight_decay},
          {"grad_clip", "0", "clip the global gradient norm to this (0: off, as the reference)", R::number_at_least(0),
           &C::grad_clip},
          {"ema_rate", "0.999", "EMA rate of the student", R::probability(), &C::ema_rate},
          {"w_distill", "1", "weight of L_distill = MSE(f(x_T, T), F(x_T, y))", R::number_at_least(0), &C::w_distill},
          {"w_inverse", "1", "weight of L_inverse = MSE(f(F(x_T, y), 0), x_T)", R::number_at_least(0), &C::w_inverse},
          {"w_gt", "1", "weight of L_gt = MSE(f(f(z_gt, 0), T), z_gt)", R::number_at_least(0), &C::w_gt},
          {"init", "teacher", "student start: teacher (its weights, the paper) or random", R::one_of("teacher|random"),
           &C::init},
          {"seed", "123456", "seed of the sample order", R::integer_at_least(0), &C::seed},
          {"val_samples", "8",
           "validation pairs: the last of a pair data set, held out from training (train), or as many fixed pairs "
           "synthesised outside the training stream (train-teacher)",
           R::integer_at_least(0), &C::val_samples},
          {"log_every", "100", "steps between metrics lines", R::integer_at_least(1), &C::log_every},
          {"val_every", "2000", "steps between validations", R::integer_at_least(1), &C::val_every},
          {"ckpt_every", "2000", "steps between checkpoints", R::integer_at_least(1), &C::ckpt_every},
          {"keep_ckpts", "3", "checkpoints kept", R::integer_at_least(1), &C::keep_ckpts},
          {"check_every", "100", "steps between cross-rank parameter checksums", R::integer_at_least(0),
           &C::check_every},
          {"peer_timeout", "600", "seconds without a finished step before a rank gives up (a dead peer)",
           R::number_above(0), &C::peer_timeout},
          {"grad_sync", "overlap",
           "gradient all-reduce: overlap (buckets leave during backward, like torch DDP) or after_backward (same "
           "buckets, "
           "same sums, later)",
           R::one_of("overlap|after_backward"), &C::grad_sync},
          {"bucket_mb", "25", "gradient all-reduce bucket size in MiB (torch DDP's default)", R::number_above(0),
           &C::bucket_mb},
          {"precision", "fp32",
           "fp32 or bf16: the networks under autocast, the autoencoder in half precision; weights, AdamW, EMA and "
           "losses "
           "stay fp32 "
           "(fp16 is refused: it needs a loss scaler)",
           R::one_of(kPrecisionChoices), &C::precision},
          {"nonfinite", "abort",
           "a NaN or infinite gradient (any rank's loss): abort (exit 1, no checkpoint of it) or skip (the step is "
           "logged "
           "and "
           "not applied; a host sync per step on GPUs)",
           R::one_of("abort|skip"), &C::nonfinite},
          {"stop_check_every", "0",
           "steps between the ranks' vote on a stop signal (a host sync on GPUs; also on every log step); 0: 1 on "
           "CPUs, 10 "
           "on GPUs",
           R::integer_at_least(0), &C::stop_check_every},
      }};
}

}  // namespace sinsr::train
