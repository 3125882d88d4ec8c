// The "alerts" key of config.json (client.h AlertSettings).
#include <gtest/gtest.h>

#include "databus/client.h"
#include "databus/error.h"

namespace databus {
namespace {

ConfigError alerts_error(const std::string& alerts) {
  const std::string text = R"({"alerts": )" + alerts + "}";
  try {
    ClientConfig::parse("acme", text, "clients/acme/config.json");
  } catch (const ConfigError& e) {
    return e;
  }
  ADD_FAILURE() << "accepted: " << text;
  return ConfigError("", "", "");
}

TEST(ClientAlertsTest, ParsesPushersAndQuietPeriodAndRoundTrips) {
  const ClientConfig c = ClientConfig::parse("acme", R"({"alerts": {
      "pushers": ["test.pusher", {"module": "databus.pusher.http", "url": "http://x/hook"}],
      "quiet_minutes": 15}})",
                                             "f");
  ASSERT_EQ(c.alerts.pushers.size(), 2u);
  EXPECT_EQ(c.alerts.pushers[0].module, "test.pusher");
  EXPECT_EQ(c.alerts.pushers[1].module, "databus.pusher.http");
  EXPECT_EQ(c.alerts.pushers[1].settings.at("url"), "http://x/hook");
  EXPECT_EQ(c.alerts.quiet_minutes, 15);
  EXPECT_EQ(ClientConfig::parse("acme", c.to_json().dump(), "f"), c);
}

TEST(ClientAlertsTest, AbsentMeansNoAlertsAndIsNotWritten) {
  const ClientConfig c = ClientConfig::parse("acme", "{}", "f");
  EXPECT_TRUE(c.alerts.empty());
  EXPECT_EQ(c.alerts.quiet_minutes, AlertSettings::kDefaultQuietMinutes);
  EXPECT_FALSE(c.to_json().contains("alerts"));
  EXPECT_TRUE(ClientConfig::parse("acme", R"({"alerts": null})", "f").alerts.empty());
  // The default quiet period applies when only pushers are given.
  EXPECT_EQ(
      ClientConfig::parse("acme", R"({"alerts": {"pushers": ["p"]}})", "f").alerts.quiet_minutes,
      60);
  EXPECT_EQ(
      ClientConfig::parse("acme", R"({"alerts": {"quiet_minutes": 0}})", "f").alerts.quiet_minutes,
      0);
}

TEST(ClientAlertsTest, BadValuesAreNamedWithTheirField) {
  EXPECT_EQ(alerts_error("[]").field(), "alerts");
  EXPECT_EQ(alerts_error(R"({"pusher": []})").field(), "alerts.pusher");
  EXPECT_EQ(alerts_error(R"({"pushers": "databus.pusher.smtp"})").field(), "alerts.pushers");
  EXPECT_EQ(alerts_error(R"({"pushers": [42]})").field(), "alerts.pushers[0]");
  EXPECT_EQ(alerts_error(R"({"pushers": [{"url": "http://x"}]})").field(),
            "alerts.pushers[0].module");
  EXPECT_EQ(alerts_error(R"({"quiet_minutes": -1})").field(), "alerts.quiet_minutes");
  EXPECT_EQ(alerts_error(R"({"quiet_minutes": "1h"})").field(), "alerts.quiet_minutes");
  const ConfigError e = alerts_error(R"({"quiet_minutes": 1.5})");
  EXPECT_NE(std::string(e.what()).find("clients/acme/config.json"), std::string::npos) << e.what();
  EXPECT_NE(std::string(e.what()).find("alerts.quiet_minutes"), std::string::npos) << e.what();
}

}  // namespace
}  // namespace databus
