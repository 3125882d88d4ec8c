#include "databus/retry.h"

#include <gtest/gtest.h>

namespace databus {
namespace {

using std::chrono::seconds;

TEST(RetryPolicyTest, DelaysDoubleFromTheInitialDelayUpToTheMaximum) {
  RetryPolicy p;
  p.initial_delay_seconds = 30;
  p.max_delay_seconds = 3600;
  EXPECT_EQ(p.delay_after(1, 0), seconds(30));
  EXPECT_EQ(p.delay_after(2, 0), seconds(60));
  EXPECT_EQ(p.delay_after(3, 0), seconds(120));
  EXPECT_EQ(p.delay_after(7, 0), seconds(1920));
  EXPECT_EQ(p.delay_after(8, 0), seconds(3600));
  EXPECT_EQ(p.delay_after(500, 0), seconds(3600));  // No overflow.
}

TEST(RetryPolicyTest, JitterMovesTheDelayByAtMostAFifth) {
  RetryPolicy p;
  p.initial_delay_seconds = 100;
  EXPECT_EQ(p.delay_after(1, -1), seconds(80));
  EXPECT_EQ(p.delay_after(1, 1), seconds(120));
  EXPECT_EQ(p.delay_after(1, 5), seconds(120));  // Clamped.
  EXPECT_EQ(p.delay_after(1, 0.5), seconds(110));
}

TEST(RetryPolicyTest, QuarantinesAtTheMaximumUnlessItIsZero) {
  RetryPolicy p;
  p.max_attempts = 3;
  EXPECT_FALSE(p.quarantines(2));
  EXPECT_TRUE(p.quarantines(3));
  EXPECT_TRUE(p.quarantines(4));
  p.max_attempts = 0;
  EXPECT_FALSE(p.quarantines(1000));
}

TEST(RetryPolicyTest, SettingsReplaceOnlyTheFieldsTheyName) {
  RetryPolicy base;
  RetrySettings passenger;
  passenger.max_attempts = 5;
  RetrySettings component;
  component.initial_delay_seconds = 1;
  const RetryPolicy p = base.with(passenger).with(component);
  EXPECT_EQ(p.max_attempts, 5);
  EXPECT_EQ(p.initial_delay_seconds, 1);
  EXPECT_EQ(p.max_delay_seconds, RetryPolicy::kDefaultMaxDelaySeconds);
}

}  // namespace
}  // namespace databus
