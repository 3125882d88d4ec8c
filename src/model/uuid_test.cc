#include "databus/uuid.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <set>

namespace databus {
namespace {

TEST(UuidTest, NewUuidsAreCanonicalVersion7AndIncreasing) {
  std::string before;
  for (int i = 0; i < 10000; ++i) {  // Many per millisecond: the counter orders them.
    const std::string u = new_uuid();
    ASSERT_TRUE(is_uuid(u)) << u;
    EXPECT_EQ(u[14], '7');
    EXPECT_NE(std::string("89ab").find(u[19]), std::string::npos) << u;  // RFC 9562 variant.
    ASSERT_LT(before, u);
    before = u;
  }
  // The first 48 bits are the time in milliseconds.
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  const std::string u = new_uuid();
  const long long stamp = std::stoll(u.substr(0, 8) + u.substr(9, 4), nullptr, 16);
  EXPECT_LE(std::llabs(stamp - ms), 1000);
}

TEST(UuidTest, AcceptsOriginalTimeBasedIdsAndRejectsPaths) {
  EXPECT_TRUE(is_uuid("082791e0-5e07-11ed-8023-acde48001122"));
  EXPECT_FALSE(is_uuid("../../etc/passwd"));
  EXPECT_FALSE(is_uuid("082791e0-5e07-11ed-8023-acde4800112"));
  EXPECT_FALSE(is_uuid("082791e0/5e07-11ed-8023-acde48001122"));
  EXPECT_TRUE(is_uuid("082791E0-5E07-11ED-8023-ACDE48001122"));
  EXPECT_FALSE(is_uuid("082791g0-5e07-11ed-8023-acde48001122"));     // Not a hex digit.
  EXPECT_FALSE(is_uuid("082791e0-5e07-11ed-8023-acde4800112-"));     // A dash for a digit.
  EXPECT_FALSE(is_uuid("082791e0-5e07-11ed-8023-acde4800112\xff"));  // Not ASCII.
}

}  // namespace
}  // namespace databus
