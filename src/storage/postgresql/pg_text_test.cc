#include "storage/postgresql/pg_text.h"

#include <gtest/gtest.h>

#include "storage/sql/text_codec.h"

namespace databus {
namespace {

TEST(PgTextTest, StorableValuesAreKeptAsTheyAre) {
  EXPECT_EQ(pg_escape_text("ID_1 50% \xc3\xa4"), "ID_1 50% \xc3\xa4");
  EXPECT_EQ(pg_unescape_text("ID_1 50% \xc3\xa4"), "ID_1 50% \xc3\xa4");
}

TEST(PgTextTest, NulInvalidUtf8AndTheMarkRoundTripThroughStorableText) {
  const std::string values[] = {std::string("a\0b", 3), "50% \xff\xfe end", "\xEE\x80\x80x%41",
                                std::string("\0", 1), "\xc3"};
  for (const std::string& v : values) {
    const std::string stored = pg_escape_text(v);
    EXPECT_EQ(sql::first_unstorable_byte(stored), std::string_view::npos) << v;
    EXPECT_NE(stored, v);
    EXPECT_EQ(pg_unescape_text(stored), v);
  }
}

}  // namespace
}  // namespace databus
