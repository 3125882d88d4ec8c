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
  t.failed("u", now);
  EXPECT_EQ(t.wait("u", now), seconds(0));
}

TEST(LoginThrottle, DelayDoublesUpToTheMaximumThenLocks) {
  LoginThrottle t(policy());
  const TimePoint now = Clock::now();
  t.failed("u", now);
  t.failed("u", now);
  EXPECT_EQ(t.wait("u", now), seconds(1));
  t.failed("u", now);
  EXPECT_EQ(t.wait("u", now), seconds(2));
  t.failed("u", now);
  EXPECT_EQ(t.wait("u", now), seconds(4));
  t.failed("u", now);
  EXPECT_EQ(t.wait("u", now), seconds(600));
  EXPECT_EQ(t.wait("u", now + seconds(601)), seconds(0));
  EXPECT_EQ(t.wait("other", now), seconds(0));
}

TEST(LoginThrottle, SuccessClearsTheKey) {
  LoginThrottle t(policy());
  const TimePoint now = Clock::now();
  for (int i = 0; i < 4; ++i) t.failed("u", now);
  t.succeeded("u");
  EXPECT_EQ(t.wait("u", now), seconds(0));
}

}  // namespace
}  // namespace databus::web
