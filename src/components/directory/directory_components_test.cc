// Settings and helpers of the directory connectors.
#include "components/directory/directory_components.h"

#include <gtest/gtest.h>

#include "databus/error.h"

namespace databus {
namespace {

using namespace directory_internal;

ComponentEnv env(nlohmann::json settings, const std::string& module = kDirectoryPullerModule) {
  ComponentEnv e;
  e.client_id = "acme";
  e.passenger = "test.passenger";
  e.module = module;
  e.settings = std::move(settings);
  return e;
}

TEST(DirectorySettingsTest, ThePullerNeedsAWayToRetireFiles) {
  try {
    DirectoryPuller puller(env({{"path", "/tmp/in"}}));
    FAIL() << "no ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.field(), "done_path");
    EXPECT_NE(e.where().find(kDirectoryPullerModule), std::string::npos);
  }
  EXPECT_THROW(
      DirectoryPuller(
          env({{"path", "/tmp/in"}, {"done_path", "/tmp/done"}, {"delete_after_notify", true}})),
      ConfigError);
  EXPECT_THROW(DirectoryPuller(env({{"path", "/tmp/in"}, {"done_path", "/tmp/in/"}})), ConfigError);
  EXPECT_NO_THROW(DirectoryPuller(env({{"path", "/tmp/in"}, {"done_path", "/tmp/done"}})));
  EXPECT_NO_THROW(DirectoryPuller(env({{"path", "/tmp/in"}, {"delete_after_notify", true}})));
}

TEST(DirectorySettingsTest, PathIsRequiredAndTypesAreChecked) {
  EXPECT_THROW(DirectoryPuller(env({{"delete_after_notify", true}})), ConfigError);
  EXPECT_THROW(DirectoryPusher(env(nlohmann::json::object(), kDirectoryPusherModule)), ConfigError);
  try {
    DirectoryPuller puller(env({{"path", "/tmp/in"}, {"delete_after_notify", "yes"}}));
    FAIL() << "no ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.field(), "delete_after_notify");
  }
}

TEST(DirectorySettingsTest, SpecsListTheSettings) {
  ComponentSpec puller = directory_puller_spec();
  EXPECT_EQ(puller.name, "databus.puller.directory");
  ASSERT_EQ(puller.settings.size(), 5u);
  EXPECT_EQ(puller.settings[0].key, "path");
  EXPECT_TRUE(puller.settings[0].required);
  EXPECT_EQ(directory_pusher_spec().name, "databus.pusher.directory");
}

TEST(DirectoryHelpersTest, TellsTextFromBinary) {
  EXPECT_TRUE(is_text(""));
  EXPECT_TRUE(is_text("Lorem Ipsum\r\n"));
  EXPECT_TRUE(is_text("na\xC3\xAFve \xE2\x82\xAC \xF0\x9F\x98\x80"));
  EXPECT_FALSE(is_text(std::string("a\0b", 3)));
  EXPECT_FALSE(is_text("\x89PNG"));
  EXPECT_FALSE(is_text("\xC3"));              // Truncated sequence.
  EXPECT_FALSE(is_text("\xC0\xAF"));          // Overlong '/'.
  EXPECT_FALSE(is_text("\xED\xA0\x80"));      // Surrogate.
  EXPECT_FALSE(is_text("\xF4\x90\x80\x80"));  // Beyond U+10FFFF.
}

TEST(DirectoryHelpersTest, ExternalIdsRoundTrip) {
  std::string id = file_external_id("a:b.txt", 12, 1700000000123456789);
  EXPECT_EQ(id, "a:b.txt:12:1700000000123456789");
  std::string name;
  std::uintmax_t size = 0;
  std::int64_t mtime = 0;
  ASSERT_TRUE(parse_file_external_id(id, name, size, mtime));
  EXPECT_EQ(name, "a:b.txt");
  EXPECT_EQ(size, 12u);
  EXPECT_EQ(mtime, 1700000000123456789);
  EXPECT_FALSE(parse_file_external_id("ID_1_1", name, size, mtime));
  EXPECT_FALSE(parse_file_external_id("a:x:1", name, size, mtime));
  EXPECT_FALSE(parse_file_external_id(":1:2", name, size, mtime));
}

}  // namespace
}  // namespace databus
