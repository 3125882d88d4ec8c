#include "databus/attachment.h"

#include <gtest/gtest.h>

namespace databus {
namespace {

TEST(AttachmentTest, CleansesEverythingOutsideTheSafeSet) {
  EXPECT_EQ(cleanse_attachment_name("report_2024.final.xlsx"), "report_2024.final.xlsx");
  EXPECT_EQ(cleanse_attachment_name("a b-c.txt"), "a_b_c.txt");
  EXPECT_EQ(cleanse_attachment_name("../../etc/passwd"), ".._.._etc_passwd");
  EXPECT_EQ(cleanse_attachment_name(std::string("a\0b", 3)), "a_b");
  // Each byte of a non-ASCII character becomes '_'.
  EXPECT_EQ(cleanse_attachment_name("r\xC3\xA9sum\xC3\xA9.pdf"), "r__sum__.pdf");
}

TEST(AttachmentTest, NamesThatDenoteDirectoriesBecomeFileNames) {
  EXPECT_EQ(cleanse_attachment_name(""), "_");
  EXPECT_EQ(cleanse_attachment_name("."), "_.");
  EXPECT_EQ(cleanse_attachment_name(".."), "_..");
  EXPECT_EQ(cleanse_attachment_name("/"), "_");
}

TEST(AttachmentTest, FormatWords) {
  EXPECT_EQ(to_string(AttachmentFormat::binary), "binary");
  EXPECT_EQ(parse_attachment_format("text"), AttachmentFormat::text);
  EXPECT_THROW(parse_attachment_format("Binary"), std::invalid_argument);
}

}  // namespace
}  // namespace databus
