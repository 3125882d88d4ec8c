#include "storage/sql/text_codec.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace databus::sql {
namespace {

constexpr auto npos = std::string_view::npos;

TEST(TextCodecTest, FirstUnstorableByteFindsNulAndInvalidUtf8) {
  EXPECT_EQ(first_unstorable_byte("plain \xc3\xa4 \xe2\x82\xac \xf0\x9f\x98\x80"), npos);
  EXPECT_EQ(first_unstorable_byte(std::string_view("ab\0c", 4)), 2u);
  EXPECT_EQ(first_unstorable_byte("ab\xff"), 2u);
  EXPECT_EQ(first_unstorable_byte("a\xc3"), 1u);             // Cut short.
  EXPECT_EQ(first_unstorable_byte("\xc0\xaf"), 0u);          // Overlong.
  EXPECT_EQ(first_unstorable_byte("\xed\xa0\x80"), 0u);      // Surrogate.
  EXPECT_EQ(first_unstorable_byte("\xf4\x90\x80\x80"), 0u);  // Beyond U+10FFFF.
}

TEST(TextCodecTest, AppendStorableReplacesEachBadByte) {
  std::string out;
  append_storable(out, std::string_view("a\0b\xff\xfe", 5));
  EXPECT_EQ(out,
            "a\xEF\xBF\xBD"
            "b\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(TextCodecTest, JsonStringsParseBackToTheText) {
  static constexpr char kText[] = "q\"b\\s/\b\f\n\r\t\x01\x1f \xc3\xa4 end\0";
  const std::string text(kText, sizeof kText - 1);  // The NUL included.
  std::string out;
  append_json_string(out, text);
  EXPECT_EQ(nlohmann::json::parse(out).get<std::string>(), text);
  out.clear();
  append_json_string(out, "x\xffy");
  EXPECT_EQ(nlohmann::json::parse(out).get<std::string>(), "x\xEF\xBF\xBDy");
}

}  // namespace
}  // namespace databus::sql
