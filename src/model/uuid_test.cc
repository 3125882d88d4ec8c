#include "databus/uuid.h"

#include <gtest/gtest.h>

#include <set>

namespace databus {
namespace {

TEST(UuidTest, NewUuidsAreCanonicalVersion4AndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string u = new_uuid();
    ASSERT_TRUE(is_uuid(u)) << u;
    EXPECT_EQ(u[14], '4');
    EXPECT_TRUE(seen.insert(u).second);
  }
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
