// Where a login may send the browser: `next` is followed only to a path on
// this site, whatever encoding it arrives in (docs/security.md, "Errors and
// redirects").

#include <gmock/gmock.h>

#include "web/web_test_support.h"

namespace databus::web::testing {
namespace {

using ::testing::HasSubstr;

// Logs in to demo through the login form with `encoded_next` put into the
// form body exactly as given (already URL-encoded, as a browser sends it);
// returns the Location of the answer, or "status N" when it is no redirect.
std::string location_after_login(int port, const std::string& encoded_next) {
  httplib::Client http("127.0.0.1", port);
  auto form = http.Get("/login");
  if (!form) return "no login page";
  const std::string login_cookie = cookie_pair(form->get_header_value("Set-Cookie"));
  const std::string body = "login_csrf=" + hidden_field(form->body, "login_csrf") +
                           "&client=demo&username=demo&password=demo&next=" + encoded_next;
  auto res = http.Post("/login", httplib::Headers{{"Cookie", login_cookie}}, body,
                       "application/x-www-form-urlencoded");
  if (!res) return "no answer";
  if (res->status != 303) return "status " + std::to_string(res->status);
  return res->get_header_value("Location");
}

// The known variants of an open redirect, as they appear in a URL or form.
const char* const kOffSite[] = {
    "%2F%09%2Fevil.example",       // the reproduced case: "/<tab>/evil.example"
    "%2F%0A%2Fevil.example",       // newline
    "%2F%0D%2Fevil.example",       // carriage return
    "%2F%0D%0ALocation:%20x",      // header injection
    "%2F%2Fevil.example",          // "//evil.example"
    "//evil.example",              // the same unencoded
    "%2F%5Cevil.example",          // "/\evil.example"
    "/%5C/evil.example",           // "/\/evil.example"
    "%5C%5Cevil.example",          // "\\evil.example"
    "%09%2F%2Fevil.example",       // leading tab
    "https://evil.example",        // a scheme
    "https%3A%2F%2Fevil.example",  // the same encoded
    "https:evil.example",          // scheme without slashes
    "javascript:alert(1)",         // not a path at all
    "%252F%252Fevil.example",      // double encoding: "%2F%2Fevil.example"
    "%2F%252F%252Fevil.example",   // double encoding: "/%2F%2Fevil.example"
    "%2F%2509%2Fevil.example",     // double-encoded tab
    "%2F%25255C%2Fevil.example",   // triple-encoded backslash
};

TEST_F(WebTest, LoginRedirectsOnlyToPathsOfThisSite) {
  for (const char* next : kOffSite) {
    const std::string location = location_after_login(server_->port(), next);
    // Refused targets fall back to the client's own dashboard.
    EXPECT_EQ(location, "/c/demo/dashboard") << "next=" << next;
  }
  EXPECT_EQ(location_after_login(server_->port(), "%2Fc%2Fdemo%2Flogs"), "/c/demo/logs");
  EXPECT_EQ(location_after_login(server_->port(), "/c/demo/logs%3Fpage%3D2"),
            "/c/demo/logs?page=2");
}

TEST_F(WebTest, LoginPageCarriesOnlyPathsOfThisSite) {
  Browser b = browser();
  for (const char* next : kOffSite) {
    auto page = b.get(std::string("/login?next=") + next);
    ASSERT_TRUE(page);
    EXPECT_THAT(page->body, HasSubstr("name=\"next\" value=\"/\"")) << "next=" << next;
  }
  auto page = b.get("/login?next=%2Fc%2Fdemo%2Flogs");
  ASSERT_TRUE(page);
  EXPECT_THAT(page->body, HasSubstr("name=\"next\" value=\"/c/demo/logs\""));
}

}  // namespace
}  // namespace databus::web::testing
