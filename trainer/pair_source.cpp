#include "trainer/pair_source.h"

#include <ATen/ATen.h>

#include "core/data/pair_loader.h"
#include "core/data/sample_rng.h"
#include "core/diffusion/first_stage.h"
#include "core/io/state_dict.h"
#include "core/nn/model_config.h"
#include "core/pairs/teacher_pairs.h"
#include "core/util/config.h"
#include "core/util/errors.h"
#include "core/util/seed.h"
#include "core/util/sha256.h"

namespace sinsr::train {

namespace {

// The global batch of training step `step` (1-based): positions [(step-1) B, step B) of a stream of
// per-epoch permutations of [0, n), each keyed by (seed, epoch). A pure function of its arguments, so a
// resumed run draws exactly what the uninterrupted one would have.
std::vector<int64_t> global_batch(int64_t step, int64_t batch, int64_t n, uint64_t seed) {
  if (n > UINT32_MAX) throw UsageError("more than 2^32 training samples are not supported");
  std::vector<int64_t> out;
  std::vector<uint32_t> perm;
  int64_t perm_epoch = -1;
  for (int64_t pos = (step - 1) * batch; pos < step * batch; ++pos) {
    const int64_t epoch = pos / n;
    if (epoch != perm_epoch) {
      data::SampleRng rng(derive_seed(seed, "train-epoch", static_cast<uint64_t>(epoch)));
      perm = data::shuffled_indices(static_cast<size_t>(n), rng);
      perm_epoch = epoch;
    }
    out.push_back(perm[static_cast<size_t>(pos % n)]);
  }
  return out;
}

class ShardSource final : public PairSource {
 public:
  ShardSource(const std::string& dir, int64_t held_out) : shards_(dir), train_n_(shards_.size() - held_out) {
    if (held_out < 0 || train_n_ < 1)
      throw UsageError("train.val_samples must leave at least one training pair in " + dir);
  }
  std::vector<int64_t> step_indices(int64_t step, int64_t batch, uint64_t seed) const override {
    return global_batch(step, batch, train_n_, seed);
  }
  pairs::PairRows load(const std::vector<int64_t>& indices, bool with_gt) override {
    return shards_.load(indices, with_gt);
  }
  std::vector<int64_t> held_out() const override {
    std::vector<int64_t> v;
    for (int64_t i = train_n_; i < shards_.size(); ++i) v.push_back(i);
    return v;
  }
  std::string identity() const override { return shards_.content_sha256(); }
  std::string describe() const override {
    return std::to_string(train_n_) + " pregenerated training pairs, " + std::to_string(shards_.size() - train_n_) +
           " held out";
  }

 private:
  pairs::PairShards shards_;
  int64_t train_n_;
};

class OnlineSource final : public PairSource {
 public:
  OnlineSource(const Config& cfg, Precision precision, const std::string& teacher_path,
               const std::string& autoencoder_path, const c10::Device& device)
      : synth_(data::PairSynthesizer::from_config(cfg)),
        pairs_(load_teacher(cfg, precision, teacher_path, device),
               Diffusion(DiffusionConfig::from_config(cfg), load_first_stage(cfg, autoencoder_path, device, precision)),
               static_cast<uint64_t>(synth_.data_config().seed)),
        identity_("online:" + sha256_hex(cfg.to_ini({"autoencoder", "degradation", "data"})) + ":" +
                  sha256_file(teacher_path)),
        workers_(static_cast<int>(synth_.data_config().workers)) {}
  std::vector<int64_t> step_indices(int64_t step, int64_t batch, uint64_t) const override {
    std::vector<int64_t> v;
    for (int64_t i = (step - 1) * batch; i < step * batch; ++i) v.push_back(i);
    return v;
  }
  std::vector<int64_t> held_out() const override { return {}; }
  pairs::PairRows load(const std::vector<int64_t>& indices, bool) override {
    // A rank's indices are consecutive: one loader batch, degraded by the loader's threads.
    data::PairLoader loader(synth_, indices.front(), static_cast<int64_t>(indices.size()),
                            {static_cast<int64_t>(indices.size()), workers_ > 0 ? workers_ : 1, 1});
    const data::PairBatch pb = *loader.next();
    const pairs::PairLatents z = pairs_.compute(pb);
    return {z.x_T,    z.z_teacher,
            z.z_gt,   pb.lq.to(at::kFloat) / 255.0 * 2 - 1,
            pb.index, pb.gt.to(at::kFloat) / 255.0 * 2 - 1};
  }
  std::string identity() const override { return identity_; }
  std::string describe() const override { return "online pairs (degradation + teacher every step)"; }

 private:
  data::PairSynthesizer synth_;
  pairs::TeacherPairs pairs_;
  std::string identity_;
  int workers_;

  static nn::UNetModelSwin load_teacher(const Config& cfg, Precision precision, const std::string& path,
                                        const c10::Device& device) {
    nn::UNetModelSwin t(UNetConfig::from_config(cfg));
    io::load_weights(*t, path);
    t->to(device);
    t->set_inference_precision(precision);
    return t;
  }
};

}  // namespace

std::unique_ptr<PairSource> shard_source(const std::string& dir, int64_t held_out) {
  return std::make_unique<ShardSource>(dir, held_out);
}

std::unique_ptr<PairSource> online_source(const Config& cfg, Precision precision, const std::string& teacher_path,
                                          const std::string& autoencoder_path, const c10::Device& device) {
  return std::make_unique<OnlineSource>(cfg, precision, teacher_path, autoencoder_path, device);
}

}  // namespace sinsr::train
