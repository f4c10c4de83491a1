#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "core/util/json.h"
#include "core/util/sha256.h"

namespace sinsr::test {
namespace {

TEST(Json, ParsesNestedValuesInOrder) {
  Json j = Json::parse(R"({"b": [1, 2.5, -3e2], "a": {"x": true, "y": null, "s": "q\"\u00e9\n"}})");
  ASSERT_TRUE(j.is_object());
  EXPECT_EQ(j.as_object()[0].first, "b");
  EXPECT_EQ(j["b"][0].as_int(), 1);
  EXPECT_DOUBLE_EQ(j["b"][1].as_number(), 2.5);
  EXPECT_DOUBLE_EQ(j["b"][2].as_number(), -300);
  EXPECT_TRUE(j["a"]["x"].as_bool());
  EXPECT_TRUE(j["a"]["y"].is_null());
  EXPECT_EQ(j["a"]["s"].as_string(), "q\"\xc3\xa9\n");
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
  EXPECT_THROW(Json::parse("[NaN]"), std::runtime_error);  // not JSON, though Python writes it
}

TEST(Json, IntegersPrintAsIntegersAndNonFiniteAsNull) {
  Json j =
      Json::array({Json::number(5), Json::number(-3e15), Json::number(0.1), Json::number(NAN), Json::number(INFINITY)});
  EXPECT_EQ(j.dump(), "[5,-3000000000000000,0.1,null,null]");
  EXPECT_DOUBLE_EQ(Json::parse(j.dump())[2].as_number(), 0.1);  // shortest text that reads back the same double
}

// FIPS 180-2 appendix B test vectors.
TEST(Sha256, MatchesTheStandardsVectors) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256, OfAFileEqualsOfItsBytesAndNamesAMissingFile) {
  const std::string path = ::testing::TempDir() + "/sha256_probe.bin";
  std::string bytes(3 << 20, '\0');  // spans several read blocks
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 131 % 251);
  std::ofstream(path, std::ios::binary) << bytes;
  EXPECT_EQ(sha256_file(path), sha256_hex(bytes));
  try {
    sha256_file(path + ".missing");
    FAIL() << "no error for a missing file";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("sha256_probe.bin.missing"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace sinsr::test
