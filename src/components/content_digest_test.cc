#include "components/content_digest.h"

#include <gtest/gtest.h>

namespace databus {
namespace {

TEST(ContentDigestTest, IsBlake2b256InHex) {
  // BLAKE2b-256 of the empty string (RFC 7693 parameters, 32-byte output).
  EXPECT_EQ(content_digest(""),
            "blake2b:0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8");
  EXPECT_EQ(content_digest("a"), content_digest(std::string("a")));
  EXPECT_NE(content_digest("a"), content_digest("b"));
  EXPECT_NE(content_digest(std::string("a\0b", 3)), content_digest("a"));
}

}  // namespace
}  // namespace databus
