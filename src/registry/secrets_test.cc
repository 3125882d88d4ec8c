// ${env:NAME} settings and redaction of secret values.
#include "registry/secrets.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "databus/error.h"

namespace databus {
namespace {

class SecretsTest : public testing::Test {
 protected:
  SecretsTest() {
    ::setenv("DATABUS_TEST_TOKEN", "s3cr3t-value", 1);
    ::setenv("DATABUS_TEST_HOST", "mail.example", 1);
    ::unsetenv("DATABUS_TEST_MISSING");
  }
  ~SecretsTest() override {
    ::unsetenv("DATABUS_TEST_TOKEN");
    ::unsetenv("DATABUS_TEST_HOST");
  }
};

TEST_F(SecretsTest, ReplacesReferencesInNestedStrings) {
  const nlohmann::json in = {
      {"a", "${env:DATABUS_TEST_TOKEN}"},
      {"b", {"x", "Bearer ${env:DATABUS_TEST_TOKEN} at ${env:DATABUS_TEST_HOST}"}},
      {"c", {{"k", "${env:DATABUS_TEST_HOST}"}}},
      {"d", 5},
      {"e", "${env:} ${env:1X} ${env:NO_CLOSE ${HOME}"}};
  const nlohmann::json out = resolve_env_references(in, "w", "k");
  EXPECT_EQ(out["a"], "s3cr3t-value");
  EXPECT_EQ(out["b"][1], "Bearer s3cr3t-value at mail.example");
  EXPECT_EQ(out["c"]["k"], "mail.example");
  EXPECT_EQ(out["d"], 5);
  EXPECT_EQ(out["e"], "${env:} ${env:1X} ${env:NO_CLOSE ${HOME}");  // Not references.
}

TEST_F(SecretsTest, MissingVariableNamesSettingAndVariable) {
  try {
    resolve_env_references("${env:DATABUS_TEST_MISSING}", "client 'c'", "password");
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.where(), "client 'c'");
    EXPECT_EQ(e.field(), "password");
    EXPECT_NE(std::string(e.what()).find("DATABUS_TEST_MISSING"), std::string::npos);
  }
}

TEST_F(SecretsTest, RegistryResolvesWhenMakingAndNeverShowsValues) {
  Registry registry;
  ComponentSpec spec{"test.pusher.x", "x", {{"password", "p", "", false, true}, {"user", "u", ""}}};
  registry.add_pusher(spec, [](const ComponentEnv& env) -> std::unique_ptr<Pusher> {
    throw ConfigError("x", "user", "got " + env.settings.at("user").get<std::string>());
  });
  ComponentRef ref{
      "test.pusher.x",
      {{"password", "${env:DATABUS_TEST_TOKEN}"}, {"user", "${env:DATABUS_TEST_HOST}"}}};
  const nlohmann::json resolved = registry.resolve_settings(ComponentKind::pusher, ref, "w");
  EXPECT_EQ(resolved["password"], "s3cr3t-value");
  EXPECT_EQ(secret_values(spec, resolved), std::vector<std::string>{"s3cr3t-value"});

  ref.settings["password"] = "${env:DATABUS_TEST_MISSING}";
  try {
    registry.make_pusher(ref, ComponentEnv{"c", "p"});
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.field(), "password");
    EXPECT_EQ(std::string(e.what()).find("s3cr3t"), std::string::npos);
  }
}

TEST_F(SecretsTest, RedactHidesEveryOccurrence) {
  EXPECT_EQ(redact("pw=abc, again abc; abcd", {"abc", "abcd"}), "pw=***, again ***; ***");
  EXPECT_EQ(redact("nothing", {""}), "nothing");
}

}  // namespace
}  // namespace databus
