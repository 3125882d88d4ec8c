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

// Found by the fuzz target original_data (fuzz/corpus/original_data/
// crash-log-line-year-1010.txt): a year outside what a TimePoint holds
// overflowed the conversion to nanoseconds (undefined behaviour; in practice
// some other date). Such times are refused, naming the text.
TEST(TimeTest, RefusesTimesATimePointCannotHold) {
  for (const char* outside :
       {"1010-04-15T17:12:00.139001", "1012-02-29T23:59:60.123456789+01:30", "9999-12-31T23:59:59",
        "2262-04-11T23:47:16", "0000-01-01T00:00:00", "1677-09-21T00:12:44"}) {
    try {
      parse_iso(outside);
      ADD_FAILURE() << "accepted " << outside;
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(outside), std::string::npos) << e.what();
    }
  }
  // The ends of the range still parse and print back.
  EXPECT_EQ(to_iso(parse_iso("2262-04-11T23:47:15.999999")), "2262-04-11T23:47:15.999999");
  EXPECT_EQ(to_iso(parse_iso("1677-09-21T00:12:45")), "1677-09-21T00:12:45.000000");
}

}  // namespace
}  // namespace databus
