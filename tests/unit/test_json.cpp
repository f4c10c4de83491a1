#include <gtest/gtest.h>

#include <cmath>

#include "core/util/json.h"

namespace sinsr::test {
namespace {

TEST(Json, ParsesNestedValuesInOrder) {
  Json j = Json::parse(R"({"b": [1, 2.5, -3e2], "a": {"x": true, "y": null, "s": "q\"\u00e9\n"}, "n": NaN})");
  ASSERT_TRUE(j.is_object());
  EXPECT_EQ(j.as_object()[0].first, "b");
  EXPECT_EQ(j["b"][0].as_int(), 1);
  EXPECT_DOUBLE_EQ(j["b"][1].as_number(), 2.5);
  EXPECT_DOUBLE_EQ(j["b"][2].as_number(), -300);
  EXPECT_TRUE(j["a"]["x"].as_bool());
  EXPECT_TRUE(j["a"]["y"].is_null());
  EXPECT_EQ(j["a"]["s"].as_string(), "q\"\xc3\xa9\n");
  EXPECT_TRUE(std::isnan(j["n"].as_number()));
  EXPECT_EQ(j["b"].size(), 3u);
}

TEST(Json, DumpParsesBackToTheSameDocument) {
  const std::string text = R"({"k":[1,2,{"z":"w"}],"f":0.125,"t":false})";
  EXPECT_EQ(Json::parse(text).dump(), text);
  EXPECT_EQ(Json::parse(Json::parse(text).dump(2)).dump(), text);
}

TEST(Json, RejectsMalformedInput) {
  EXPECT_THROW(Json::parse("{\"a\": }"), std::runtime_error);
  EXPECT_THROW(Json::parse("[1, 2"), std::runtime_error);
  EXPECT_THROW(Json::parse("{} x"), std::runtime_error);
  EXPECT_THROW(Json::parse("1.5").as_int(), std::runtime_error);
}

}  // namespace
}  // namespace sinsr::test
