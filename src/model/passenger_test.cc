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
  EXPECT_EQ(p.add_attachment("a_b.txt", AttachmentFormat::text, ""), "a_b (2).txt");
  EXPECT_EQ(p.add_attachment("a b.txt", AttachmentFormat::text, ""), "a b.txt");
}

TEST(PassengerTest, LogGuidsHaveNoDuplicates) {
  Passenger p;
  p.add_log_guid("g1");
  p.add_log_guid("g2");
  p.add_log_guid("g1");
  EXPECT_EQ(p.log_guids, (std::vector<std::string>{"g1", "g2"}));
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
