#include "databus/registry.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "databus/error.h"
#include "databus/factories.h"

namespace databus {
namespace {

class RecordingPuller : public Puller {
 public:
  explicit RecordingPuller(ComponentEnv env) : env_(std::move(env)) {}
  std::vector<Passenger> pull(DriveContext&) override { return {}; }
  void notify(DriveContext&, const std::vector<Passenger>&) override {}
  const ComponentEnv& env() const { return env_; }

 private:
  ComponentEnv env_;
};

ComponentSpec directory_like_spec() {
  return ComponentSpec{
      "test.puller.dir",
      "Reads a folder.",
      {SettingSpec{"path", "Folder to read.", nullptr, true}, SettingSpec{"pattern", "Glob.", "*"}},
      {"test.puller.old_name"}};
}

TEST(RegistryTest, MakesComponentsWithResolvedSettings) {
  Registry registry;
  registry.add_puller(directory_like_spec(), [](const ComponentEnv& env) {
    return std::make_unique<RecordingPuller>(env);
  });
  ComponentRef ref{"test.puller.old_name", {{"path", "/in"}}};
  auto puller = registry.make_puller(ref, ComponentEnv{"c", "p"});
  const auto& env = static_cast<RecordingPuller&>(*puller).env();
  EXPECT_EQ(env.module, "test.puller.dir");  // Aliases resolve to the canonical name.
  EXPECT_EQ(env.settings.at("path"), "/in");
  EXPECT_EQ(env.settings.at("pattern"), "*");  // Default filled in.
  EXPECT_EQ(env.client_id, "c");
}

TEST(RegistryTest, UnknownAndMissingSettingsNameTheKey) {
  Registry registry;
  registry.add_puller(directory_like_spec(), [](const ComponentEnv& env) {
    return std::make_unique<RecordingPuller>(env);
  });
  try {
    registry.resolve_settings(ComponentKind::puller,
                              ComponentRef{"test.puller.dir", {{"path", "/"}, {"colour", 1}}},
                              "clients/x/config.json");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.field(), "colour");
    EXPECT_EQ(e.where(), "clients/x/config.json");
  }
  try {
    registry.resolve_settings(ComponentKind::puller, ComponentRef{"test.puller.dir"}, "w");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.field(), "path");
  }
}

ComponentSpec endpoint_spec() {
  return ComponentSpec{"test.pusher.endpoint",
                       "Sends somewhere.",
                       {SettingSpec{"host", "Host.", nullptr, true}.string(),
                        SettingSpec{"port", "Port.", 443}.integer(1, 65535),
                        SettingSpec{"timeout_seconds", "Seconds.", 30}.number_above(0),
                        SettingSpec{"verify_tls", "Verify.", true}.boolean(),
                        SettingSpec{"format", "Format.", "json"}.one_of({"json", "multipart"})}};
}

TEST(RegistryTest, ValuesOfTheWrongTypeOrRangeNameTheKey) {
  Registry registry;
  registry.add_pusher(endpoint_spec(), nullptr);
  try {
    registry.resolve_settings(
        ComponentKind::pusher,
        ComponentRef{"test.pusher.endpoint", {{"host", "h"}, {"port", 99999}}},
        "clients/x/config.json");
    FAIL() << "port 99999 accepted";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.field(), "port");
    EXPECT_EQ(e.where(), "clients/x/config.json");
    EXPECT_THAT(e.what(), testing::HasSubstr("from 1 to 65535"));
  }
  const nlohmann::json good = registry.resolve_settings(
      ComponentKind::pusher, ComponentRef{"test.pusher.endpoint", {{"host", "h"}, {"port", 8443}}},
      "w");
  EXPECT_EQ(good.at("port"), 8443);
  EXPECT_EQ(good.at("timeout_seconds"), 30);  // Defaults are not checked again, just filled in.
}

TEST(RegistryTest, EveryProblemOfAComponentIsReportedAtOnce) {
  Registry registry;
  registry.add_pusher(endpoint_spec(), nullptr);
  const ComponentRef ref{"test.pusher.endpoint",
                         {{"port", 0},
                          {"timeout_seconds", -1},
                          {"verify_tls", "yes"},
                          {"format", "xml"},
                          {"colour", "red"}}};
  const std::vector<ConfigError> problems =
      registry.check_settings(ComponentKind::pusher, ref, "w");
  std::set<std::string> fields;
  for (const ConfigError& p : problems) fields.insert(p.field());
  EXPECT_EQ(fields, (std::set<std::string>{"host", "port", "timeout_seconds", "verify_tls",
                                           "format", "colour"}));
  try {
    registry.resolve_settings(ComponentKind::pusher, ref, "w");
    FAIL();
  } catch (const ConfigProblems& e) {
    EXPECT_EQ(e.problems().size(), 6u);
    EXPECT_THAT(e.what(), testing::HasSubstr("'verify_tls'"));
    EXPECT_THAT(e.what(), testing::HasSubstr("'colour'"));
  }
  EXPECT_EQ(registry.check_settings(ComponentKind::pusher, ComponentRef{"nope"}, "w").at(0).field(),
            "module");
}

TEST(RegistryTest, CheckClientListsEveryProblemOfEveryPassenger) {
  Registry registry;
  registry.add_passenger(ComponentSpec{"test.passenger"});
  registry.add_pusher(endpoint_spec(), nullptr);
  registry.add_queue(ComponentSpec{"databus.pqueue.primal_queue"}, nullptr);
  ClientConfig config;
  ClientPassenger a;
  a.name = "test.passenger";
  a.pushers = {ComponentRef{"test.pusher.endpoint", {{"host", "h"}, {"port", 99999}}},
               ComponentRef{"test.pusher.endpoint", {{"host", 7}}}};
  ClientPassenger b;
  b.name = "test.passenger.unknown";
  b.pullers = {ComponentRef{"test.puller.none"}};
  config.passengers = {a, b};
  const std::vector<ConfigError> problems = registry.check_client(config, "c.json");
  ASSERT_EQ(problems.size(), 4u);
  EXPECT_EQ(problems[0].field(), "port");
  EXPECT_THAT(problems[0].what(), testing::HasSubstr("c.json: passengers[0] (test.passenger)"
                                                     ".pushers[0]"));
  EXPECT_EQ(problems[1].field(), "host");
  EXPECT_THAT(problems[1].what(), testing::HasSubstr("pushers[1]"));
  EXPECT_EQ(problems[2].field(), "name");
  EXPECT_THAT(problems[3].what(), testing::HasSubstr("pullers[0]"));
  EXPECT_THAT(problems[3].what(), testing::HasSubstr("test.puller.none"));
}

TEST(RegistryTest, UnknownModulesAndKindsAreClearErrors) {
  Registry registry;
  registry.add_passenger(ComponentSpec{"test.passenger"});
  EXPECT_THROW(registry.make_puller(ComponentRef{"nope"}, ComponentEnv{}), UnknownModuleError);
  EXPECT_THROW(registry.make_passenger("test.puller.dir"), UnknownModuleError);
  try {
    registry.make_driver("databus.driver.none");
    FAIL();
  } catch (const UnknownModuleError& e) {
    EXPECT_EQ(std::string(e.what()), "unknown driver module 'databus.driver.none'");
  }
  EXPECT_EQ(registry.make_passenger("test.passenger").passenger_module, "test.passenger");
}

TEST(RegistryTest, NamesAreUniquePerKind) {
  Registry registry;
  registry.add_passenger(ComponentSpec{"a"});
  EXPECT_THROW(registry.add_passenger(ComponentSpec{"a"}), Error);
  EXPECT_THROW(registry.add_passenger(ComponentSpec{"b", "", {}, {"a"}}), Error);
  registry.add_pusher(ComponentSpec{"a"}, nullptr);  // Another kind: fine.
  EXPECT_EQ(registry.list(ComponentKind::passenger).size(), 1u);
  EXPECT_EQ(registry.find(ComponentKind::queue, "a"), nullptr);
}

TEST(RegistryTest, PrimalFactoriesConsultTheRegistryAndFillOnlyGaps) {
  auto registry = std::make_shared<Registry>();
  registry->add_passenger(ComponentSpec{"test.passenger"});
  Factories mine;
  mine.passenger = [](const std::string&) {
    Passenger p;
    p.passenger_module = "custom";
    return p;
  };
  mine.fill_missing(Factories::primal(registry));
  EXPECT_EQ(mine.passenger("anything").passenger_module, "custom");
  ASSERT_TRUE(mine.puller);
  EXPECT_THROW(mine.puller(ComponentRef{"nope"}, ComponentEnv{}), UnknownModuleError);
}

TEST(DriveContextTest, NewPassengerIsFilledIn) {
  ClientPassenger cp;
  cp.name = "test.passenger";
  Log log;
  DriveContext ctx("c", cp, log, nullptr);
  const Passenger p = ctx.new_passenger("E1", "SRC", "test.puller");
  EXPECT_EQ(p.passenger_module, "test.passenger");
  EXPECT_EQ(p.puller_module, "test.puller");
  EXPECT_EQ(p.internal_id.size(), 36u);
  EXPECT_NE(p.pull_datetime, TimePoint{});
  EXPECT_FALSE(ctx.stop_requested());
}

}  // namespace
}  // namespace databus
