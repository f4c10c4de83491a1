// The bundled demo teacher (models/demo-teacher-x2.pth) against configs/demo.ini: it is stored in float16
// (half the repository's bytes) and must load, key for key and shape for shape, into the float32 UNet that
// sinsr demo builds from that config, each weight exactly its float16 value.
#include <gtest/gtest.h>

#include "core/io/pth.h"
#include "core/io/state_dict.h"
#include "core/nn/unet_swin.h"
#include "core/util/config.h"
#include "core/util/config_file.h"

namespace sinsr::test {
namespace {

TEST(DemoTeacher, BundledFloat16WeightsLoadIntoTheDemoConfigsFloat32UNet) {
  const std::string path = "models/demo-teacher-x2.pth";
  const io::TensorDict file = io::read_state_dict(path);
  std::map<std::string, at::Tensor> by_key(file.begin(), file.end());
  for (const auto& [key, t] : file)
    if (at::isFloatingType(t.scalar_type())) EXPECT_EQ(t.scalar_type(), at::kHalf) << key;

  nn::UNetModelSwin unet(UNetConfig::from_config(load_config("configs/demo.ini")));
  io::load_weights(*unet, path);
  for (const auto& [key, t] : io::module_state_dict(*unet)) {
    const at::Tensor& stored = by_key.at(key);
    if (!at::isFloatingType(t.scalar_type())) continue;
    EXPECT_EQ(t.scalar_type(), at::kFloat) << key;
    EXPECT_TRUE(t.equal(stored.to(at::kFloat))) << key;
  }
}

}  // namespace
}  // namespace sinsr::test
