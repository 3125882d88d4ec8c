#include "databus/client.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>

#include "databus/error.h"

namespace databus {
namespace {

// The original's demo config (docs/configuration.md), users without role.
constexpr const char* kOriginal = R"({
  "log_life_span": 1,
  "passengers": [ { "name": "databus.passenger.demo.demo_passenger_1",
                    "pullers": ["databus.puller.demo.demo_puller_1"],
                    "processors": ["databus.processor.demo.demo_processor_1"],
                    "pushers": ["databus.pusher.demo.demo_pusher_1"],
                    "queue": "databus.pqueue.primal_queue",
                    "queue_life_span": 1, "sync_frequency": 1 } ],
  "users": [ { "username": "demo", "password": "demo", "token": "0e312cd4" } ] })";

ConfigError parse_error(const std::string& text) {
  try {
    ClientConfig::parse("demo", text, "clients/demo/config.json");
  } catch (const ConfigError& e) {
    return e;
  }
  ADD_FAILURE() << "accepted: " << text;
  return ConfigError("", "", "");
}

TEST(ClientConfigTest, ParsesTheOriginalsFormat) {
  const ClientConfig c = ClientConfig::parse("demo", kOriginal, "config.json");
  EXPECT_EQ(c.id, "demo");
  ASSERT_EQ(c.passengers.size(), 1u);
  const ClientPassenger& p = c.passengers[0];
  EXPECT_EQ(p.pullers[0].module, "databus.puller.demo.demo_puller_1");
  EXPECT_TRUE(p.pullers[0].settings.empty());
  EXPECT_EQ(p.queue.module, "databus.pqueue.primal_queue");
  EXPECT_EQ(p.sync_frequency, 1);
  EXPECT_FALSE(p.sync_interval_seconds.has_value());
  ASSERT_EQ(c.users.size(), 1u);
  EXPECT_EQ(c.users[0].role, Role::administrator);
  EXPECT_EQ(c.users[0].token, "0e312cd4");
}

TEST(ClientConfigTest, ObjectFormCarriesSettingsAndRoundTrips) {
  const ClientConfig c = ClientConfig::parse("x", R"({"passengers": [{"name": "p",
      "pullers": [{"module": "databus.puller.directory", "path": "/in", "pattern": "*.csv"}],
      "sync_interval_seconds": 5}], "users": [{"username": "u", "role": "operator"}]})",
                                             "f");
  const ComponentRef& ref = c.passengers[0].pullers[0];
  EXPECT_EQ(ref.module, "databus.puller.directory");
  EXPECT_EQ(ref.settings.at("path"), "/in");
  EXPECT_FALSE(ref.settings.contains("module"));
  EXPECT_EQ(c.passengers[0].sync_interval_seconds, 5);
  EXPECT_EQ(c.users[0].role, Role::operator_);
  EXPECT_EQ(ClientConfig::parse("x", c.to_json().dump(), "f"), c);
}

TEST(ClientConfigTest, ErrorsNameTheFileAndTheField) {
  ConfigError e = parse_error("{ not json");
  EXPECT_EQ(e.where(), "clients/demo/config.json");
  EXPECT_NE(std::string(e.what()).find("clients/demo/config.json"), std::string::npos);

  e = parse_error(R"({"passengers": [{"name": "p", "sync_frequency": -1}]})");
  EXPECT_EQ(e.field(), "passengers[0].sync_frequency");

  e = parse_error(R"({"passengers": [{"name": "p", "pullers": [{"path": "/x"}]}]})");
  EXPECT_EQ(e.field(), "passengers[0].pullers[0].module");

  e = parse_error(R"({"passengers": [{"name": "p", "colour": "red"}]})");
  EXPECT_EQ(e.field(), "passengers[0].colour");

  e = parse_error(R"({"users": [{"username": "a", "role": "god"}]})");
  EXPECT_EQ(e.field(), "users[0].role");

  e = parse_error(R"({"passengers": [{"name": "p"}, {"name": "p"}]})");
  EXPECT_EQ(e.field(), "passengers[1].name");

  e = parse_error(R"([1, 2])");
  EXPECT_EQ(e.field(), "");
}

TEST(ClientConfigTest, HostAccessIsParsedCheckedAndRoundTrips) {
  const ClientConfig c = ClientConfig::parse("acme", R"({"host_access": {
      "commands": ["/opt/erp/export"], "directories": ["/srv/acme"],
      "environment": ["ERP_URL"]}})",
                                             "f");
  ASSERT_TRUE(c.host_access.has_value());
  EXPECT_EQ(c.host_access->commands, std::vector<std::string>{"/opt/erp/export"});
  EXPECT_EQ(c.host_access->directories, std::vector<std::string>{"/srv/acme"});
  EXPECT_EQ(c.host_access->environment, std::vector<std::string>{"ERP_URL"});
  EXPECT_EQ(ClientConfig::parse("acme", c.to_json().dump(), "f"), c);
  EXPECT_FALSE(ClientConfig::parse("acme", "{}", "f").host_access.has_value());
  EXPECT_FALSE(ClientConfig::parse("acme", "{}", "f").to_json().contains("host_access"));

  EXPECT_EQ(parse_error(R"({"host_access": {"directories": ["srv/acme"]}})").field(),
            "host_access.directories[0]");
  EXPECT_EQ(parse_error(R"({"host_access": {"commands": ["python3"]}})").field(),
            "host_access.commands[0]");
  EXPECT_EQ(parse_error(R"({"host_access": {"environment": ["A-B"]}})").field(),
            "host_access.environment[0]");
  EXPECT_EQ(parse_error(R"({"host_access": {"paths": []}})").field(), "host_access.paths");
  EXPECT_EQ(parse_error(R"({"host_access": []})").field(), "host_access");
}

TEST(ClientConfigTest, EveryProblemIsReportedAtOnce) {
  const std::string text = R"({"log_life_span": -1, "colour": 1,
      "passengers": [{"name": "p", "sync_frequency": "often", "queue_life_span": 2000000000,
                      "pullers": [42, {"module": "databus.puller.directory", "path": "/in"}]},
                     {"name": "q", "sync_interval_seconds": -5}],
      "users": [{"username": "a", "role": "god"}, {"password": "x"}]})";
  try {
    ClientConfig::parse("demo", text, "clients/demo/config.json");
    FAIL() << "accepted";
  } catch (const ConfigProblems& e) {
    std::vector<std::string> fields;
    for (const ConfigError& p : e.problems()) {
      EXPECT_EQ(p.where(), "clients/demo/config.json");
      fields.push_back(p.field());
    }
    EXPECT_EQ(fields,
              (std::vector<std::string>{
                  "colour", "log_life_span", "passengers[0].pullers[0]",
                  "passengers[0].queue_life_span", "passengers[0].sync_frequency",
                  "passengers[1].sync_interval_seconds", "users[0].role", "users[1].username"}));
    // One line per problem.
    EXPECT_EQ(std::count(e.what(), e.what() + std::strlen(e.what()), '\n'), 7);
  }

  // Collecting: what could be read is returned beside the problems.
  std::vector<ConfigError> problems;
  const ClientConfig c = ClientConfig::parse("demo", text, "f", problems);
  EXPECT_EQ(problems.size(), 8u);
  ASSERT_EQ(c.passengers.size(), 2u);
  ASSERT_EQ(c.passengers[0].pullers.size(), 1u);
  EXPECT_EQ(c.passengers[0].pullers[0].module, "databus.puller.directory");
  EXPECT_EQ(c.passengers[0].sync_frequency, 1);  // The default for the bad value.
}

// Seen with the fuzz target passenger_json, which reads JSON the same way: a
// number too large for a double is not a parse_error but an out_of_range
// exception, which escaped as such instead of a ConfigError.
TEST(ClientConfigTest, ANumberTooLargeIsMalformedJson) {
  const ConfigError e = parse_error(R"({"log_life_span": 999e48001122})");
  EXPECT_EQ(e.where(), "clients/demo/config.json");
  EXPECT_NE(std::string(e.what()).find("malformed JSON"), std::string::npos) << e.what();
}

TEST(ClientConfigTest, DefaultClientsUseTheDemoComponents) {
  const ClientConfig demo = demo_client_config();
  EXPECT_EQ(demo.id, "demo");
  ASSERT_EQ(demo.passengers.size(), 3u);
  EXPECT_NE(demo.find_passenger("databus.passenger.demo.demo_binary_passenger"), nullptr);
  EXPECT_EQ(demo.users.at(0).username, "demo");
  EXPECT_EQ(root_client_config().users.at(0).password, "root");
  EXPECT_EQ(ClientConfig::parse("demo", demo.to_json().dump(), "f"), demo);
}

}  // namespace
}  // namespace databus

namespace databus {
namespace {

TEST(ClientConfigRetryTest, PassengerAndStepSettingsMakeEachStepsPolicy) {
  const ClientConfig c = ClientConfig::parse("demo", R"({"passengers": [{
      "name": "p",
      "retry": {"max_attempts": 5, "initial_delay_seconds": 10},
      "processors": ["proc"],
      "pushers": [{"module": "push", "path": "/out", "retry": {"max_delay_seconds": 60}}]}]})",
                                             "config.json");
  const ClientPassenger& p = c.passengers[0];
  EXPECT_EQ(p.retry.max_attempts, 5);
  EXPECT_FALSE(p.retry.max_delay_seconds.has_value());
  // "retry" of a step is not a setting of its component.
  EXPECT_FALSE(p.pushers[0].settings.contains("retry"));
  EXPECT_EQ(p.pushers[0].settings.at("path"), "/out");
  const RetryPolicy push = p.retry_policy("push");
  EXPECT_EQ(push.max_attempts, 5);
  EXPECT_EQ(push.initial_delay_seconds, 10);
  EXPECT_EQ(push.max_delay_seconds, 60);
  const RetryPolicy proc = p.retry_policy("proc");
  EXPECT_EQ(proc.max_delay_seconds, RetryPolicy::kDefaultMaxDelaySeconds);
  // Without settings: the documented defaults.
  EXPECT_EQ(ClientPassenger{}.retry_policy("x"), RetryPolicy{});
  EXPECT_EQ(RetryPolicy{}.max_attempts, 20);
  // The file form keeps them.
  EXPECT_EQ(ClientConfig::parse("demo", c.to_json().dump(), "again"), c);
}

TEST(ClientConfigRetryTest, BadRetrySettingsNameTheirField) {
  auto field = [](const std::string& passenger) {
    try {
      ClientConfig::parse("demo", R"({"passengers": [)" + passenger + "]}", "config.json");
    } catch (const ConfigError& e) {
      return e.field();
    }
    return std::string("accepted");
  };
  EXPECT_EQ(field(R"({"name": "p", "retry": {"max_attempts": -1}})"),
            "passengers[0].retry.max_attempts");
  EXPECT_EQ(field(R"({"name": "p", "retry": {"tries": 3}})"), "passengers[0].retry.tries");
  EXPECT_EQ(field(R"({"name": "p", "retry": 3})"), "passengers[0].retry");
  EXPECT_EQ(
      field(R"({"name": "p", "retry": {"initial_delay_seconds": 90, "max_delay_seconds": 60}})"),
      "passengers[0].retry.initial_delay_seconds");
  EXPECT_EQ(field(R"({"name": "p", "pushers": [{"module": "x", "retry": {"max_attempts": "a"}}]})"),
            "passengers[0].pushers[0].retry.max_attempts");
}

}  // namespace
}  // namespace databus
