// Alerts to databus.pusher.http (docs/configuration.md "Alerts"): a chat
// webhook as a local cpp-httplib server receives the alert of a puller that
// failed three pulls in a row, then the one of its recovery.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <thread>

#include "dispatcher/alerts_test_support.h"
#include "web/http.h"

namespace databus::dispatch {
namespace {

using namespace alerts_testing;
using nlohmann::json;
using ::testing::HasSubstr;

class AlertsHttpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    port_ = http_.bind_to_any_port("127.0.0.1");
    ASSERT_GT(port_, 0);
    http_.Post("/hook", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mu_);
      bodies_.push_back(req.body);
      res.set_content("ok", "text/plain");
    });
    thread_ = std::thread([this] { http_.listen_after_bind(); });
    for (int i = 0; i < 5000 && !http_.is_running(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ASSERT_TRUE(http_.is_running());
  }
  void TearDown() override {
    http_.stop();
    if (thread_.joinable()) thread_.join();
  }

  // The alert.json attachment of each alert received, in order.
  std::vector<json> received() {
    std::lock_guard lock(mu_);
    std::vector<json> out;
    for (const std::string& body : bodies_) {
      const json passenger = json::parse(body);
      EXPECT_EQ(passenger.at("passenger_module"), "databus.passenger.alert");
      for (const json& a : passenger.at("attachments")) {
        if (a.at("name") == "alert.json")
          out.push_back(json::parse(a.at("content").get<std::string>()));
      }
    }
    return out;
  }

  httplib::Server http_;
  int port_ = -1;
  std::thread thread_;
  std::mutex mu_;
  std::vector<std::string> bodies_;
};

TEST_F(AlertsHttpTest, AFailingPullerAlertsOnceAndItsRecoveryAlerts) {
  auto state = std::make_shared<State>();
  Dispatcher d(ticket_with(registry_with(state)));
  const json alerts = {{"pushers",
                        {{{"module", "databus.pusher.http"},
                          {"url", "http://127.0.0.1:" + std::to_string(port_) + "/hook"},
                          {"timeout_seconds", 5}}}},
                       {"quiet_minutes", 60}};
  d.database().write_client_config_text("acme", config_with({kCapture}, 1, alerts));

  state->puller_fails = true;
  d.drive_now("acme", kPassenger);
  d.drive_now("acme", kPassenger);
  EXPECT_TRUE(received().empty());  // Two failures: not failing yet.
  const Log third = d.drive_now("acme", kPassenger);
  std::vector<json> got = received();
  ASSERT_EQ(got.size(), 1u) << third.to_text();
  EXPECT_EQ(got[0].at("kind"), "puller_failing");
  EXPECT_EQ(got[0].at("client"), "acme");
  EXPECT_EQ(got[0].at("passenger"), kPassenger);
  EXPECT_EQ(got[0].at("module"), kPuller);
  EXPECT_EQ(got[0].at("attempts"), 3);
  EXPECT_THAT(got[0].at("error").get<std::string>(), HasSubstr("mailbox password refused"));
  // A fourth failure is no news.
  d.drive_now("acme", kPassenger);
  EXPECT_EQ(received().size(), 1u);

  state->puller_fails = false;
  d.drive_now("acme", kPassenger);
  got = received();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1].at("kind"), "puller_recovered");
  EXPECT_EQ(got[1].at("was"), "failing");
  EXPECT_EQ(got[1].at("module"), kPuller);
}

TEST_F(AlertsHttpTest, AnUnreachableWebhookIsLoggedAndTheDriveGoesOn) {
  auto state = std::make_shared<State>();
  Dispatcher d(ticket_with(registry_with(state)));
  const json alerts = {{"pushers",
                        {{{"module", "databus.pusher.http"},
                          {"url", "http://127.0.0.1:1/nothing-listens"},
                          {"timeout_seconds", 2}}}}};
  d.database().write_client_config_text("acme", config_with({kTarget}, 1, alerts));
  {
    std::lock_guard lock(state->mu);
    state->pull_ids = {"A"};
  }
  const auto start = std::chrono::steady_clock::now();
  const Log log = d.drive_now("acme", kPassenger);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  EXPECT_NE(log.to_text().find("alert pusher databus.pusher.http could not send"),
            std::string::npos)
      << log.to_text();
  const auto entries = d.database().query_entries("acme", {});
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_TRUE(entries[0].pusher_statuses[0].quarantined);
}

}  // namespace
}  // namespace databus::dispatch
