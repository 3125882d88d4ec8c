#include "web/login_throttle.h"

#include <gtest/gtest.h>

namespace databus::web {
namespace {

using std::chrono::seconds;

ThrottlePolicy policy() {
  ThrottlePolicy p;
  p.slow_after = 2;
  p.base_delay = seconds(1);
  p.max_delay = seconds(4);
  p.lock_after = 5;
  p.lock_duration = seconds(600);
  return p;
}

TEST(LoginThrottle, FirstFailuresAreNotSlowedDown) {
  LoginThrottle t(policy());
  const TimePoint now = Clock::now();
  t.begin_attempt({"u"}, now);
  EXPECT_EQ(t.wait("u", now), seconds(0));
}

TEST(LoginThrottle, DelayDoublesUpToTheMaximumThenLocks) {
  LoginThrottle t(policy());
  TimePoint now = Clock::now();
  // Each attempt comes as soon as the previous one's delay has passed.
  const auto attempt = [&] {
    now += t.wait("u", now);
    EXPECT_EQ(t.begin_attempt({"u"}, now), seconds(0));
  };
  attempt();
  attempt();
  EXPECT_EQ(t.wait("u", now), seconds(1));
  attempt();
  EXPECT_EQ(t.wait("u", now), seconds(2));
  attempt();
  EXPECT_EQ(t.wait("u", now), seconds(4));
  attempt();
  EXPECT_EQ(t.wait("u", now), seconds(600));
  EXPECT_EQ(t.wait("u", now + seconds(601)), seconds(0));
  EXPECT_EQ(t.wait("other", now), seconds(0));
}

TEST(LoginThrottle, AnAttemptCountsWhenItStartsAndARefusedOneDoesNot) {
  LoginThrottle t(policy());
  const TimePoint now = Clock::now();
  // Two attempts running at once use up the two free ones, before either
  // has checked its password; the third waits.
  EXPECT_EQ(t.begin_attempt({"u", "addr"}, now), seconds(0));
  EXPECT_EQ(t.begin_attempt({"u", "addr"}, now), seconds(0));
  EXPECT_EQ(t.begin_attempt({"u", "addr"}, now), seconds(1));
  EXPECT_EQ(t.begin_attempt({"u", "addr"}, now), seconds(1));  // Still 1: refused ones count not.
  // Another user from the same address waits as well.
  EXPECT_EQ(t.begin_attempt({"v", "addr"}, now), seconds(1));
  EXPECT_EQ(t.wait("v", now), seconds(0));
  EXPECT_EQ(t.begin_attempt({"u", "addr"}, now + seconds(1)), seconds(0));
  EXPECT_EQ(t.wait("u", now + seconds(1)), seconds(2));
}

TEST(LoginThrottle, SuccessClearsTheKey) {
  LoginThrottle t(policy());
  const TimePoint now = Clock::now();
  t.begin_attempt({"u"}, now);
  t.begin_attempt({"u"}, now);
  ASSERT_GT(t.wait("u", now), seconds(0));
  t.succeeded("u");
  EXPECT_EQ(t.wait("u", now), seconds(0));
}

}  // namespace
}  // namespace databus::web
