#include "dispatcher/schedule.h"

#include <chrono>
#include <future>

#include <gtest/gtest.h>

namespace databus::dispatch {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

ClientPassenger passenger(std::string name, std::optional<int> interval_seconds,
                          int sync_frequency = 1) {
  ClientPassenger p;
  p.name = std::move(name);
  p.sync_interval_seconds = interval_seconds;
  p.sync_frequency = sync_frequency;
  return p;
}

// One complete drive of `key` at `t`.
void drive(Schedule& s, const Schedule::Key& key, TimePoint t) {
  s.started(key, t);
  s.finished(key, t + milliseconds(1), LogType::info);
}

const TimePoint t0 = Clock::now();
const Schedule::Key a{"c", "a"};

TEST(ScheduleTest, IntervalIsSecondsWhenSetElseMinutes) {
  EXPECT_EQ(drive_interval(passenger("a", 5)), seconds(5));
  EXPECT_EQ(drive_interval(passenger("a", std::nullopt, 3)), std::chrono::minutes(3));
}

TEST(ScheduleTest, DueAtOnceThenNotAgainWithinTheInterval) {
  Schedule s;
  s.configure("c", {passenger("a", 1)}, t0);
  ASSERT_TRUE(s.claim(a, t0));  // First cycle: due at once.
  drive(s, a, t0);
  EXPECT_FALSE(s.claim(a, t0 + milliseconds(500)));
  EXPECT_FALSE(s.claim(a, t0 + milliseconds(999)));
  EXPECT_TRUE(s.claim(a, t0 + seconds(1)));
}

TEST(ScheduleTest, IntervalCountsFromTheStartOfTheLastDrive) {
  Schedule s;
  s.configure("c", {passenger("a", 10)}, t0);
  ASSERT_TRUE(s.claim(a, t0));
  s.started(a, t0);
  s.finished(a, t0 + seconds(8), LogType::info);
  EXPECT_TRUE(s.claim(a, t0 + seconds(10)));
}

TEST(ScheduleTest, ExpediteMakesItDueNow) {
  Schedule s;
  s.configure("c", {passenger("a", 3600)}, t0);
  ASSERT_TRUE(s.claim(a, t0));
  drive(s, a, t0);
  ASSERT_FALSE(s.claim(a, t0 + seconds(1)));
  s.expedite(a, t0 + seconds(1));
  ASSERT_TRUE(s.claim(a, t0 + seconds(1)));
  drive(s, a, t0 + seconds(1));
  EXPECT_FALSE(s.claim(a, t0 + seconds(2)));  // Expedite is used up by the drive.
}

TEST(ScheduleTest, RunningDriveIsNotClaimedAgain) {
  Schedule s;
  s.configure("c", {passenger("a", 0)}, t0);
  ASSERT_TRUE(s.claim(a, t0));
  s.started(a, t0);
  s.expedite(a, t0);
  EXPECT_TRUE(s.running(a));
  EXPECT_FALSE(s.claim(a, t0 + seconds(5)));
  EXPECT_EQ(s.running_count(), 1);
  s.finished(a, t0 + seconds(5), LogType::warning);
  EXPECT_TRUE(s.claim(a, t0 + seconds(5)));
}

TEST(ScheduleTest, ReleasedClaimStaysDue) {
  Schedule s;
  s.configure("c", {passenger("a", 3600)}, t0);
  ASSERT_TRUE(s.claim(a, t0));
  s.release(a);
  EXPECT_TRUE(s.claim(a, t0));
}

TEST(ScheduleTest, AcquireWaitsForTheRunningDrive) {
  Schedule s;
  s.configure("c", {passenger("a", 3600)}, t0);
  ASSERT_TRUE(s.claim(a, t0));
  s.started(a, t0);
  auto acquired = std::async(std::launch::async, [&] { s.acquire(a); });
  s.finished(a, t0 + seconds(1), LogType::info);
  ASSERT_EQ(acquired.wait_for(seconds(20)), std::future_status::ready);
  EXPECT_TRUE(s.running(a));
  EXPECT_FALSE(s.claim(a, t0 + seconds(7200)));
}

TEST(ScheduleTest, UnconfiguredPassengersAreForgottenButRunningOnesAreNotDrivenAgain) {
  Schedule s;
  const Schedule::Key b{"c", "b"};
  s.configure("c", {passenger("a", 0), passenger("b", 0)}, t0);
  ASSERT_TRUE(s.claim(b, t0));
  s.started(b, t0);
  s.configure("c", {passenger("a", 0)}, t0);
  EXPECT_TRUE(s.running(b));  // Kept while its drive runs...
  s.finished(b, t0, LogType::info);
  EXPECT_FALSE(s.claim(b, t0 + seconds(1)));  // ...but never claimed again.
  s.configure("c", {passenger("a", 0)}, t0 + seconds(1));
  EXPECT_EQ(s.snapshot().size(), 1u);
  s.retain_clients({});
  EXPECT_TRUE(s.snapshot().empty());
}

TEST(ScheduleTest, SnapshotReportsTheLastDrive) {
  Schedule s;
  s.configure("c", {passenger("a", 60)}, t0);
  ASSERT_TRUE(s.claim(a, t0));
  s.started(a, t0);
  s.finished(a, t0 + seconds(2), LogType::error);
  const std::vector<PassengerSchedule> snap = s.snapshot();
  ASSERT_EQ(snap.size(), 1u);
  EXPECT_EQ(snap[0].client_id, "c");
  EXPECT_EQ(snap[0].passenger, "a");
  EXPECT_EQ(snap[0].last_drive_start, t0);
  EXPECT_EQ(snap[0].last_drive_end, t0 + seconds(2));
  EXPECT_EQ(snap[0].last_worst_type, LogType::error);
  EXPECT_EQ(snap[0].next_due, t0 + seconds(60));
  EXPECT_FALSE(snap[0].running);
}

}  // namespace
}  // namespace databus::dispatch
