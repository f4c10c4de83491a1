#include <gtest/gtest.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <set>

#include "core/data/data_config.h"
#include "core/nn/model_config.h"
#include "core/util/config.h"
#include "core/util/config_file.h"
#include "core/util/errors.h"
#include "trainer/train_config.h"

namespace sinsr::test {
namespace {

std::string write_ini(const std::string& name, const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() / name;
  std::ofstream(path) << text;
  return path.string();
}

TEST(Config, FileOverridesDefaultsAndCommandLineOverridesFile) {
  const auto ini = write_ini("sinsr_cfg_a.ini", "[model]\nmodel_channels = 64\nwindow_size = 4\n");
  Config cfg = load_config(ini, {{"model.window_size", "2"}});
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
    load_config(ini);
    FAIL() << "expected a UsageError";
  } catch (const UsageError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("model.chanel_mult"), std::string::npos) << msg;
    EXPECT_NE(msg.find("did you mean 'model.channel_mult'"), std::string::npos) << msg;
    EXPECT_NE(msg.find(ini), std::string::npos) << msg;
  }
}

TEST(Config, UnknownOverrideAndMissingFileAreUsageErrors) {
  EXPECT_THROW(load_config("", {{"model.windowsize", "4"}}), UsageError);
  EXPECT_THROW(load_config("/nonexistent/sinsr.ini"), UsageError);
}

// Expected messages here are written out by hand from the rules in config_schema.cpp.
std::string load_error(const std::string& ini, const Config::Overrides& overrides) {
  try {
    load_config(ini, overrides);
  } catch (const UsageError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Config, BadValuesNameKeyValueOriginAndWhatIsAllowed) {
  // Each case: key, value, what the error says is allowed.
  const std::vector<std::array<std::string, 3>> cases = {
      {"model.window_size", "eight", "an integer >= 1"},
      {"train.log_every", "0", "an integer >= 1"},
      {"train.lr", "nan", "a finite number > 0"},
      {"train.ema_rate", "2", "a finite number >= 0 and <= 1"},
      {"model.cond_lq", "maybe", "true or false"},
      {"train.precision", "fp8", "one of fp32, bf16, fp16"},
      {"model.channel_mult", "1,0", "a comma-separated list of integers >= 1"},
      {"degradation.noise_range", "30,1", "a range 'low, high' with low <= high, both >= 0"},
      {"eval.metrics", "psnr,fid", "a comma-separated list of psnr, ssim, lpips, clipiqa, musiq"},
  };
  for (const auto& [key, value, allowed] : cases)
    EXPECT_EQ(load_error("", {{key, value}}),
              "config key " + key + " = '" + value + "' (from command line): expected " + allowed);
  // The file's origin is its path; a bad file value is reported even when it is not the key a command reads.
  const auto ini = write_ini("sinsr_cfg_bad.ini", "[train]\nval_every = -1\n");
  EXPECT_EQ(load_error(ini, {}), "config key train.val_every = '-1' (from " + ini + "): expected an integer >= 1");
  // The command line overrides a bad file value before anything is checked.
  EXPECT_EQ(load_config(ini, {{"train.val_every", "5"}}).integer("train.val_every"), 5);
  // Config::set checks too (commands that set values themselves).
  Config cfg = Config::defaults();
  EXPECT_THROW(cfg.set("datagen.shard_size", "0", "command line"), UsageError);
}

TEST(Config, EveryDefaultObeysItsRuleAndOnlyPathsAndNamesAreFreeText) {
  const Config cfg = Config::defaults();  // load() checks every key: this throws on a bad default
  for (const ConfigKey& k : config_schema()) {
    const bool free_text = k.rule.describe().empty();
    const bool path_or_name = k.name == "name" || k.name == "lq" || k.name == "gt" || k.name == "hr" ||
                              k.name == "extensions" || k.help.find(".pt") != std::string::npos;
    EXPECT_EQ(free_text, path_or_name) << k.dotted() << " is free text: " << free_text;
  }
}

TEST(Config, ValueRulesAcceptTheirBoundsAndRejectTheNeighbours) {
  EXPECT_EQ(ValueRule::integer_at_least(1).check("1"), "");
  EXPECT_NE(ValueRule::integer_at_least(1).check("0"), "");
  EXPECT_NE(ValueRule::integer_at_least(1).check("1.5"), "");
  EXPECT_NE(ValueRule::integer_at_least(1).check(""), "");
  EXPECT_EQ(ValueRule::probability().check("0"), "");
  EXPECT_EQ(ValueRule::probability().check("1"), "");
  EXPECT_NE(ValueRule::probability().check("1.0001"), "");
  EXPECT_NE(ValueRule::probability().check("-0.1"), "");
  EXPECT_NE(ValueRule::number_above(0).check("0"), "");
  EXPECT_NE(ValueRule::number_above(0).check("inf"), "");
  EXPECT_EQ(ValueRule::number_above(0).check("1e-9"), "");
  EXPECT_NE(ValueRule::number_in(0, 1, false, true).check("1"), "");
  EXPECT_EQ(ValueRule::integers_at_least(1, true).check(""), "");
  EXPECT_NE(ValueRule::integers_at_least(1).check(""), "");
  EXPECT_NE(ValueRule::integers_at_least(1).check("1,2,"), "");
  EXPECT_EQ(ValueRule::range_in(0, 100, true).check("[30, 95]"), "");
  EXPECT_NE(ValueRule::range_in(0, 100, true).check("0, 95"), "");
  EXPECT_NE(ValueRule::range_in(0, 100, true).check("30"), "");
  EXPECT_NE(ValueRule::range_in(0, 100, true).check("30, 95, 99"), "");
  EXPECT_EQ(ValueRule::items_of("a|b").check("b, a"), "");
  EXPECT_NE(ValueRule::items_of("a|b").check("a,c"), "");
  EXPECT_EQ(ValueRule::one_of("x|y").check("y"), "");
  EXPECT_NE(ValueRule::one_of("x|y").check("Y"), "");
}

TEST(Config, ListsAcceptBracketsAndEmpty) {
  Config cfg = load_config("", {{"model.channel_mult", "[1, 2, 4]"}});
  EXPECT_EQ(cfg.int_list("model.channel_mult"), (std::vector<int64_t>{1, 2, 4}));
  EXPECT_TRUE(cfg.int_list("autoencoder.attn_resolutions").empty());
}

TEST(Config, PrintedIniLoadsBackToTheSameValues) {
  Config cfg = load_config("", {{"model.model_channels", "96"}, {"autoencoder.ch_mult", "1,2"}});
  const auto ini = write_ini("sinsr_cfg_c.ini", cfg.to_ini());
  Config again = load_config(ini);
  for (const ConfigKey& k : config_schema()) EXPECT_EQ(again.str(k.dotted()), cfg.str(k.dotted())) << k.dotted();
}

// Each section's table turns the merged text into its struct: every value type, the second degradation
// order's "2" keys into its own part, and the finishing step (normalised extensions, one num_res_blocks
// value per level).
TEST(ConfigTable, SectionsReadTypedValuesFromTheMergedConfig) {
  const Config cfg = load_config("", {{"train.steps", "7"},
                                      {"train.lr", "0.25"},
                                      {"train.milestones", "3, 9"},
                                      {"train.nonfinite", "skip"},
                                      {"degradation.blur_sigma", "0.25,2"},
                                      {"degradation.blur_sigma2", "0.5,1"},
                                      {"degradation.use_sharp", "true"},
                                      {"data.extensions", ".PNG,Jpg"},
                                      {"model.channel_mult", "1,2,4"},
                                      {"model.num_res_blocks", "3"}});
  const train::TrainConfig train = train::TrainConfig::from_config(cfg);
  EXPECT_EQ(train.steps, 7);
  EXPECT_DOUBLE_EQ(train.lr, 0.25);
  EXPECT_EQ(train.milestones, (std::vector<int64_t>{3, 9}));
  EXPECT_EQ(train.nonfinite, "skip");
  EXPECT_EQ(train.batch_size, 64);  // a default
  const data::DegradationSettings deg = data::DegradationSettings::from_config(cfg);
  EXPECT_EQ(deg.first.blur_sigma, (std::vector<double>{0.25, 2}));
  EXPECT_EQ(deg.second.blur_sigma, (std::vector<double>{0.5, 1}));
  EXPECT_EQ(deg.first.blur_kernel_size, 21);
  EXPECT_EQ(deg.second.blur_kernel_size, 15);
  EXPECT_TRUE(deg.use_sharp);
  EXPECT_EQ(data::HrDataConfig::from_config(cfg).extensions, (std::vector<std::string>{"png", "jpg"}));
  EXPECT_EQ(UNetConfig::from_config(cfg).num_res_blocks, (std::vector<int64_t>{3, 3, 3}));
}

// The schema is the tables' rows in order: every key once, and each section's keys together.
TEST(ConfigTable, TheSchemaListsEveryKeyOnceSectionBySection) {
  std::set<std::string> seen;
  std::vector<std::string> runs;  // the section of each run of consecutive keys
  for (const ConfigKey& k : config_schema()) {
    EXPECT_TRUE(seen.insert(k.dotted()).second) << k.dotted() << " is declared twice";
    if (runs.empty() || runs.back() != k.section) runs.push_back(k.section);
  }
  EXPECT_EQ(runs, config_sections()) << "a section's keys are not together";
  EXPECT_EQ(config_sections(), (std::vector<std::string>{"model", "autoencoder", "diffusion", "degradation", "data",
                                                         "datagen", "train", "eval", "benchmark"}));
  EXPECT_EQ(train::TrainConfig::config_keys().size(), 26u);
  EXPECT_EQ(data::DegradationSettings::config_keys().size(), 33u);
}

TEST(Config, EditDistance) {
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(closest_config_key("autoencoder.chmult"), "autoencoder.ch_mult");
}

}  // namespace
}  // namespace sinsr::test
