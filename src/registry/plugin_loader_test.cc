// load_plugins() without a plugin: folders that are missing, empty or hold
// other files. Loading real plugins (and refusing one of another ABI) is
// tests/plugin/plugin_example_test.sh, which builds them against an
// installation.
#include "databus/plugin.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>

#include "databus/error.h"

namespace databus {
namespace {

using ::testing::HasSubstr;

TEST(PluginLoaderTest, AMissingFolderIsAnErrorNamingIt) {
  Registry registry;
  try {
    load_plugins(registry, {"/nonexistent/databus-plugins"});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(),
                HasSubstr("plugin directory /nonexistent/databus-plugins does not exist"));
  }
}

TEST(PluginLoaderTest, OnlySharedLibrariesAreLoaded) {
  std::string pattern =
      (std::filesystem::temp_directory_path() / "databus_plugins_XXXXXX").string();
  ASSERT_NE(mkdtemp(pattern.data()), nullptr);
  const std::filesystem::path dir = pattern;
  std::ofstream(dir / "README.txt") << "not a plugin";
  std::filesystem::create_directory(dir / "sub.so");  // A folder, whatever its name.
  Registry registry;
  EXPECT_TRUE(load_plugins(registry, {dir}).empty());
  std::ofstream(dir / "broken.so") << "not an ELF file";
  try {
    load_plugins(registry, {dir});
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(),
                HasSubstr("plugin " + (dir / "broken.so").string() + " cannot be loaded: "));
  }
  std::filesystem::remove_all(dir);
}

TEST(PluginLoaderTest, NoFolderLoadsNothing) {
  Registry registry;
  EXPECT_TRUE(load_plugins(registry, {}).empty());
}

}  // namespace
}  // namespace databus
