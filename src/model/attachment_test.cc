#include "databus/attachment.h"

#include <gtest/gtest.h>

namespace databus {
namespace {

TEST(AttachmentTest, KeepsSpacesPunctuationAndLettersOfAnyScript) {
  for (const char* name :
       {"report_2024.final.xlsx", "a b.txt", "a b-c (1).txt", "\xC3\xBC.txt" /* ü.txt */,
        "r\xC3\xA9sum\xC3\xA9.pdf", "\xE6\x97\xA5\xE6\x9C\xAC.csv" /* 日本.csv */,
        "\xF0\x9F\x93\x8E clip.bin" /* U+1F4CE */, "100% #1 & more!.txt", ".profile",
        "back\\slash.txt"}) {
    EXPECT_EQ(cleanse_attachment_name(name), name);
  }
}

TEST(AttachmentTest, ReplacesOnlyWhatIsUnsafeInAFileName) {
  EXPECT_EQ(cleanse_attachment_name("../../etc/passwd"), ".._.._etc_passwd");
  EXPECT_EQ(cleanse_attachment_name(std::string("a\0b", 3)), "a_b");
  EXPECT_EQ(cleanse_attachment_name("line\nbreak\r.txt"), "line_break_.txt");
  EXPECT_EQ(cleanse_attachment_name("tab\there\x7F.txt"), "tab_here_.txt");
  EXPECT_EQ(cleanse_attachment_name("c1\xC2\x85.txt"), "c1_.txt");  // U+0085, one character.
  // Each byte of malformed UTF-8 (Latin-1 "ü", a truncated sequence, an
  // overlong '/', a surrogate) becomes '_': names are stored as UTF-8 text.
  EXPECT_EQ(cleanse_attachment_name("\xFC.txt"), "_.txt");
  EXPECT_EQ(cleanse_attachment_name("a\xC3"), "a_");
  EXPECT_EQ(cleanse_attachment_name("\xC0\xAF"), "__");
  EXPECT_EQ(cleanse_attachment_name("\xED\xA0\x80"), "___");
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
