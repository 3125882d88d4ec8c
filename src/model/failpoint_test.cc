#include "model/failpoint.h"

#include <gtest/gtest.h>

namespace databus {
namespace {

TEST(FailpointTest, ParsesNameAtCountAndIgnoresTheRest) {
  const std::map<std::string, long> points =
      parse_failpoints("drive.push@3,drive.seat@1,bad,@2,drive.pull@0,drive.x@y,a.b@2z");
  EXPECT_EQ(points, (std::map<std::string, long>{{"drive.push", 3}, {"drive.seat", 1}}));
  EXPECT_TRUE(parse_failpoints("").empty());
}

TEST(FailpointTest, OffWithoutTheEnvironmentVariable) {
  // The test runs without DATABUS_FAILPOINTS: reaching a point does nothing.
  failpoint("drive.push");
  SUCCEED();
}

}  // namespace
}  // namespace databus
