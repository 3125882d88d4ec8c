#include "cli/config_lint.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "databus/builtins.h"

namespace databus::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

ConfigLint lint(const std::string& text) {
  return lint_client_config(*builtin_registry(), text, "new.json");
}

TEST(ConfigLintTest, AGoodConfigurationHasNoProblem) {
  const ConfigLint result = lint(demo_client_config().to_json().dump(2));
  EXPECT_TRUE(result.problems.empty()) << result.problems.front();
}

TEST(ConfigLintTest, SyntaxErrorsNameLineAndColumn) {
  const ConfigLint result = lint("{\n  \"passengers\": [\n    {\"name\": \"x\",}\n  ]\n}\n");
  ASSERT_EQ(result.problems.size(), 1u);
  EXPECT_THAT(result.problems[0], HasSubstr("new.json:3:18: malformed JSON: "));
  EXPECT_THAT(result.problems[0], Not(HasSubstr("json.exception")));
}

TEST(ConfigLintTest, EveryModuleSettingTypeAndRangeIsChecked) {
  const ConfigLint result = lint(R"({"passengers": [{"name": "databus.passenger.generic.orders",
    "pullers": [{"module": "databus.puller.nope"}],
    "pushers": [{"module": "databus.pusher.smtp", "host": "mail", "port": 99999,
                 "from": "a@b.c", "to": ["d@e.f"], "colour": "red", "starttls": "yes"}]}]})");
  const std::string all = ::testing::PrintToString(result.problems);
  EXPECT_THAT(all, HasSubstr("unknown puller module 'databus.puller.nope'"));
  EXPECT_THAT(all, HasSubstr("port"));
  EXPECT_THAT(all, HasSubstr("99999"));
  EXPECT_THAT(all, HasSubstr("colour"));
  EXPECT_THAT(all, HasSubstr("unknown setting"));
  for (const std::string& p : result.problems) EXPECT_THAT(p, HasSubstr("new.json"));
}

TEST(ConfigLintTest, EnvironmentReferencesAreListedNotResolved) {
  const ConfigLint result = lint(R"({"passengers": [{"name": "databus.passenger.generic.orders",
    "pushers": [{"module": "databus.pusher.http", "url": "https://erp/${env:ERP_HOST_UNSET_HERE}",
                 "auth": "${env:AUTH_MODE_UNSET_HERE}",
                 "headers": {"X-Key": "${env:ERP_KEY_UNSET_HERE}"}}]}]})");
  EXPECT_TRUE(result.problems.empty()) << ::testing::PrintToString(result.problems);
  ASSERT_EQ(result.env_references.size(), 3u);
  EXPECT_EQ(result.env_references[0].path, "passengers[0].pushers[0].auth");
  EXPECT_EQ(result.env_references[0].name, "AUTH_MODE_UNSET_HERE");
  EXPECT_EQ(result.env_references[1].path, "passengers[0].pushers[0].headers.X-Key");
  EXPECT_EQ(result.env_references[2].name, "ERP_HOST_UNSET_HERE");
}

TEST(ConfigLintTest, AStructureProblemIsFoundBesideSettingProblems) {
  const ConfigLint result = lint(R"({"passengers": [{"name": "databus.passenger.generic.a",
    "sync_frequency": -1, "pushers": [{"module": "databus.pusher.http"}]}], "colour": 1})");
  const std::string all = ::testing::PrintToString(result.problems);
  EXPECT_THAT(all, HasSubstr("sync_frequency"));
  EXPECT_THAT(all, HasSubstr("colour"));
  EXPECT_THAT(all, HasSubstr("url"));  // The http pusher's required url.
  EXPECT_GE(result.problems.size(), 3u);
}

}  // namespace
}  // namespace databus::cli
