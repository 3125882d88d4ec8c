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

// Issue 13: names are written as files, so none may pass 255 bytes.
TEST(PassengerTest, LongNamesAreShortenedKeepingTheExtensionAndTheFullName) {
  Passenger p;
  const std::string fits = std::string(251, 'a') + ".txt";  // 255 bytes.
  EXPECT_EQ(p.add_attachment(fits, AttachmentFormat::text, "fits"), fits);
  EXPECT_TRUE(p.attachments.back().full_name.empty());

  const std::string given = std::string(300, 'b') + " x.pdf";
  const std::string cleansed = cleanse_attachment_name(given);  // Spaces are kept.
  const std::string name = p.add_attachment(given, AttachmentFormat::binary, "long");
  EXPECT_EQ(name.size(), 255u);
  EXPECT_TRUE(name.ends_with(".pdf")) << name;
  EXPECT_EQ(name, cleanse_attachment_name(name));  // Stays in the cleansed alphabet.
  EXPECT_EQ(p.attachments.back().full_name, cleansed);
  EXPECT_EQ(shorten_attachment_name(cleansed), name);  // The same every time.

  // The same long name again, and a different one sharing its first bytes.
  const std::string again = p.add_attachment(given, AttachmentFormat::binary, "again");
  EXPECT_LE(again.size(), 255u);
  EXPECT_NE(again, name);
  EXPECT_TRUE(again.ends_with(" (2).pdf")) << again;
  const std::string other =
      p.add_attachment(std::string(300, 'b') + "_y.pdf", AttachmentFormat::binary, "other");
  EXPECT_EQ(other.size(), 255u);
  EXPECT_NE(other, name);

  // Numbering a 255-byte name keeps it at 255 bytes.
  const std::string numbered = p.add_attachment(fits, AttachmentFormat::text, "fits 2");
  EXPECT_EQ(numbered.size(), 255u);
  EXPECT_TRUE(numbered.ends_with(" (2).txt")) << numbered;

  // No extension, or one too long to keep.
  const std::string plain = shorten_attachment_name(std::string(400, 'c'));
  EXPECT_EQ(plain.size(), 255u);
  const std::string long_ext = shorten_attachment_name("a." + std::string(300, 'e'));
  EXPECT_EQ(long_ext.size(), 255u);
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
