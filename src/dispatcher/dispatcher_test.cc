// The dispatcher's scheduling: due drives, expedite, parallel drives, config
// reread every cycle, faulty configs and drivers, first start.
#include "databus/dispatcher.h"

#include <future>
#include <stdexcept>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "databus/error.h"
#include "dispatcher/dispatcher_test_support.h"

namespace databus::dispatch {
namespace {

using ::testing::HasSubstr;
using namespace testing;

const std::string kA = DriveHooks::key("c", kPassengerA);
const std::string kB = DriveHooks::key("c", kPassengerB);

class DispatcherTest : public ::testing::Test {
 protected:
  // Builds the dispatcher (not started) with client "c" configured as given.
  Dispatcher& make(const std::vector<std::pair<std::string, int>>& passengers) {
    dispatcher_ = std::make_unique<Dispatcher>(ticket_);
    dispatcher_->database().write_client_config_text("c", config_text(passengers));
    return *dispatcher_;
  }

  std::shared_ptr<DriveHooks> hooks_ = std::make_shared<DriveHooks>();
  DispatcherTicket ticket_ = test_ticket(test_registry(hooks_));
  std::unique_ptr<Dispatcher> dispatcher_;
};

TEST_F(DispatcherTest, CreatesRootAndDemoOnFirstStart) {
  ticket_.create_default_clients = true;
  Dispatcher d(ticket_);
  EXPECT_EQ(d.database().client_ids(), (std::vector<std::string>{"demo", "root"}));
  EXPECT_EQ(d.database().load_client("root"), root_client_config());
  EXPECT_EQ(d.database().load_client("demo"), demo_client_config());
  EXPECT_EQ(d.status().state, DispatcherState::created);
}

TEST_F(DispatcherTest, KeepsExistingClientsOfAPreparedDatabase) {
  auto prepared = std::make_shared<std::unique_ptr<Database>>(open_memory_database(DatabaseEnv{}));
  (*prepared)->write_client_config_text("acme", config_text({}));
  ticket_.create_default_clients = true;
  ticket_.database_factory = [prepared](const std::string&, const DatabaseEnv&) {
    return std::move(*prepared);
  };
  Dispatcher d(ticket_);
  EXPECT_EQ(d.database().client_ids(), std::vector<std::string>{"acme"});
}

TEST_F(DispatcherTest, DrivesOncePerIntervalAndAtOnceWhenExpedited) {
  // A has an hour's interval, B is due every cycle: while B is driven again
  // and again, A must not be driven a second time.
  Dispatcher& d = make({{kPassengerA, 3600}, {kPassengerB, 0}});
  d.start();
  ASSERT_TRUE(hooks_->await_finished(kB, 5));
  ASSERT_TRUE(hooks_->await_finished(kA, 1));
  EXPECT_EQ(hooks_->started(kA), 1);

  d.expedite("c", kPassengerA);
  ASSERT_TRUE(hooks_->await_finished(kA, 2));
  const std::vector<PassengerSchedule> passengers = d.status().passengers;
  ASSERT_EQ(passengers.size(), 2u);
  EXPECT_EQ(passengers[0].passenger, kPassengerA);
  EXPECT_TRUE(passengers[0].last_drive_start.has_value());
  EXPECT_GT(passengers[0].next_due, *passengers[0].last_drive_start);
}

TEST_F(DispatcherTest, ExpediteOfUnknownPassengerIsNotFound) {
  Dispatcher& d = make({{kPassengerA, 3600}});
  EXPECT_THROW(d.expedite("c", "test.passenger.nowhere"), NotFoundError);
  EXPECT_THROW(d.expedite("nobody", kPassengerA), NotFoundError);
  EXPECT_THROW(d.drive_now("c", "test.passenger.nowhere"), NotFoundError);
}

TEST_F(DispatcherTest, DrivesOfDifferentPassengersOverlap) {
  // Each drive waits until the other has begun: both finish only if they run
  // at the same time.
  std::mutex mu;
  std::condition_variable cv;
  int arrived = 0;
  std::atomic<int> met{0};
  const auto hooked = hooks_->hook([&](const DriveRequest&) {
    std::unique_lock lock(mu);
    ++arrived;
    cv.notify_all();
    if (cv.wait_for(lock, kPatience, [&] { return arrived >= 2; })) ++met;
  });
  Dispatcher& d = make({{kPassengerA, 3600}, {kPassengerB, 3600}});
  d.start();
  ASSERT_TRUE(hooks_->await_finished(kA, 1));
  ASSERT_TRUE(hooks_->await_finished(kB, 1));
  EXPECT_EQ(met.load(), 2);
}

TEST_F(DispatcherTest, DrivesOfTheSamePassengerNeverOverlap) {
  // A's first drive is held while B (due every cycle) is driven several times
  // and A is expedited and driven by hand meanwhile.
  ticket_.workers = 3;
  Gate gate;
  std::atomic<bool> first{true};
  const auto hooked = hooks_->hook([&](const DriveRequest& r) {
    if (r.passenger.name == kPassengerA && first.exchange(false)) gate.wait();
  });
  Dispatcher& d = make({{kPassengerA, 0}, {kPassengerB, 0}});
  d.start();
  ASSERT_TRUE(hooks_->await_started(kA, 1));
  d.expedite("c", kPassengerA);
  auto by_hand = std::async(std::launch::async, [&] { return d.drive_now("c", kPassengerA); });
  const int b_seen = hooks_->finished(kB);
  ASSERT_TRUE(hooks_->await_finished(kB, b_seen + 3));  // Cycles passed while A ran.
  EXPECT_EQ(hooks_->started(kA), 1);
  gate.open();
  ASSERT_EQ(by_hand.wait_for(kPatience), std::future_status::ready);
  ASSERT_TRUE(hooks_->await_finished(kA, 3));
  EXPECT_EQ(hooks_->max_active(kA), 1);
}

TEST_F(DispatcherTest, MalformedConfigSkipsOnlyThatClient) {
  Dispatcher& d = make({{kPassengerA, 0}});
  d.database().write_client_config_text("bad", "{ \"log_life_span\": ");
  d.start();
  ASSERT_TRUE(hooks_->await_finished(kA, 3));
  std::vector<std::string> errors = d.status().config_errors;
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0], HasSubstr("bad"));
  EXPECT_THAT(errors[0], HasSubstr("config.json"));

  // Fixed: driven at the next cycle, and the error is gone.
  d.database().write_client_config_text("bad", config_text({{kPassengerB, 3600}}));
  ASSERT_TRUE(hooks_->await_finished(DriveHooks::key("bad", kPassengerB), 1));
  EXPECT_TRUE(d.status().config_errors.empty());
}

TEST_F(DispatcherTest, ConfigEditAppliesAtTheNextCycle) {
  Dispatcher& d = make({{kPassengerA, 3600}});
  d.start();
  ASSERT_TRUE(hooks_->await_finished(kA, 1));
  d.database().write_client_config_text("c", config_text({{kPassengerA, 0}, {kPassengerB, 3600}}));
  ASSERT_TRUE(hooks_->await_finished(kB, 1));  // Added passenger.
  ASSERT_TRUE(hooks_->await_finished(kA, 3));  // Shortened interval.
}

TEST_F(DispatcherTest, FailingDriveIsLoggedAndTheDispatcherGoesOn) {
  hooks_->set_hook([](const DriveRequest& r) {
    if (r.passenger.name == kPassengerA) throw std::runtime_error("driver failure for the test");
  });
  Dispatcher& d = make({{kPassengerA, 0}, {kPassengerB, 0}});
  d.start();
  ASSERT_TRUE(hooks_->await_finished(kA, 2));
  ASSERT_TRUE(hooks_->await_finished(kB, 2));
  bool logged = false;
  for (const LogSummary& s : d.database().list_logs("c")) {
    const std::optional<Log> log = d.database().read_log("c", s.guid);
    ASSERT_TRUE(log.has_value());
    for (const LogEntry& e : log->entries()) {
      logged = logged || (e.type == LogType::error &&
                          e.message.find("driver failure for the test") != std::string::npos);
    }
  }
  EXPECT_TRUE(logged);
  for (const PassengerSchedule& p : d.status().passengers) {
    if (p.passenger == kPassengerA && p.last_worst_type) {
      EXPECT_EQ(*p.last_worst_type, LogType::error);
    }
  }
}

TEST_F(DispatcherTest, DriveNowStoresTheLogAndTellsTheObserver) {
  struct Observer : DispatcherObserver {
    std::atomic<int> complete{0};
    void drive_passenger_complete(const std::string&, const std::string&, const Log&) override {
      ++complete;
    }
  };
  auto observer = std::make_shared<Observer>();
  ticket_.dispatcher_observer = observer;
  Dispatcher& d = make({{kPassengerA, 3600}});
  const Log log = d.drive_now("c", kPassengerA);
  EXPECT_EQ(hooks_->finished(kA), 1);
  EXPECT_EQ(observer->complete.load(), 1);
  const std::optional<Log> stored = d.database().read_log("c", log.guid());
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->entries().size(), log.entries().size());
}

TEST_F(DispatcherTest, StatusFillsEveryField) {
  ticket_.workers = 3;
  Dispatcher& d = make({{kPassengerA, 3600}});
  d.start();
  ASSERT_TRUE(hooks_->await_finished(kA, 1));
  const DispatcherStatus s = d.status();
  EXPECT_EQ(s.state, DispatcherState::running);
  EXPECT_EQ(s.workers, 3);
  EXPECT_NE(s.started, TimePoint{});
  EXPECT_FALSE(s.export_running);
  ASSERT_EQ(s.passengers.size(), 1u);
  EXPECT_EQ(s.passengers[0].client_id, "c");
  EXPECT_TRUE(s.config_errors.empty());
}

}  // namespace
}  // namespace databus::dispatch
