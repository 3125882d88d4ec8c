#include "databus/time.h"

#include <gtest/gtest.h>

namespace databus {
namespace {

TEST(TimeTest, RoundTripKeepsMicroseconds) {
  const TimePoint t = parse_iso("2022-11-06T22:13:01.294628");
  EXPECT_EQ(to_iso(t), "2022-11-06T22:13:01.294628");
}

TEST(TimeTest, NaiveTimeIsUtcAndOffsetsAreApplied) {
  EXPECT_EQ(parse_iso("2020-04-15T17:12:00"), parse_iso("2020-04-15T17:12:00Z"));
  EXPECT_EQ(parse_iso("2020-04-15T19:12:00+02:00"), parse_iso("2020-04-15T17:12:00"));
  EXPECT_EQ(parse_iso("2020-04-15 17:12:00"), parse_iso("2020-04-15T17:12:00"));
}

TEST(TimeTest, KnownEpochValue) {
  const auto secs = std::chrono::duration_cast<std::chrono::seconds>(
      parse_iso("2000-03-01T00:00:00").time_since_epoch());
  EXPECT_EQ(secs.count(), 951868800);
}

TEST(TimeTest, RejectsGarbageNamingTheText) {
  for (const char* bad : {"", "2020-04-15", "2020-13-01T00:00:00", "2020-04-15T17:12:00.",
                          "2020-04-15T17:12:00x", "yesterday"}) {
    try {
      parse_iso(bad);
      ADD_FAILURE() << "accepted " << bad;
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(bad), std::string::npos);
    }
  }
}

}  // namespace
}  // namespace databus
