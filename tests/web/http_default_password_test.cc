// A server that does not allow default passwords (WebServerOptions::
// allow_default_passwords off, as `databus run` without --demo): users whose
// password everybody knows get no session and no API access until they
// change it (docs/operations.md, "A safe first start").

#include <gtest/gtest.h>

#include "web/credentials.h"
#include "web_test_support.h"

namespace databus::web::testing {
namespace {

using nlohmann::json;

class DefaultPasswordTest : public WebTest {
 protected:
  void SetUp() override {
    WebTest::SetUp();
    server_.reset();
    WebOptions options;
    options.port = 0;
    options.throttle.slow_after = 1000;
    options.throttle.lock_after = 1000;
    server_ = std::make_unique<WebServer>(*dispatcher_, options);
    server_->start();
  }

  // Posts the password change form as a browser does after the refusal.
  httplib::Result change(Browser& b, const std::string& client, const std::string& user,
                         const std::string& current, const std::string& fresh,
                         const std::string& repeated) {
    httplib::Client raw("127.0.0.1", server_->port());
    auto form = raw.Get("/login");
    if (!form) return form;
    const std::string pre = cookie_pair(form->get_header_value("Set-Cookie"));
    auto res = raw.Post("/login/password", {{"Cookie", pre}},
                        httplib::Params{{"login_csrf", hidden_field(form->body, "login_csrf")},
                                        {"client", client},
                                        {"username", user},
                                        {"password", current},
                                        {"new_password", fresh},
                                        {"repeated", repeated}});
    if (res && res->status == 303) b.cookie = cookie_pair(res->get_header_value("Set-Cookie"));
    return res;
  }

  std::string stored_password(const std::string& client, const std::string& user) {
    for (const User& u : dispatcher_->database().load_client(client).users) {
      if (u.username == user) return u.password;
    }
    ADD_FAILURE() << "no user " << user;
    return "";
  }
};

TEST_F(DefaultPasswordTest, TheApiRefusesALoginWithADefaultPasswordNamingTheUser) {
  httplib::Client raw("127.0.0.1", server_->port());
  auto res =
      raw.Post("/api/v1/login", R"({"client": "root", "username": "root", "password": "root"})",
               "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 403);
  EXPECT_EQ(res->get_header_value("Set-Cookie").find("databus_session="), std::string::npos);
  const std::string error = json::parse(res->body)["error"];
  EXPECT_NE(error.find("user 'root' of client 'root'"), std::string::npos) << error;
  EXPECT_NE(error.find("default"), std::string::npos) << error;
  // A wrong password is still just wrong: the refusal tells nothing to guessers.
  Browser b = browser();
  EXPECT_EQ(b.login("root", "root", "wrong"), 401);
  // Users with passwords of their own are served as before.
  EXPECT_EQ(b.login("demo", "viewer", "viewer-pass"), 200);
  EXPECT_EQ(b.status_of_get("/api/v1/clients/demo/passengers"), 200);
}

TEST_F(DefaultPasswordTest, TheLoginPageShowsThePasswordChangeAndTheChangeLogsIn) {
  Browser b = browser();
  auto refused = b.form_login("demo", "demo", "demo");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 403);
  EXPECT_NE(refused->body.find("Change your password"), std::string::npos);
  EXPECT_NE(refused->body.find("still a default one"), std::string::npos);
  EXPECT_TRUE(b.cookie.empty());

  // Mistakes keep the old password.
  auto differ = change(b, "demo", "demo", "demo", "a new secret", "another secret");
  ASSERT_TRUE(differ);
  EXPECT_EQ(differ->status, 400);
  EXPECT_NE(differ->body.find("differ"), std::string::npos);
  auto again_default = change(b, "demo", "demo", "demo", "demo", "demo");
  ASSERT_TRUE(again_default);
  EXPECT_EQ(again_default->status, 400);
  auto wrong = change(b, "demo", "demo", "not the password", "a new secret", "a new secret");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
  EXPECT_EQ(stored_password("demo", "demo"), "demo");

  auto changed = change(b, "demo", "demo", "demo", "a new secret", "a new secret");
  ASSERT_TRUE(changed);
  EXPECT_EQ(changed->status, 303);
  EXPECT_EQ(changed->get_header_value("Location"), "/c/demo/dashboard");
  EXPECT_EQ(b.status_of_get("/c/demo/passengers"), 200);
  EXPECT_TRUE(is_password_hash(stored_password("demo", "demo")));
  Browser fresh = browser();
  EXPECT_EQ(fresh.login("demo", "demo", "a new secret"), 200);
  // Nothing left to change: the form refuses a password that is no default.
  auto not_default = change(fresh, "demo", "demo", "a new secret", "third secret", "third secret");
  ASSERT_TRUE(not_default);
  EXPECT_EQ(not_default->status, 400);
}

TEST_F(DefaultPasswordTest, ABearerTokenOfADefaultPasswordUserIsRefusedTooUntilTheChange) {
  // The WebTest store gives demo/demo the token "demo-token".
  Browser b = browser();
  b.bearer = "demo-token";
  auto res = b.get("/api/v1/clients/demo/passengers");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 403);
  EXPECT_NE(res->body.find("still a default one"), std::string::npos) << res->body;

  Browser changer = browser();
  ASSERT_EQ(change(changer, "demo", "demo", "demo", "a new secret", "a new secret")->status, 303);
  EXPECT_EQ(b.status_of_get("/api/v1/clients/demo/passengers"), 200);
}

}  // namespace
}  // namespace databus::web::testing
