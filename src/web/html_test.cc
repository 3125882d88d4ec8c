#include "web/html.h"

#include <gtest/gtest.h>

namespace databus::web {
namespace {

TEST(EscapeHtml, EscapesEveryMarkupCharacter) {
  EXPECT_EQ(escape_html("<script>alert('x')</script>"),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
  EXPECT_EQ(escape_html("a\"b&c"), "a&quot;b&amp;c");
  EXPECT_EQ(escape_html("plain text"), "plain text");
}

TEST(UrlEncode, EncodesSeparatorsAndDots) {
  EXPECT_EQ(url_encode("a b/c?d"), "a%20b%2Fc%3Fd");
  EXPECT_EQ(url_encode("demo_passenger.1"), "demo_passenger.1");
}

TEST(SafeDownloadName, ReplacesQuotesAndControlCharacters) {
  EXPECT_EQ(safe_download_name("a\"b\r\nc;d.txt"), "a_b__c_d.txt");
  EXPECT_EQ(safe_download_name("file (2).txt"), "file (2).txt");
  EXPECT_EQ(safe_download_name(""), "download");
}

}  // namespace
}  // namespace databus::web
