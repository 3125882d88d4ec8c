#include "dispatcher/stale_monitor.h"

#include <gtest/gtest.h>

#include "dispatcher/alert_collector.h"
#include "storage/memory/memory_database.h"

namespace databus::dispatch {
namespace {

using State = PullerHealth::State;

class Changes : public DispatcherObserver {
 public:
  void puller_health_changed(const std::string&, const std::string&, const std::string& puller,
                             const PullerHealth&, State was, State is) override {
    seen.push_back(puller + " " + std::string(to_string(was)) + " -> " +
                   std::string(to_string(is)));
  }
  std::vector<std::string> seen;
};

class StaleMonitorTest : public ::testing::Test {
 protected:
  StaleMonitorTest() {
    ClientPassenger p;
    p.name = "orders";
    p.pullers = {ComponentRef{"imap"}, ComponentRef{"never"}};
    p.sync_interval_seconds = 60;  // Stale after 5 minutes.
    config_.id = "acme";
    config_.passengers = {p};
  }
  void store(const PullerHealthMap& health) {
    db_.write_passenger_state("acme", "orders", kPullerHealthState, encode_puller_health(health));
  }
  std::vector<AlertEvent> check(TimePoint now) {
    return monitor_.check(db_, {config_}, now, observer_);
  }

  MemoryDatabase db_;
  ClientConfig config_;
  StaleMonitor monitor_;
  Changes observer_;
  const TimePoint t0 = parse_iso(to_iso(Clock::now()));  // As precise as the record.
};

TEST_F(StaleMonitorTest, ReportsAPullerTurnedStaleOnceUntilItRecovers) {
  PullerHealth h;
  h.record(t0, "");
  store({{"imap", h}});
  EXPECT_TRUE(check(t0 + std::chrono::minutes(1)).empty());
  const std::vector<AlertEvent> events = check(t0 + std::chrono::minutes(6));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, AlertKind::puller_stale);
  EXPECT_EQ(events[0].client_id, "acme");
  EXPECT_EQ(events[0].passenger, "orders");
  EXPECT_EQ(events[0].module, "imap");
  EXPECT_EQ(events[0].was, State::ok);
  EXPECT_EQ(events[0].last_success, h.last_success);
  EXPECT_EQ(observer_.seen, std::vector<std::string>{"imap ok -> stale"});
  // Still stale: not again.
  EXPECT_TRUE(check(t0 + std::chrono::minutes(7)).empty());
  // A drive succeeded (and reported the recovery itself); stale again later.
  h.record(t0 + std::chrono::minutes(8), "");
  store({{"imap", h}});
  EXPECT_TRUE(check(t0 + std::chrono::minutes(9)).empty());
  EXPECT_EQ(check(t0 + std::chrono::minutes(14)).size(), 1u);
  EXPECT_EQ(observer_.seen.size(), 2u);
}

TEST_F(StaleMonitorTest, AfterARestartTheStateAtTheLastPullIsWhatWasSeen) {
  // The last drive already found it stale (and reported it): nothing new.
  PullerHealth h;
  h.record(t0, "");
  h.record(t0 + std::chrono::minutes(10), "timeout");
  store({{"imap", h}});
  EXPECT_TRUE(check(t0 + std::chrono::minutes(11)).empty());
  EXPECT_TRUE(observer_.seen.empty());
}

TEST_F(StaleMonitorTest, FailingPullersAndUnknownRecordsAreLeftAlone) {
  PullerHealth h;
  for (int i = 0; i < 3; ++i) h.record(t0 + std::chrono::minutes(i), "refused");
  store({{"imap", h}});
  EXPECT_TRUE(check(t0 + std::chrono::hours(2)).empty());  // Failing wins over stale.
  db_.write_passenger_state("acme", "orders", kPullerHealthState, "not json");
  EXPECT_TRUE(check(t0 + std::chrono::hours(3)).empty());
}

TEST_F(StaleMonitorTest, ChecksAtMostEveryPeriod) {
  const auto s0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(monitor_.due(s0));
  EXPECT_FALSE(monitor_.due(s0 + std::chrono::seconds(29)));
  EXPECT_TRUE(monitor_.due(s0 + std::chrono::seconds(30)));
}

TEST(PullerAlertKindTest, TurnsAndRecoveries) {
  EXPECT_EQ(puller_alert_kind(State::ok, State::failing), AlertKind::puller_failing);
  EXPECT_EQ(puller_alert_kind(State::unknown, State::failing), AlertKind::puller_failing);
  EXPECT_EQ(puller_alert_kind(State::ok, State::stale), AlertKind::puller_stale);
  EXPECT_EQ(puller_alert_kind(State::stale, State::failing), AlertKind::puller_failing);
  EXPECT_EQ(puller_alert_kind(State::failing, State::ok), AlertKind::puller_recovered);
  EXPECT_EQ(puller_alert_kind(State::stale, State::ok), AlertKind::puller_recovered);
  EXPECT_EQ(puller_alert_kind(State::unknown, State::ok), std::nullopt);
  EXPECT_EQ(puller_alert_kind(State::failing, State::failing), std::nullopt);
}

}  // namespace
}  // namespace databus::dispatch
