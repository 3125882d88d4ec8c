#include "web/redirect_target.h"

#include <gtest/gtest.h>

#include <string>

namespace databus::web {
namespace {

TEST(RedirectTargetTest, PathsOnThisSiteAreKept) {
  EXPECT_EQ(same_site_target("/"), "/");
  EXPECT_EQ(same_site_target("/clients/demo/passengers"), "/clients/demo/passengers");
  EXPECT_EQ(same_site_target("/clients/demo/logs?page=2#top"), "/clients/demo/logs?page=2#top");
  EXPECT_EQ(same_site_target("/login?next=%2Fclients%2Fdemo"), "/login?next=%2Fclients%2Fdemo");
  EXPECT_EQ(same_site_target("/a/./b/../c"), "/a/./b/../c");
}

TEST(RedirectTargetTest, SpacesAndNonAsciiAreEncoded) {
  EXPECT_EQ(same_site_target("/clients/a b"), "/clients/a%20b");
  EXPECT_EQ(same_site_target("/caf\xc3\xa9"), "/caf%C3%A9");
}

// The known open-redirect variants, each as the server receives it (the
// query string already decoded once by the HTTP library).
TEST(RedirectTargetTest, EveryWayToAnotherHostIsRefused) {
  const char* const refused[] = {
      "",
      "evil.example",
      "//evil.example",
      "///evil.example",
      "/\\evil.example",
      "\\\\evil.example",
      "/\\/evil.example",
      "/a\\b",
      "/\t/evil.example",    // next=%2F%09%2Fevil.example, the reproduced case
      "/\n/evil.example",    // %0A
      "/\r/evil.example",    // %0D
      "/\r\nSet-Cookie: x",  // header injection
      "/\x01/evil.example",
      "/\x7f/evil.example",
      "\t//evil.example",
      " //evil.example",
      "https://evil.example",
      "https:evil.example",
      "http:/evil.example",
      "javascript:alert(1)",
      "data:text/html,x",
      "/%2F/evil.example",      // decodes to "///evil.example"
      "/%2f%2fevil.example",    // lower-case hex
      "/%5Cevil.example",       // decodes to "/\evil.example"
      "/%09/evil.example",      // next=%252F%2509... (double encoding)
      "/%252F/evil.example",    // two rounds down: "///evil.example"
      "/%25252F/evil.example",  // three rounds
      "/%2525252525252F/x",     // deeper than any real link
      "/%",                     // malformed escapes
      "/%4",
      "/%zz",
  };
  for (const char* next : refused) {
    EXPECT_EQ(same_site_target(next), "/") << "next=" << next;
  }
}

TEST(RedirectTargetTest, OverlongTargetsAreRefused) {
  EXPECT_EQ(same_site_target("/" + std::string(5000, 'a')), "/");
}

}  // namespace
}  // namespace databus::web
