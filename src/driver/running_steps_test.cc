#include "driver/running_steps.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace databus {
namespace {

TEST(RunningStepsTest, RoundTripsEveryField) {
  RunningSteps group;
  group.group = {"a", "b"};
  EXPECT_EQ(RunningSteps::decode(group.encode()), group);
  RunningSteps alone;
  alone.phase = RunningSteps::Phase::push;
  alone.suspects = {"b", "c"};
  alone.entry = "b";
  alone.module = "databus.pusher.x";
  EXPECT_EQ(RunningSteps::decode(alone.encode()), alone);
}

TEST(RunningStepsTest, MalformedMarksAreInvalidArguments) {
  for (const char* bad : {"", "[]", R"({"phase": "wash"})", R"({"group": "a"})",
                          R"({"suspects": [1]})", R"({"running": {"entry": "a"}})"}) {
    EXPECT_THROW(RunningSteps::decode(bad), std::invalid_argument) << bad;
  }
}

}  // namespace
}  // namespace databus
