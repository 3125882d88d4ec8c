// Pause, resume, shutdown, export and the observer's events.
#include "databus/dispatcher.h"

#include <algorithm>
#include <future>
#include <stdexcept>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "databus/error.h"
#include "dispatcher/dispatcher_test_support.h"

namespace databus::dispatch {
namespace {

using ::testing::ElementsAre;
using namespace testing;

const std::string kA = DriveHooks::key("c", kPassengerA);

// Records the dispatcher-level events in the hooks' event list.
class RecordingObserver : public DispatcherObserver {
 public:
  explicit RecordingObserver(std::shared_ptr<DriveHooks> hooks) : hooks_(std::move(hooks)) {}
  void paused() override { hooks_->event("paused"); }
  void resumed() override { hooks_->event("resumed"); }
  void shutting_down() override { hooks_->event("shutting_down"); }
  void export_begin(const std::string& c) override { hooks_->event("export_begin " + c); }
  void export_end(const std::string& c, bool ok, const std::string&) override {
    hooks_->event("export_end " + c + (ok ? " ok" : " failed"));
  }

 private:
  std::shared_ptr<DriveHooks> hooks_;
};

// Dispatcher events only (no drive starts and ends).
std::vector<std::string> dispatcher_events(DriveHooks& hooks) {
  std::vector<std::string> out;
  for (const std::string& e : hooks.events()) {
    if (e.rfind("start ", 0) != 0 && e.rfind("end ", 0) != 0) out.push_back(e);
  }
  return out;
}

class DispatcherControlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ticket_.dispatcher_observer = std::make_shared<RecordingObserver>(hooks_);
  }

  // Client "c" with A due every cycle.
  Dispatcher& make() {
    dispatcher_ = std::make_unique<Dispatcher>(ticket_);
    dispatcher_->database().write_client_config_text("c", config_text({{kPassengerA, 0}}));
    return *dispatcher_;
  }

  // Returns once a cycle has run since the call: a client with a broken
  // configuration is added, and its error appears only when a cycle reads it.
  void await_a_cycle() {
    const std::string probe = "probe" + std::to_string(++probes_);
    dispatcher_->database().write_client_config_text(probe, "{");
    for (int i = 0; i < 20000; ++i) {
      for (const std::string& e : dispatcher_->status().config_errors) {
        if (e.find("'" + probe + "'") != std::string::npos) return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));  // Polls a condition.
    }
    FAIL() << "no cycle ran";
  }

  std::shared_ptr<DriveHooks> hooks_ = std::make_shared<DriveHooks>();
  DispatcherTicket ticket_ = test_ticket(test_registry(hooks_));
  std::unique_ptr<Dispatcher> dispatcher_;
  int probes_ = 0;
};

TEST_F(DispatcherControlTest, PauseLetsTheRunningDriveFinishAndStartsNoNewOne) {
  Gate gate;
  std::atomic<bool> first{true};
  const auto hooked = hooks_->hook([&](const DriveRequest&) {
    if (first.exchange(false)) gate.wait();
  });
  Dispatcher& d = make();
  d.start();
  ASSERT_TRUE(hooks_->await_started(kA, 1));
  d.pause();
  EXPECT_EQ(d.status().state, DispatcherState::paused);
  gate.open();
  ASSERT_TRUE(hooks_->await_finished(kA, 1));  // The running drive finished.

  d.expedite("c", kPassengerA);
  await_a_cycle();
  await_a_cycle();
  EXPECT_EQ(hooks_->started(kA), 1);  // Nothing new while paused.

  d.resume();
  EXPECT_EQ(d.status().state, DispatcherState::running);
  ASSERT_TRUE(hooks_->await_finished(kA, 2));
  EXPECT_THAT(dispatcher_events(*hooks_), ElementsAre("paused", "resumed"));
}

TEST_F(DispatcherControlTest, ShutdownLetsTheRunningDriveFinishWithoutStopping) {
  Gate gate;
  std::atomic<bool> saw_stop{false};
  std::atomic<bool> drive_done{false};
  const auto hooked = hooks_->hook([&](const DriveRequest& r) {
    gate.wait();
    saw_stop = r.stop != nullptr && r.stop->load();
    drive_done = true;
  });
  ticket_.shutdown_timeout = kPatience * 2;
  Dispatcher& d = make();
  d.start();
  ASSERT_TRUE(hooks_->await_started(kA, 1));
  d.shutdown();
  EXPECT_EQ(d.status().state, DispatcherState::shutting_down);
  EXPECT_THROW(d.pause(), StateError);
  EXPECT_THROW(d.begin_export("c"), StateError);
  EXPECT_THROW(d.drive_now("c", kPassengerA), StateError);

  auto waited = std::async(std::launch::async, [&] { d.wait(); });
  EXPECT_EQ(waited.wait_for(std::chrono::milliseconds(200)), std::future_status::timeout);
  gate.open();
  ASSERT_EQ(waited.wait_for(kPatience), std::future_status::ready);
  EXPECT_TRUE(drive_done.load());
  EXPECT_FALSE(saw_stop.load());  // Within the timeout a drive is not told to stop.
  EXPECT_EQ(d.status().state, DispatcherState::stopped);
  EXPECT_EQ(hooks_->started(kA), 1);
  EXPECT_EQ(d.database().list_logs("c").size(), 1u);  // Its log was stored.
  EXPECT_THAT(dispatcher_events(*hooks_), ElementsAre("shutting_down"));
}

TEST_F(DispatcherControlTest, ShutdownTimeoutTellsTheRunningDriveToStop) {
  std::atomic<bool> saw_stop{false};
  const auto hooked = hooks_->hook([&](const DriveRequest& r) {
    // A long drive that checks the stop flag between its steps.
    const auto give_up = std::chrono::steady_clock::now() + kPatience;
    while (!r.stop->load() && std::chrono::steady_clock::now() < give_up) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));  // One "step".
    }
    saw_stop = r.stop->load();
  });
  ticket_.shutdown_timeout = std::chrono::milliseconds(100);
  Dispatcher& d = make();
  d.start();
  ASSERT_TRUE(hooks_->await_started(kA, 1));
  const auto asked = std::chrono::steady_clock::now();
  d.shutdown();
  auto waited = std::async(std::launch::async, [&] { d.wait(); });
  ASSERT_EQ(waited.wait_for(kPatience), std::future_status::ready);
  EXPECT_TRUE(saw_stop.load());
  EXPECT_GE(std::chrono::steady_clock::now() - asked, std::chrono::milliseconds(100));
  EXPECT_EQ(d.database().list_logs("c").size(), 1u);  // Its log was stored.
}

TEST_F(DispatcherControlTest, ShutdownBeforeStartStopsAtOnce) {
  Dispatcher& d = make();
  d.shutdown();
  d.shutdown();  // Idempotent.
  d.wait();
  EXPECT_EQ(d.status().state, DispatcherState::stopped);
  EXPECT_THROW(d.start(), StateError);
}

TEST_F(DispatcherControlTest, ExportPausesWaitsForTheDriveAndResumes) {
  Gate gate;
  std::atomic<bool> first{true};
  const auto hooked = hooks_->hook([&](const DriveRequest&) {
    if (first.exchange(false)) gate.wait();
  });
  Dispatcher& d = make();
  d.start();
  ASSERT_TRUE(hooks_->await_started(kA, 1));
  auto begun = std::async(std::launch::async, [&] { d.begin_export("c"); });
  gate.open();
  ASSERT_EQ(begun.wait_for(kPatience), std::future_status::ready);
  begun.get();
  // The running drive ended before the export began.
  const std::vector<std::string> events = hooks_->events();
  const auto end = std::find(events.begin(), events.end(), "end " + kA);
  const auto begin = std::find(events.begin(), events.end(), "export_begin c");
  ASSERT_NE(begin, events.end());
  EXPECT_LT(end, begin);

  const DispatcherStatus s = d.status();
  EXPECT_TRUE(s.export_running);
  EXPECT_EQ(s.state, DispatcherState::paused);
  EXPECT_EQ(s.running_drives, 0);
  EXPECT_THROW(d.begin_export("c"), StateError);
  EXPECT_THROW(d.drive_now("c", kPassengerA), StateError);
  const int started = hooks_->started(kA);
  await_a_cycle();
  EXPECT_EQ(hooks_->started(kA), started);

  d.end_export("c", true, "");
  EXPECT_EQ(d.status().state, DispatcherState::running);
  EXPECT_FALSE(d.status().export_running);
  ASSERT_TRUE(hooks_->await_started(kA, started + 1));
  EXPECT_THAT(dispatcher_events(*hooks_), ElementsAre("export_begin c", "export_end c ok"));
}

TEST_F(DispatcherControlTest, ExportKeepsAnEarlierPause) {
  Dispatcher& d = make();
  d.start();
  d.pause();
  d.begin_export("c");
  d.end_export("c", false, "disk full");
  EXPECT_EQ(d.status().state, DispatcherState::paused);
  EXPECT_THAT(dispatcher_events(*hooks_),
              ElementsAre("paused", "export_begin c", "export_end c failed"));
  EXPECT_THROW(d.end_export("c", true, ""), StateError);  // No export runs.
}

TEST_F(DispatcherControlTest, ShutdownWaitsForARunningExport) {
  Dispatcher& d = make();
  d.start();
  d.begin_export("c");
  d.shutdown();
  auto waited = std::async(std::launch::async, [&] { d.wait(); });
  EXPECT_EQ(waited.wait_for(std::chrono::seconds(0)), std::future_status::timeout);
  d.end_export("c", true, "");
  ASSERT_EQ(waited.wait_for(kPatience), std::future_status::ready);
  EXPECT_EQ(d.status().state, DispatcherState::stopped);
}

// Throws from every method; the dispatcher must behave as without it.
class ThrowingObserver : public DispatcherObserver {
 public:
  std::atomic<int> calls{0};
  void drive_passenger_complete(const std::string&, const std::string&, const Log&) override {
    fail();
  }
  void drive_started(const std::string&, const std::string&) override { fail(); }
  void passenger_seated(const std::string&, const QueueEntry&) override { fail(); }
  void passenger_pushed(const std::string&, const QueueEntry&, const std::string&) override {
    fail();
  }
  void step_failed(const std::string&, const std::string&, const std::string&, const QueueEntry*,
                   const std::string&) override {
    fail();
  }
  void paused() override { fail(); }
  void resumed() override { fail(); }
  void shutting_down() override { fail(); }
  void export_begin(const std::string&) override { fail(); }
  void export_end(const std::string&, bool, const std::string&) override { fail(); }

 private:
  void fail() {
    ++calls;
    throw std::runtime_error("observer failure for the test");
  }
};

TEST_F(DispatcherControlTest, ObserverThatThrowsChangesNothing) {
  auto observer = std::make_shared<ThrowingObserver>();
  ticket_.dispatcher_observer = observer;
  hooks_->set_hook([](const DriveRequest& r) {  // The driver's events too.
    r.observer->passenger_seated(r.client_id, QueueEntry{});
    r.observer->step_failed(r.client_id, r.passenger.name, "m", nullptr, "e");
  });
  Dispatcher& d = make();
  d.start();
  ASSERT_TRUE(hooks_->await_finished(kA, 2));
  d.pause();
  EXPECT_EQ(d.status().state, DispatcherState::paused);
  d.resume();
  d.begin_export("c");
  d.end_export("c", true, "");
  const Log log = d.drive_now("c", kPassengerA);
  EXPECT_TRUE(d.database().read_log("c", log.guid()).has_value());
  EXPECT_EQ(log.worst_type(), LogType::info);
  d.shutdown();
  d.wait();
  EXPECT_EQ(d.status().state, DispatcherState::stopped);
  EXPECT_GE(d.database().list_logs("c").size(), 3u);
  EXPECT_GE(observer->calls.load(), 3 * 4 + 5);  // Four per drive, plus the five above.
}

}  // namespace
}  // namespace databus::dispatch
