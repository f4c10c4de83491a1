// The full-size networks of configs/paper_realsr_x4.ini against shapes_full.json (every state_dict key and
// shape of the reference's full-size UNet and VQ-f4, recorded from the Python classes).
#include <gtest/gtest.h>

#include "core/io/state_dict.h"
#include "core/nn/unet_swin.h"
#include "core/nn/vq_autoencoder.h"
#include "core/util/atomic_file.h"
#include "core/util/config.h"
#include "core/util/config_file.h"
#include "core/util/json.h"

namespace sinsr::test {
namespace {

// The project's own copy: shapes_full.json describes the paper's model, whatever SINSR_PARITY_DIR holds.
const Json& shapes() {
  static const Json j = Json::parse(read_file("tests/fixtures/parity/shapes_full.json"));
  return j;
}

int64_t parameter_count(const torch::nn::Module& m) {
  int64_t n = 0;
  for (const auto& p : m.parameters()) n += p.numel();
  return n;
}

void expect_same_state_dict(const torch::nn::Module& model, const Json& ref) {
  const auto ours = io::module_state_dict(model);
  const auto& entries = ref["state_dict"].as_array();
  ASSERT_EQ(ours.size(), entries.size());
  for (size_t i = 0; i < ours.size(); ++i) {
    EXPECT_EQ(ours[i].first, entries[i]["key"].as_string()) << "entry " << i;
    EXPECT_EQ(ours[i].second.sizes().vec(), entries[i]["shape"].as_int_list()) << ours[i].first;
  }
  EXPECT_EQ(static_cast<int64_t>(ours.size()), ref["num_state_dict_entries"].as_int());
}

TEST(FullSizeShapes, UNetMatchesReferenceKeyForKeyAndShapeForShape) {
  const Config cfg = load_config("configs/paper_realsr_x4.ini");
  nn::UNetModelSwin unet(UNetConfig::from_config(cfg));
  expect_same_state_dict(*unet, shapes()["unet"]);
  EXPECT_EQ(parameter_count(*unet), shapes()["unet"]["num_parameters"].as_int());
  EXPECT_EQ(parameter_count(*unet), 118593583);  // docs/method.md §1.8
}

TEST(FullSizeShapes, VQf4MatchesReferenceKeyForKeyAndShapeForShape) {
  const Config cfg = load_config("configs/paper_realsr_x4.ini");
  nn::VQModelTorch vq(VQConfig::from_config(cfg));
  expect_same_state_dict(*vq, shapes()["vq"]);
  EXPECT_EQ(parameter_count(*vq), shapes()["vq"]["num_parameters"].as_int());
  EXPECT_EQ(parameter_count(*vq), 55322782);  // docs/method.md §2.6
}

TEST(FullSizeShapes, DefaultsAreThePaperConfig) {
  // Every key of paper_realsr_x4.ini equals its schema default: the defaults are the paper's values.
  const Config file = load_config("configs/paper_realsr_x4.ini"), dflt = Config::defaults();
  for (const ConfigKey& k : config_schema()) {
    if (k.section != "model" && k.section != "autoencoder" && k.section != "diffusion") continue;
    EXPECT_EQ(file.str(k.dotted()), dflt.str(k.dotted())) << k.dotted();
  }
}

}  // namespace
}  // namespace sinsr::test
