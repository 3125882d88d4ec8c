#include "driver/running_steps.h"

#include <gtest/gtest.h>

#include <chrono>
#include <stdexcept>
#include <vector>

namespace databus {
namespace {

TEST(RunningStepsTest, RoundTripsEveryField) {
  RunningSteps group;
  group.group = RunningSteps::Span{1'700'000'000'000'000, 1'700'000'000'000'123};
  EXPECT_EQ(RunningSteps::decode(group.encode()), group);
  RunningSteps alone;
  alone.phase = RunningSteps::Phase::push;
  alone.suspects = {"b", "c"};
  alone.entry = "b";
  alone.module = "databus.pusher.x";
  EXPECT_EQ(RunningSteps::decode(alone.encode()), alone);
}

// A group is a few bytes however many entries it holds.
TEST(RunningStepsTest, AGroupIsTheSpanOfItsPullTimesWithAMargin) {
  const TimePoint t0 = parse_iso("2026-12-07T10:00:00.000001");
  std::vector<TimePoint> pulled;
  for (int i = 0; i < 2000; ++i) pulled.push_back(t0 + std::chrono::nanoseconds(1500 * (i % 7)));
  const RunningSteps::Span span = RunningSteps::Span::around(pulled);
  for (const TimePoint t : pulled) EXPECT_TRUE(span.contains(t));
  // Cut or rounded to the microsecond by a store: still inside.
  EXPECT_TRUE(span.contains(t0 - std::chrono::microseconds(1)));
  EXPECT_TRUE(span.contains(t0 + std::chrono::microseconds(10)));
  EXPECT_FALSE(span.contains(t0 - std::chrono::milliseconds(2)));
  EXPECT_FALSE(span.contains(t0 + std::chrono::milliseconds(2)));
  RunningSteps mark;
  mark.group = span;
  EXPECT_LT(mark.encode().size(), 100u);
}

// A mark of the version that named a group's entries by id: they are read
// as suspects, which is what the group's entries became after a crash.
TEST(RunningStepsTest, AGroupOfIdsFromAnEarlierVersionReadsAsSuspects) {
  const RunningSteps mark =
      RunningSteps::decode(R"({"phase": "push", "group": ["a", "b"], "suspects": ["c"]})");
  EXPECT_EQ(mark.phase, RunningSteps::Phase::push);
  EXPECT_EQ(mark.suspects, (std::vector<std::string>{"c", "a", "b"}));
  EXPECT_FALSE(mark.group);
}

TEST(RunningStepsTest, MalformedMarksAreInvalidArguments) {
  for (const char* bad :
       {"", "[]", R"({"phase": "wash"})", R"({"group": "a"})", R"({"suspects": [1]})",
        R"({"running": {"entry": "a"}})", R"({"group_pulled_us": [2, 1]})",
        R"({"group_pulled_us": [1]})", R"({"group_pulled_us": ["1", 2]})"}) {
    EXPECT_THROW(RunningSteps::decode(bad), std::invalid_argument) << bad;
  }
}

}  // namespace
}  // namespace databus
