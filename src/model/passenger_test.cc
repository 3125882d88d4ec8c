#include "databus/passenger.h"

#include <gtest/gtest.h>

namespace databus {
namespace {

TEST(PassengerTest, DuplicateNamesGetNumberedStems) {
  Passenger p;
  EXPECT_EQ(p.add_attachment("file.txt", AttachmentFormat::text, "1"), "file.txt");
  EXPECT_EQ(p.add_attachment("file.txt", AttachmentFormat::text, "2"), "file (2).txt");
  EXPECT_EQ(p.add_attachment("file.txt", AttachmentFormat::text, "3"), "file (3).txt");
  EXPECT_EQ(p.add_attachment("noext", AttachmentFormat::binary, ""), "noext");
  EXPECT_EQ(p.add_attachment("noext", AttachmentFormat::binary, ""), "noext (2)");
  ASSERT_EQ(p.attachments.size(), 5u);
  EXPECT_EQ(p.find_attachment("file (2).txt")->content, "2");
  EXPECT_EQ(p.find_attachment("missing"), nullptr);
}

TEST(PassengerTest, NamesAreCleansedBeforeTheyAreMadeUnique) {
  Passenger p;
  p.add_attachment("a/b.txt", AttachmentFormat::text, "");
  EXPECT_EQ(p.add_attachment("a b.txt", AttachmentFormat::text, ""), "a_b (2).txt");
}

TEST(PassengerTest, LogGuidsHaveNoDuplicates) {
  Passenger p;
  p.add_log_guid("g1");
  p.add_log_guid("g2");
  p.add_log_guid("g1");
  EXPECT_EQ(p.log_guids, (std::vector<std::string>{"g1", "g2"}));
}

TEST(PassengerTest, LogGuidsKeepTheLastOnesAndCountTheDropped) {
  Passenger p;
  const std::size_t drives = Passenger::kMaxLogGuids + 222;  // A target failing for long.
  for (std::size_t i = 0; i < drives; ++i) {
    p.add_log_guid("g" + std::to_string(i));
    p.add_log_guid("g" + std::to_string(i));  // The same drive touches it twice.
  }
  ASSERT_EQ(p.log_guids.size(), Passenger::kMaxLogGuids);
  EXPECT_EQ(p.log_guids.front(), "g222");
  EXPECT_EQ(p.log_guids.back(), "g" + std::to_string(drives - 1));
  EXPECT_EQ(p.log_guids_dropped, 222u);

  // A longer list, as older stored entries hold, is cut at the next touch.
  Passenger old;
  for (int i = 0; i < 242; ++i) old.log_guids.push_back("o" + std::to_string(i));
  old.log_guids_dropped = 3;
  old.add_log_guid("new");
  ASSERT_EQ(old.log_guids.size(), Passenger::kMaxLogGuids);
  EXPECT_EQ(old.log_guids.back(), "new");
  EXPECT_EQ(old.log_guids_dropped, 3u + 243u - Passenger::kMaxLogGuids);
}

TEST(PassengerTest, DescribeNamesSourceAndIds) {
  Passenger p;
  p.source_system = "DEMO_SYSTEM";
  p.external_id = "ID_1_1";
  p.internal_id = "x";
  EXPECT_EQ(p.describe(), "DEMO_SYSTEM - ID_1_1 (x)");
}

}  // namespace
}  // namespace databus
