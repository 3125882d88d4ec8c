// Alerts through a client's alert pushers (docs/configuration.md "Alerts"),
// on a dispatcher with the primal driver and the memory engine.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "databus/error.h"
#include "dispatcher/alert_sender.h"
#include "dispatcher/alerts_test_support.h"

namespace databus::dispatch {
namespace {

using namespace alerts_testing;
using nlohmann::json;
using ::testing::HasSubstr;

constexpr auto kPatience = std::chrono::seconds(20);

// Records the events alerts come from, to compare two runs.
class EventLog : public DispatcherObserver {
 public:
  void step_failed(const std::string&, const std::string&, const std::string& module,
                   const QueueEntry* entry, const std::string&) override {
    add("failed " + module + (entry ? " " + entry->passenger.external_id : ""));
  }
  void step_quarantined(const std::string&, const std::string&, const std::string& module,
                        const QueueEntry& entry, const std::string&) override {
    add("quarantined " + module + " " + entry.passenger.external_id);
  }
  void puller_health_changed(const std::string&, const std::string&, const std::string& puller,
                             const PullerHealth&, PullerHealth::State was,
                             PullerHealth::State is) override {
    add("health " + puller + " " + std::string(to_string(was)) + " -> " +
        std::string(to_string(is)));
  }
  std::vector<std::string> all() {
    std::lock_guard lock(mu_);
    return events_;
  }

 private:
  void add(std::string e) {
    std::lock_guard lock(mu_);
    events_.push_back(std::move(e));
  }
  std::mutex mu_;
  std::vector<std::string> events_;
};

bool log_mentions(const Log& log, LogType type, const std::string& text) {
  for (const LogEntry& e : log.entries()) {
    if (e.type == type && e.message.find(text) != std::string::npos) return true;
  }
  return false;
}

class AlertsTest : public ::testing::Test {
 protected:
  std::unique_ptr<Dispatcher> make(const json& alerts, int max_attempts = 1,
                                   std::shared_ptr<DispatcherObserver> observer = nullptr) {
    DispatcherTicket ticket = ticket_with(registry_with(state_));
    ticket.dispatcher_observer = std::move(observer);
    auto d = std::make_unique<Dispatcher>(std::move(ticket));
    d->database().write_client_config_text("acme", config_with({kTarget}, max_attempts, alerts));
    return d;
  }
  Log drive(Dispatcher& d, const std::string& id) {
    {
      std::lock_guard lock(state_->mu);
      state_->pull_ids = {id};
    }
    return d.drive_now("acme", kPassenger);
  }

  std::shared_ptr<State> state_ = std::make_shared<State>();
};

TEST_F(AlertsTest, AQuarantineSendsOneAlertPerQuietPeriod) {
  auto d = make({{"pushers", {kCapture}}, {"quiet_minutes", 60}});
  const Log first = drive(*d, "A");
  ASSERT_EQ(state_->alerts().size(), 1u) << first.to_text();
  const Passenger alert = state_->alerts()[0];
  EXPECT_EQ(alert.passenger_module, "databus.passenger.alert");
  EXPECT_EQ(alert.source_system, "DATABUS");
  EXPECT_THAT(alert.external_id, HasSubstr("step_quarantined test.alert.target"));
  const json j = alert_json(alert);
  EXPECT_EQ(j.at("kind"), "step_quarantined");
  EXPECT_EQ(j.at("client"), "acme");
  EXPECT_EQ(j.at("passenger"), kPassenger);
  EXPECT_EQ(j.at("module"), kTarget);
  EXPECT_EQ(j.at("entry").at("external_id"), "A");
  EXPECT_EQ(j.at("entry").at("internal_id"),
            d->database().query_entries("acme", {}).at(0).passenger.internal_id);
  EXPECT_EQ(j.at("attempts"), 1);
  EXPECT_THAT(j.at("error").get<std::string>(), HasSubstr("target down"));
  EXPECT_FALSE(j.at("node").get<std::string>().empty());
  const std::string text = alert.find_attachment("alert.txt")->content;
  EXPECT_THAT(text, HasSubstr("client 'acme'"));
  EXPECT_THAT(text, HasSubstr("test.alert.target is quarantined after 1 failed attempt "));
  EXPECT_THAT(text, HasSubstr("target down"));
  EXPECT_TRUE(log_mentions(first, LogType::info, "sent the step_quarantined"));

  // Within the quiet period: quarantined again, no second alert.
  const Log second = drive(*d, "B");
  EXPECT_EQ(state_->alerts().size(), 1u);
  EXPECT_TRUE(log_mentions(second, LogType::info, "within the quiet period")) << second.to_text();

  // The record is in the store: a new dispatcher on it (a restart, another
  // node) sends nothing either. Then the period passes (the record is
  // backdated), and the next quarantine alerts again.
  const std::optional<std::string> record =
      d->database().read_passenger_state("acme", kPassenger, kAlertsSentState);
  ASSERT_TRUE(record.has_value());
  json sent = json::parse(*record);
  ASSERT_TRUE(sent.contains("step_quarantined test.alert.target")) << *record;
  sent["step_quarantined test.alert.target"] = to_iso(Clock::now() - std::chrono::minutes(61));
  d->database().write_passenger_state("acme", kPassenger, kAlertsSentState, sent.dump());
  drive(*d, "C");
  ASSERT_EQ(state_->alerts().size(), 2u);
  EXPECT_EQ(alert_json(state_->alerts()[1]).at("entry").at("external_id"), "C");
}

TEST_F(AlertsTest, QuietMinutesZeroSendsEveryAlertAndOneDriveFoldsItsEntries) {
  auto d = make({{"pushers", {kCapture}}, {"quiet_minutes", 0}});
  drive(*d, "A");
  drive(*d, "B");
  ASSERT_EQ(state_->alerts().size(), 2u);
  {
    std::lock_guard lock(state_->mu);
    state_->pull_ids = {"C", "D", "E"};
  }
  d->drive_now("acme", kPassenger);
  ASSERT_EQ(state_->alerts().size(), 3u);
  const json j = alert_json(state_->alerts()[2]);
  EXPECT_EQ(j.at("more_entries"), 2);
  EXPECT_THAT(state_->alerts()[2].find_attachment("alert.txt")->content,
              HasSubstr("and 2 more entries"));
}

TEST_F(AlertsTest, AThrowingAlertPusherChangesNothingElse) {
  auto plain_events = std::make_shared<EventLog>();
  auto alerted_events = std::make_shared<EventLog>();
  auto plain = make(nullptr, 2, plain_events);
  const Log p1 = drive(*plain, "A");
  const Log p2 = drive(*plain, "A");
  const int plain_calls = state_->target_calls.exchange(0);

  auto alerted = make({{"pushers", {kThrowing, kCapture}}}, 2, alerted_events);
  const Log a1 = drive(*alerted, "A");
  const Log a2 = drive(*alerted, "A");
  EXPECT_EQ(state_->target_calls, plain_calls);
  EXPECT_EQ(alerted_events->all(), plain_events->all());

  const auto compare = [](const QueueEntry& x, const QueueEntry& y) {
    ASSERT_EQ(x.pusher_statuses.size(), y.pusher_statuses.size());
    for (std::size_t i = 0; i < x.pusher_statuses.size(); ++i) {
      EXPECT_EQ(x.pusher_statuses[i].status, y.pusher_statuses[i].status);
      EXPECT_EQ(x.pusher_statuses[i].attempts, y.pusher_statuses[i].attempts);
      EXPECT_EQ(x.pusher_statuses[i].quarantined, y.pusher_statuses[i].quarantined);
      EXPECT_EQ(x.pusher_statuses[i].last_error, y.pusher_statuses[i].last_error);
    }
  };
  const auto plain_entries = plain->database().query_entries("acme", {});
  const auto alerted_entries = alerted->database().query_entries("acme", {});
  ASSERT_EQ(plain_entries.size(), 1u);
  ASSERT_EQ(alerted_entries.size(), 1u);
  compare(plain_entries[0], alerted_entries[0]);
  EXPECT_TRUE(alerted_entries[0].pusher_statuses[0].quarantined);

  // The failing alert pusher is in the drive's log; the other still got it.
  EXPECT_FALSE(log_mentions(p2, LogType::error, "alert pusher"));
  EXPECT_TRUE(log_mentions(a2, LogType::error, "alert pusher test.alert.throwing"));
  EXPECT_TRUE(log_mentions(a2, LogType::error, "alert channel down"));
  EXPECT_EQ(state_->alerts().size(), 1u);
}

TEST_F(AlertsTest, AnAlertNoPusherTookIsSentAtTheNextEvent) {
  auto d = make({{"pushers", {kThrowing}}, {"quiet_minutes", 60}});
  const Log first = drive(*d, "A");
  EXPECT_TRUE(log_mentions(first, LogType::error, "alert channel down"));
  // Nothing delivered it: no record holds the next one back.
  const std::optional<std::string> record =
      d->database().read_passenger_state("acme", kPassenger, kAlertsSentState);
  EXPECT_TRUE(!record || !json::parse(*record).contains("step_quarantined test.alert.target"))
      << *record;
  const Log second = drive(*d, "B");
  EXPECT_FALSE(log_mentions(second, LogType::info, "within the quiet period"));
  EXPECT_TRUE(log_mentions(second, LogType::error, "alert channel down"));
}

TEST_F(AlertsTest, AStalePullerIsFoundWithoutADriveAndItsRecoveryAlerts) {
  auto events = std::make_shared<EventLog>();
  DispatcherTicket ticket = ticket_with(registry_with(state_));
  ticket.dispatcher_observer = events;
  ticket.cycle = std::chrono::milliseconds(20);
  Dispatcher d(std::move(ticket));
  d.database().write_client_config_text(
      "acme", config_with({kCapture}, 1, {{"pushers", {kCapture}}, {"quiet_minutes", 60}}));
  // The last pull, four hours ago, succeeded: ok then, stale now (the
  // interval is an hour, so stale after three).
  PullerHealth h;
  h.record(Clock::now() - std::chrono::hours(4), "");
  d.database().write_passenger_state("acme", kPassenger, kPullerHealthState,
                                     encode_puller_health({{kPuller, h}}));
  d.start();
  // The first cycle finds it stale and alerts; the drive it then starts
  // pulls successfully: recovered.
  const auto deadline = std::chrono::steady_clock::now() + kPatience;
  auto kinds = [&] {
    std::vector<std::string> out;
    for (const Passenger& p : state_->alerts()) {
      const json j = alert_json(p);
      if (j.at("module") == kPuller) out.push_back(j.at("kind"));
    }
    std::sort(out.begin(), out.end());
    return out;
  };
  while (kinds().size() < 2 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  d.shutdown();
  d.wait();
  EXPECT_EQ(kinds(), (std::vector<std::string>{"puller_recovered", "puller_stale"}));
  EXPECT_THAT(events->all(), ::testing::Contains("health test.alert.puller ok -> stale"));
  EXPECT_THAT(events->all(), ::testing::Contains("health test.alert.puller stale -> ok"));
  // The stale alert's lines are in a log of the client's.
  bool logged = false;
  for (const LogSummary& s : d.database().list_logs("acme")) {
    const std::optional<Log> log = d.database().read_log("acme", s.guid);
    logged = logged || (log && log_mentions(*log, LogType::info, "sent the puller_stale"));
  }
  EXPECT_TRUE(logged);
}

TEST_F(AlertsTest, AlertPushersAreValidatedLikeAnyPusher) {
  const std::shared_ptr<Registry> registry = builtin_registry();
  const ClientConfig config = ClientConfig::parse("acme", R"({"alerts": {"pushers": [
      {"module": "databus.pusher.http"},
      {"module": "databus.pusher.smtp", "host": "mail", "from": "a@b", "to": ["c@d"], "colour": 1},
      "databus.pusher.nowhere"]}})",
                                                  "clients/acme/config.json");
  const std::vector<ConfigError> problems =
      registry->check_client(config, "clients/acme/config.json");
  ASSERT_EQ(problems.size(), 3u);
  EXPECT_THAT(problems[0].where(), HasSubstr("alerts.pushers[0]"));
  EXPECT_EQ(problems[0].field(), "url");
  EXPECT_THAT(problems[1].where(), HasSubstr("alerts.pushers[1]"));
  EXPECT_EQ(problems[1].field(), "colour");
  EXPECT_THAT(problems[2].where(), HasSubstr("alerts.pushers[2]"));
}

TEST_F(AlertsTest, AClientAdministratorCannotPointAnAlertPusherAtAHostPath) {
  DispatcherTicket ticket = ticket_with(builtin_registry());
  Dispatcher d(std::move(ticket));
  d.database().write_client_config_text("acme", R"({"passengers": [], "users": []})");
  const std::string text =
      json{{"passengers", json::array()},
           {"users", json::array()},
           {"alerts", {{"pushers", {{{"module", "databus.pusher.directory"}, {"path", "/etc"}}}}}}}
          .dump();
  try {
    d.save_customizing("acme", "__databus__", text, Editor::client);
    FAIL() << "accepted";
  } catch (const ForbiddenError& e) {
    EXPECT_THAT(e.what(), HasSubstr("alerts.pushers[0]"));
    EXPECT_THAT(e.what(), HasSubstr("path"));
  }
  EXPECT_TRUE(d.database().load_client("acme").alerts.empty());
  // Root's administrators may.
  d.save_customizing("acme", "__databus__", text, Editor::root);
  EXPECT_EQ(d.database().load_client("acme").alerts.pushers.size(), 1u);
}

}  // namespace
}  // namespace databus::dispatch
