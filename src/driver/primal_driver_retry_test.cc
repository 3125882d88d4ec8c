// The primal driver's retries: the backoff after a failure, the quarantine
// after the last attempt, the health of pullers, and the steps a crash
// interrupted (docs/configuration.md "When things fail").
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "databus/puller_health.h"
#include "driver/primal_driver.h"
#include "driver/recording_components.h"
#include "driver/running_steps.h"

namespace databus {
namespace {

using testing::Contains;
using testing::HasSubstr;
using testing::Not;
using namespace testing_support;

int count_of(const std::vector<std::string>& events, const std::string& event) {
  return static_cast<int>(std::count(events.begin(), events.end(), event));
}

TEST(PrimalDriverRetryTest, AFailedStepWaitsForItsBackoffBeforeItRunsAgain) {
  DriverHarness h;
  h.passenger.pullers = {{kPullerA}};
  h.passenger.retry = RetrySettings{};  // Defaults: 30 s, doubling.
  h.script->pull_ids[kPullerA] = {"A1"};
  h.script->failures[kPusherX] = 1;
  const TimePoint before = Clock::now();

  Log first = h.drive();

  const StepState x = *h.entry("A1").pusher(kPusherX);
  EXPECT_EQ(x.attempts, 1);
  EXPECT_FALSE(x.quarantined);
  // 30 s ± 20 %.
  EXPECT_GE(x.next_attempt, before + std::chrono::seconds(24));
  EXPECT_LE(x.next_attempt, Clock::now() + std::chrono::seconds(36));
  EXPECT_TRUE(log_has(first, LogType::error, {kPusherX, "attempt 1 of 20", "next attempt at"}))
      << first.to_text();
  // The next drive leaves it alone: not due.
  h.script->events.clear();
  h.drive();
  EXPECT_THAT(h.script->events, Not(Contains("push test.pusher.x A1")));
  EXPECT_EQ(h.entry("A1").pusher(kPusherX)->attempts, 1);
}

TEST(PrimalDriverRetryTest, AFailedProcessorHoldsTheProcessorsAfterIt) {
  DriverHarness h;
  h.passenger.pullers = {{kPullerA}};
  h.passenger.retry = RetrySettings{};
  h.script->pull_ids[kPullerA] = {"A1"};
  h.script->failures[kProcessor1] = 1;
  h.drive();
  h.script->events.clear();
  h.drive();
  EXPECT_THAT(h.script->events, Not(Contains("process test.processor.p2 A1")));
  EXPECT_EQ(h.entry("A1").processor(kProcessor2)->status, StepStatus::incomplete);
}

// The case: a pusher that always fails, 3 attempts, 1 s initial
// delay, drives every 0.5 s: exactly 3 calls, then quarantined, then none.
TEST(PrimalDriverRetryTest, AnAlwaysFailingPusherIsCalledMaxAttemptsTimesThenQuarantined) {
  DriverHarness h;
  h.passenger.pullers = {{kPullerA}};
  h.passenger.pushers = {{kPusherX}};
  h.passenger.pushers[0].retry.max_attempts = 3;
  h.passenger.pushers[0].retry.initial_delay_seconds = 1;
  h.passenger.retry = RetrySettings{};
  h.script->pull_ids[kPullerA] = {"A1"};
  h.script->failures[kPusherX] = 1'000'000;
  const std::string call = "push test.pusher.x A1";

  // 1 s + 2 s (each +20 % at most) pass before the third attempt.
  const auto until_quarantined = std::chrono::steady_clock::now() + std::chrono::seconds(8);
  do {
    h.drive();
    if (h.entry("A1").pusher(kPusherX)->quarantined) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));  // The schedule's interval.
  } while (std::chrono::steady_clock::now() < until_quarantined);
  const StepState x = *h.entry("A1").pusher(kPusherX);
  ASSERT_TRUE(x.quarantined);
  EXPECT_EQ(x.attempts, 3);
  EXPECT_EQ(count_of(h.script->events, call), 3);
  EXPECT_THAT(h.observer.events, Contains("quarantined A1 test.pusher.x"));

  const auto quiet = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  Log last;
  while (std::chrono::steady_clock::now() < quiet) {
    last = h.drive();
    std::this_thread::sleep_for(std::chrono::milliseconds(500));  // The schedule's interval.
  }
  EXPECT_EQ(count_of(h.script->events, call), 3);
  EXPECT_FALSE(last.has_errors()) << last.to_text();
  EXPECT_EQ(count_of(h.observer.events, "quarantined A1 test.pusher.x"), 1);
}

TEST(PrimalDriverRetryTest, AQuarantinedStepRunsAgainOnceAPersonResetsIt) {
  DriverHarness h;
  h.passenger.pullers = {{kPullerA}};
  h.passenger.retry.max_attempts = 1;
  h.script->pull_ids[kPullerA] = {"A1"};
  h.script->failures[kPusherX] = 1;
  Log first = h.drive();
  EXPECT_TRUE(log_has(first, LogType::error, {kPusherX, "quarantined after 1 attempt"}))
      << first.to_text();
  QueueEntry e = h.entry("A1");
  ASSERT_TRUE(e.pusher(kPusherX)->quarantined);
  EXPECT_TRUE(e.quarantined());
  EXPECT_EQ(e.pusher(kPusherY)->status, StepStatus::complete);  // The other pusher went on.

  e.pusher(kPusherX)->reset_failures();
  h.database.update_entries(h.client_id, std::span(&e, 1), SaveScope::statuses);
  h.drive();
  EXPECT_TRUE(h.entry("A1").complete());
}

TEST(PrimalDriverRetryTest, PullerHealthIsRecordedAndItsChangesReported) {
  DriverHarness h;
  h.passenger.pullers = {{kPullerA}};
  h.script->pull_ids[kPullerA] = {};
  h.drive();
  auto health = [&] {
    return decode_puller_health(
        *h.database.read_passenger_state(h.client_id, kPassenger, kPullerHealthState));
  };
  EXPECT_EQ(health().at(kPullerA).consecutive_failures, 0);
  EXPECT_NE(health().at(kPullerA).last_success, TimePoint{});
  EXPECT_THAT(h.observer.health_events, Contains("health test.puller.a unknown -> ok"));

  h.script->failures[kPullerA] = 3;
  for (int i = 0; i < 3; ++i) h.drive();
  EXPECT_EQ(health().at(kPullerA).consecutive_failures, 3);
  EXPECT_THAT(health().at(kPullerA).last_error, HasSubstr("boom"));
  EXPECT_THAT(h.observer.health_events, Contains("health test.puller.a ok -> failing"));

  h.drive();
  EXPECT_EQ(health().at(kPullerA).consecutive_failures, 0);
  EXPECT_THAT(h.observer.health_events, Contains("health test.puller.a failing -> ok"));
}

// A crash while a group ran: its entries run alone at the next drive; a
// crash while one ran alone counts an attempt for that step only.
TEST(PrimalDriverRetryTest, StepsACrashInterruptedAreFoundAndCounted) {
  DriverHarness h;
  h.passenger.pullers = {{kPullerA}};
  h.script->pull_ids[kPullerA] = {"A1", "A2", "A3"};
  h.script->failures[kPusherX] = 3;  // The first drive pushes nothing to X.
  h.drive();
  const std::string a2 = h.entry("A2").passenger.internal_id;

  // What a drive killed while pushing A1..A3 as a group leaves.
  RunningSteps group;
  group.phase = RunningSteps::Phase::push;
  std::vector<TimePoint> pulled;
  for (const char* id : {"A1", "A2", "A3"}) pulled.push_back(h.entry(id).passenger.pull_datetime);
  group.group = RunningSteps::Span::around(pulled);
  h.database.write_passenger_state(h.client_id, kPassenger, kRunningStepsState, group.encode());
  Log alone = h.drive();
  EXPECT_TRUE(log_has(alone, LogType::warning, {"one at a time"})) << alone.to_text();
  for (const char* id : {"A1", "A2", "A3"}) {
    EXPECT_TRUE(h.entry(id).complete()) << id;
    EXPECT_EQ(h.entry(id).pusher(kPusherX)->attempts, 0) << id;  // Nobody charged yet.
  }
  EXPECT_EQ(h.database.read_passenger_state(h.client_id, kPassenger, kRunningStepsState),
            std::nullopt);

  // What a drive killed while pushing A2 alone to X leaves.
  QueueEntry e = h.entry("A2");
  e.pusher(kPusherX)->status = StepStatus::incomplete;
  h.database.update_entries(h.client_id, std::span(&e, 1), SaveScope::statuses);
  RunningSteps one;
  one.phase = RunningSteps::Phase::push;
  one.suspects = {a2};
  one.entry = a2;
  one.module = kPusherX;
  h.database.write_passenger_state(h.client_id, kPassenger, kRunningStepsState, one.encode());
  h.passenger.retry.initial_delay_seconds = 3600;
  h.passenger.retry.max_delay_seconds = 3600;
  Log counted = h.drive();
  EXPECT_TRUE(log_has(counted, LogType::error, {kPusherX, "TEST - A2", "interrupted"}))
      << counted.to_text();
  const StepState x = *h.entry("A2").pusher(kPusherX);
  EXPECT_EQ(x.attempts, 1);
  EXPECT_THAT(x.last_error, HasSubstr("interrupted"));
  EXPECT_GT(x.next_attempt, Clock::now());
  EXPECT_THAT(h.observer.events, Contains("failed test.pusher.x"));
}

TEST(PrimalDriverRetryTest, ADriveLeavesNoMarkBehindAndWritesNoneWithoutWork) {
  DriverHarness h;
  h.passenger.pullers = {{kPullerA}};
  h.script->pull_ids[kPullerA] = {"A1"};
  h.drive();
  EXPECT_TRUE(h.entry("A1").complete());
  EXPECT_EQ(h.database.read_passenger_state(h.client_id, kPassenger, kRunningStepsState),
            std::nullopt);
}

}  // namespace
}  // namespace databus
