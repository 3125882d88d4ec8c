#include "databus/setting.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace databus {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using json = nlohmann::json;

TEST(SettingSpecTest, IntegerRangeIsInclusive) {
  const SettingSpec port = SettingSpec{"port", "Port.", 0}.integer(1, 65535);
  EXPECT_EQ(port.problem(1), std::nullopt);
  EXPECT_EQ(port.problem(65535), std::nullopt);
  ASSERT_TRUE(port.problem(99999).has_value());
  EXPECT_EQ(*port.problem(99999), "must be a whole number from 1 to 65535, not 99999");
  EXPECT_TRUE(port.problem(0).has_value());
  EXPECT_TRUE(port.problem(-5).has_value());
  EXPECT_TRUE(port.problem(8080.5).has_value());
  EXPECT_TRUE(port.problem("8080").has_value());
  EXPECT_TRUE(port.problem(true).has_value());
}

TEST(SettingSpecTest, NumberAboveExcludesItsBound) {
  const SettingSpec timeout = SettingSpec{"timeout_seconds", "Seconds.", 30}.number_above(0);
  EXPECT_EQ(timeout.problem(0.5), std::nullopt);
  EXPECT_EQ(timeout.problem(30), std::nullopt);
  ASSERT_TRUE(timeout.problem(0).has_value());
  EXPECT_THAT(*timeout.problem(0), HasSubstr("greater than 0"));
  EXPECT_TRUE(timeout.problem(-1).has_value());
  EXPECT_TRUE(timeout.problem("30").has_value());
}

TEST(SettingSpecTest, BooleansChoicesStringsAndLists) {
  const SettingSpec flag = SettingSpec{"verify_tls", "Verify.", true}.boolean();
  EXPECT_EQ(flag.problem(false), std::nullopt);
  EXPECT_TRUE(flag.problem("yes").has_value());
  EXPECT_TRUE(flag.problem(1).has_value());

  const SettingSpec auth = SettingSpec{"auth", "Auth.", "none"}.one_of({"none", "basic"});
  EXPECT_EQ(auth.problem("basic"), std::nullopt);
  ASSERT_TRUE(auth.problem("Basic").has_value());
  EXPECT_EQ(*auth.problem("Basic"), "must be \"none\" or \"basic\", not \"Basic\"");

  const SettingSpec path = SettingSpec{"path", "Folder.", nullptr, true}.string();
  EXPECT_EQ(path.problem("/srv/in box/ü"), std::nullopt);
  EXPECT_THAT(*path.problem(json::array({"a"})), HasSubstr("not a list"));

  const SettingSpec list = SettingSpec{"to", "Recipients.", json::array()}.string_list();
  EXPECT_EQ(list.problem(json::array({"a", "b"})), std::nullopt);
  EXPECT_TRUE(list.problem(json::array({"a", 1})).has_value());
  EXPECT_TRUE(list.problem("a").has_value());

  const SettingSpec map = SettingSpec{"headers", "Headers.", json::object()}.string_map();
  EXPECT_EQ(map.problem(json{{"X-Key", "v"}}), std::nullopt);
  EXPECT_TRUE(map.problem(json{{"X-Key", 1}}).has_value());
}

TEST(SettingSpecTest, NullMeansTheDefaultUnlessRequired) {
  const SettingSpec port = SettingSpec{"port", "Port.", 0}.integer(0, 65535);
  EXPECT_EQ(port.problem(nullptr), std::nullopt);
  const SettingSpec path = SettingSpec{"path", "Folder.", nullptr, true}.string();
  EXPECT_TRUE(path.problem(nullptr).has_value());
}

TEST(SettingSpecTest, UntypedSettingsAreLeftToTheComponent) {
  const SettingSpec any{"anything", "Whatever.", 1};
  EXPECT_EQ(any.problem("text"), std::nullopt);
  EXPECT_EQ(any.problem(json::array()), std::nullopt);
}

TEST(SettingSpecTest, SecretValuesAreNeverQuoted) {
  const SettingSpec secret =
      SettingSpec{"password", "Password.", "", false, true}.one_of({"a", "b"});
  ASSERT_TRUE(secret.problem("hunter2").has_value());
  EXPECT_THAT(*secret.problem("hunter2"), Not(HasSubstr("hunter2")));
}

TEST(SettingSpecTest, DescribesTypeAndRangeForUsers) {
  EXPECT_EQ(SettingSpec{"port"}.integer(1, 65535).describe_type(), "whole number, from 1 to 65535");
  EXPECT_EQ(SettingSpec{"t"}.number_above(0).describe_type(), "number, greater than 0");
  EXPECT_EQ(SettingSpec{"n"}.integer(1).describe_type(), "whole number, of at least 1");
  EXPECT_EQ(SettingSpec{"a"}.one_of({"x", "y", "z"}).describe_type(),
            "one of \"x\", \"y\" or \"z\"");
  EXPECT_EQ(SettingSpec{"b"}.boolean().describe_type(), "boolean");
}

}  // namespace
}  // namespace databus

namespace databus {
namespace {

TEST(SettingSpecTest, ListsObjectsAndSecretsHaveTypesToo) {
  const SettingSpec list = SettingSpec{"items", "Items.", nlohmann::json::array()}.list();
  EXPECT_EQ(list.problem(nlohmann::json::array({1, "two", nullptr})), std::nullopt);
  EXPECT_EQ(list.problem("one"), "must be a list, not \"one\"");
  EXPECT_EQ(list.problem(nlohmann::json::object()), "must be a list");
  const SettingSpec object = SettingSpec{"map", "Map.", nlohmann::json::object()}.object();
  EXPECT_EQ(object.problem(nlohmann::json{{"a", {1, 2}}}), std::nullopt);
  EXPECT_EQ(object.problem(nlohmann::json::array()), "must be an object");
  const SettingSpec secret = SettingSpec{"token", "Token.", ""}.secret_string();
  EXPECT_TRUE(secret.secret);
  EXPECT_EQ(secret.type, SettingType::string);
  EXPECT_EQ(secret.problem(12345), "must be a string");  // The value is not repeated.
  EXPECT_EQ(list.describe_type(), "list");
  EXPECT_EQ(object.describe_type(), "object");
}

}  // namespace
}  // namespace databus
