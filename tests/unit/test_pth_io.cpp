#include <gtest/gtest.h>
#include <torch/csrc/jit/serialization/pickle.h>

#include <filesystem>
#include <fstream>

#include "core/io/pth.h"
#include "core/io/state_dict.h"
#include "core/util/atomic_file.h"

namespace sinsr::test {
namespace {

namespace fs = std::filesystem;

std::string temp_path(const std::string& name) { return (fs::temp_directory_path() / name).string(); }

io::TensorDict sample_state() {
  torch::manual_seed(3);
  return {{"a.weight", torch::randn({4, 3})},
          {"a.bias", torch::randn({4})},
          {"b.index", torch::arange(12, torch::kLong).view({3, 4})},
          {"c.half", torch::randn({2, 2}).to(torch::kHalf)},
          {"d.transposed", torch::randn({3, 5}).t()},  // non-contiguous input
          {"e.scalar", torch::tensor(2.5)}};
}

TEST(PthIo, WrittenStateDictReadsBackIdentically) {
  const auto path = temp_path("sinsr_rt.pth");
  const auto state = sample_state();
  io::write_state_dict(path, state);
  const auto back = io::read_state_dict(path);
  ASSERT_EQ(back.size(), state.size());
  for (size_t i = 0; i < state.size(); ++i) {
    EXPECT_EQ(back[i].first, state[i].first);
    EXPECT_EQ(back[i].second.scalar_type(), state[i].second.scalar_type());
    EXPECT_TRUE(back[i].second.equal(state[i].second)) << state[i].first;
  }
  for (const auto& e : fs::directory_iterator(fs::temp_directory_path()))
    EXPECT_EQ(e.path().filename().string().find("sinsr_rt.pth.tmp"), std::string::npos) << "temporary file left behind";
}

TEST(PthIo, NestedStateDictAndDdpPrefixAreUnwrapped) {
  // {'state_dict': {'module.x': ..}, 'iters_start': 7}: how the reference trainer saves checkpoints.
  c10::Dict<std::string, at::Tensor> inner;
  inner.insert("module.x.weight", torch::ones({2, 2}));
  inner.insert("module.y", torch::zeros({3}));
  c10::impl::GenericDict outer(c10::StringType::get(), c10::AnyType::get());
  outer.insert("state_dict", inner);
  outer.insert("iters_start", int64_t{7});
  const auto bytes = torch::pickle_save(outer);
  const auto path = temp_path("sinsr_nested.pth");
  write_file_atomically(path, bytes.data(), bytes.size());

  const auto sd = io::read_state_dict(path);
  ASSERT_EQ(sd.size(), 2u);
  EXPECT_EQ(sd[0].first, "x.weight");
  EXPECT_EQ(sd[1].first, "y");
  const auto all = io::read_pth(path);
  ASSERT_EQ(all.entries.size(), 3u);
  EXPECT_EQ(all.entries[0].path, "state_dict/module.x.weight");
  EXPECT_EQ(all.entries[2].path, "iters_start");
  EXPECT_EQ(all.entries[2].text, "7");
}

TEST(PthIo, UnreadableFilesGiveErrorsNamingTheFile) {
  const auto missing = temp_path("sinsr_missing.pth");
  fs::remove(missing);
  try {
    io::read_state_dict(missing);
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(missing), std::string::npos) << e.what();
  }
  const auto not_zip = temp_path("sinsr_notzip.pth");
  std::ofstream(not_zip) << "definitely not a checkpoint";
  EXPECT_THROW(io::read_state_dict(not_zip), std::runtime_error);

  // A truncated archive (e.g. a copy that stopped half way).
  const auto good = temp_path("sinsr_full.pth");
  io::write_state_dict(good, sample_state());
  const std::string bytes = read_file(good);
  const auto truncated = temp_path("sinsr_truncated.pth");
  write_file_atomically(truncated, bytes.data(), bytes.size() / 2);
  try {
    io::read_state_dict(truncated);
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(truncated), std::string::npos) << e.what();
  }
}

struct Tiny : torch::nn::Module {
  Tiny() {
    lin = register_module("lin", torch::nn::Linear(3, 4));
    register_buffer("steps", torch::zeros({2}, torch::kLong));
  }
  torch::nn::Linear lin{nullptr};
};

TEST(PthIo, StrictLoadingListsMissingUnexpectedAndWrongShapes) {
  Tiny m;
  io::TensorDict good = io::module_state_dict(m);
  // PyTorch's order: a module's own parameters and buffers, then its children's.
  ASSERT_EQ(good.size(), 3u);
  EXPECT_EQ(good[0].first, "steps");
  EXPECT_EQ(good[1].first, "lin.weight");
  EXPECT_EQ(good[2].first, "lin.bias");

  io::TensorDict wrong = {{"lin.weight", torch::zeros({4, 5})},  // wrong shape
                          {"lin.bias", torch::zeros({4})},       // "steps" missing
                          {"extra", torch::zeros({1})}};
  try {
    io::load_state_dict_strict(m, wrong, "ckpt.pth");
    FAIL();
  } catch (const std::runtime_error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("ckpt.pth"), std::string::npos) << msg;
    EXPECT_NE(msg.find("lin.weight (checkpoint [4, 5], model [4, 3])"), std::string::npos) << msg;
    EXPECT_NE(msg.find("missing: steps"), std::string::npos) << msg;
    EXPECT_NE(msg.find("unexpected: extra"), std::string::npos) << msg;
  }

  io::TensorDict values = {{"lin.weight", torch::full({4, 3}, 2.0)},
                           {"lin.bias", torch::full({4}, 3.0)},
                           {"steps", torch::tensor({5, 6}, torch::kLong)}};
  io::load_state_dict_strict(m, values, "ok.pth");
  EXPECT_TRUE(m.lin->weight.eq(2).all().item<bool>());
  EXPECT_EQ(io::module_state_dict(m)[0].second[1].item<int64_t>(), 6);
}

}  // namespace
}  // namespace sinsr::test
