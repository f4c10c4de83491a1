#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/util/config.h"
#include "core/util/errors.h"

namespace sinsr::test {
namespace {

std::string write_ini(const std::string& name, const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() / name;
  std::ofstream(path) << text;
  return path.string();
}

TEST(Config, FileOverridesDefaultsAndCommandLineOverridesFile) {
  const auto ini = write_ini("sinsr_cfg_a.ini", "[model]\nmodel_channels = 64\nwindow_size = 4\n");
  Config cfg = Config::load(ini, {{"model.window_size", "2"}});
  EXPECT_EQ(cfg.integer("model.model_channels"), 64);
  EXPECT_EQ(cfg.integer("model.window_size"), 2);
  EXPECT_EQ(cfg.integer("model.swin_depth"), 2);  // default
  EXPECT_EQ(cfg.int_list("model.channel_mult"), (std::vector<int64_t>{1, 2, 2, 4}));
  EXPECT_TRUE(cfg.flag("model.cond_lq"));
  EXPECT_DOUBLE_EQ(cfg.real("model.mlp_ratio"), 4.0);
}

TEST(Config, UnknownKeyInFileNamesTheClosestValidKey) {
  const auto ini = write_ini("sinsr_cfg_b.ini", "[model]\nchanel_mult = 1,2\n");
  try {
    Config::load(ini);
    FAIL() << "expected a UsageError";
  } catch (const UsageError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("model.chanel_mult"), std::string::npos) << msg;
    EXPECT_NE(msg.find("did you mean 'model.channel_mult'"), std::string::npos) << msg;
    EXPECT_NE(msg.find(ini), std::string::npos) << msg;
  }
}

TEST(Config, UnknownOverrideAndMissingFileAreUsageErrors) {
  EXPECT_THROW(Config::load("", {{"model.windowsize", "4"}}), UsageError);
  EXPECT_THROW(Config::load("/nonexistent/sinsr.ini"), UsageError);
}

TEST(Config, BadValuesNameKeyValueAndOrigin) {
  Config cfg = Config::load("", {{"model.window_size", "eight"}, {"model.channel_mult", "1,x"}, {"model.cond_lq", "maybe"}});
  try {
    cfg.integer("model.window_size");
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("model.window_size = 'eight' (from command line)"), std::string::npos) << e.what();
  }
  EXPECT_THROW(cfg.int_list("model.channel_mult"), UsageError);
  EXPECT_THROW(cfg.flag("model.cond_lq"), UsageError);
}

TEST(Config, ListsAcceptBracketsAndEmpty) {
  Config cfg = Config::load("", {{"model.channel_mult", "[1, 2, 4]"}});
  EXPECT_EQ(cfg.int_list("model.channel_mult"), (std::vector<int64_t>{1, 2, 4}));
  EXPECT_TRUE(cfg.int_list("autoencoder.attn_resolutions").empty());
}

TEST(Config, PrintedIniLoadsBackToTheSameValues) {
  Config cfg = Config::load("", {{"model.model_channels", "96"}, {"autoencoder.ch_mult", "1,2"}});
  const auto ini = write_ini("sinsr_cfg_c.ini", cfg.to_ini());
  Config again = Config::load(ini);
  for (const ConfigKey& k : config_schema()) EXPECT_EQ(again.str(k.dotted()), cfg.str(k.dotted())) << k.dotted();
}

TEST(Config, EditDistance) {
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(closest_config_key("autoencoder.chmult"), "autoencoder.ch_mult");
}

}  // namespace
}  // namespace sinsr::test
