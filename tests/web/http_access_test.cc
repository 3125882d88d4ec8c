// Access control over HTTP: who may read and change what, sessions, CSRF and
// bearer tokens.

#include <gmock/gmock.h>

#include "web/web_test_support.h"

namespace databus::web::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

// Every client-scoped read route of the API.
// `id`: a queue entry, `guid`: a log of client demo.
std::vector<std::string> read_routes(const std::string& c, const std::string& id,
                                     const std::string& guid) {
  const std::string base = "/api/v1/clients/" + c;
  return {base + "/passengers",
          base + "/passengers/" + std::string(kPassenger1) + "/peek",
          base + "/queue?passenger=" + std::string(kPassenger1),
          base + "/queue/" + id,
          base + "/queue/" + id + "/attachments/puller1_file1.txt",
          base + "/logs",
          base + "/logs/" + guid,
          base + "/users",
          base + "/customizing",
          base + "/customizing/__databus__",
          base + "/export"};
}

// Every client-scoped change route, with a body that would succeed.
std::vector<std::pair<std::string, json>> change_routes(const std::string& c,
                                                        const std::string& id) {
  const std::string base = "/api/v1/clients/" + c;
  return {{base + "/passengers/" + std::string(kPassenger1) + "/expedite", json::object()},
          {base + "/queue/" + id + "/status",
           {{"step", "pusher"},
            {"module", "databus.pusher.demo.demo_pusher_1"},
            {"status", "incomplete"}}},
          {base + "/users/viewer/revoke-token", json::object()},
          {base + "/logs/purge", json::object()},
          {base + "/queue/purge", {{"passenger", kPassenger1}}}};
}

TEST_F(WebTest, HealthAndReadiness) {
  Browser b = browser();
  EXPECT_EQ(b.status_of_get("/healthz"), 200);
  EXPECT_EQ(b.status_of_get("/readyz"), 503);  // Dispatcher not started.
  dispatcher_->start();
  EXPECT_EQ(b.status_of_get("/readyz"), 200);
  dispatcher_->shutdown();
  EXPECT_EQ(b.status_of_get("/readyz"), 503);
}

TEST_F(WebTest, NothingWithoutLogin) {
  const std::string id = drive_demo();
  Browser b = browser();
  for (const std::string& route : read_routes("demo", id, log_guid_of(id))) {
    EXPECT_EQ(b.status_of_get(route), 401) << route;
  }
  for (const auto& [route, body] : change_routes("demo", id)) {
    EXPECT_EQ(b.status_of_post(route, body), 401) << route;
  }
  EXPECT_EQ(b.status_of_get("/api/v1/about"), 401);
  EXPECT_EQ(b.status_of_get("/api/v1/system"), 401);
  EXPECT_EQ(b.status_of_get("/api/v1/clients"), 401);
  EXPECT_EQ(b.status_of_post("/api/v1/system/pause"), 401);
  // Pages send the browser to the login page.
  for (const char* page :
       {"/c/demo/passengers", "/c/demo/queue", "/c/demo/users", "/about", "/system"}) {
    auto res = b.get(page);
    ASSERT_TRUE(res) << page;
    EXPECT_EQ(res->status, 303) << page;
    EXPECT_THAT(res->get_header_value("Location"), HasSubstr("/login")) << page;
  }
}

TEST_F(WebTest, LoginSetsAStrictHttpOnlyCookieAndRejectsWrongPasswords) {
  Browser b = browser();
  EXPECT_EQ(b.login("demo", "demo", "wrong"), 401);
  EXPECT_EQ(b.login("demo", "nobody", "demo"), 401);
  EXPECT_EQ(b.login("no_such_client", "demo", "demo"), 401);
  EXPECT_EQ(b.login("../etc", "demo", "demo"), 401);
  ASSERT_EQ(b.login("demo", "demo", "demo"), 200);
  EXPECT_THAT(b.set_cookie_header, HasSubstr("HttpOnly"));
  EXPECT_THAT(b.set_cookie_header, HasSubstr("SameSite=Strict"));
  EXPECT_THAT(b.set_cookie_header, Not(HasSubstr("Secure")));  // Plain HTTP.
  EXPECT_EQ(b.csrf.size(), 64u);
  auto who = b.get("/api/v1/session");
  ASSERT_TRUE(who);
  EXPECT_EQ(json::parse(who->body)["role"], "administrator");

  // Logging out ends the session on the server, not only in the browser.
  const std::string old_cookie = b.cookie;
  ASSERT_EQ(b.status_of_post("/api/v1/logout"), 200);
  b.cookie = old_cookie;
  EXPECT_EQ(b.status_of_get("/api/v1/clients/demo/passengers"), 401);
}

TEST_F(WebTest, OperatorsReadButDoNotChange) {
  const std::string id = drive_demo();
  Browser b = logged_in("demo", "viewer", "viewer-pass");
  for (const std::string& route : read_routes("demo", id, log_guid_of(id))) {
    EXPECT_EQ(b.status_of_get(route), 200) << route;
  }
  for (const auto& [route, body] : change_routes("demo", id)) {
    EXPECT_EQ(b.status_of_post(route, body), 403) << route;
  }
  EXPECT_EQ(b.status_of_post("/api/v1/clients/demo/customizing/__databus__", {{"text", "{}"}}),
            403);
  EXPECT_EQ(
      b.status_of_post("/api/v1/clients/demo/users/demo/password", {{"password", "long enough"}}),
      403);
}

TEST_F(WebTest, AdministratorsChangeTheirOwnClientOnly) {
  const std::string id = drive_demo();
  Browser b = logged_in("demo", "demo", "demo");
  for (const auto& [route, body] : change_routes("demo", id)) {
    EXPECT_EQ(b.status_of_post(route, body), 200) << route;
  }
  for (const std::string& route : read_routes("root", id, log_guid_of(id))) {
    EXPECT_EQ(b.status_of_get(route), 403) << route;
  }
  EXPECT_EQ(b.status_of_get("/api/v1/system"), 403);
  EXPECT_EQ(b.status_of_post("/api/v1/system/pause"), 403);
  EXPECT_EQ(b.status_of_get("/system"), 403);
  auto clients = b.get("/api/v1/clients");
  ASSERT_TRUE(clients);
  EXPECT_EQ(json::parse(clients->body)["clients"], json::array({"demo"}));
}

TEST_F(WebTest, RootSeesEveryClientAndTheSystem) {
  const std::string id = drive_demo();
  Browser b = logged_in("root", "root", "root");
  for (const std::string& route : read_routes("demo", id, log_guid_of(id))) {
    EXPECT_EQ(b.status_of_get(route), 200) << route;
  }
  auto clients = b.get("/api/v1/clients");
  ASSERT_TRUE(clients);
  EXPECT_EQ(json::parse(clients->body)["clients"], json::array({"demo", "open", "root"}));
  EXPECT_EQ(b.status_of_get("/api/v1/system"), 200);
  EXPECT_EQ(b.status_of_get("/api/v1/clients/root/customizing/__clients__"), 200);

  auto paused = b.post("/api/v1/system/pause");
  ASSERT_TRUE(paused);
  EXPECT_EQ(json::parse(paused->body)["state"], "paused");
  auto resumed = b.post("/api/v1/system/resume");
  ASSERT_TRUE(resumed);
  EXPECT_NE(json::parse(resumed->body)["state"], "paused");

  // A root operator sees the system page but may not act on it.
  Browser viewer = logged_in("root", "rootview", "rootview-pass");
  EXPECT_EQ(viewer.status_of_get("/api/v1/system"), 200);
  EXPECT_EQ(viewer.status_of_post("/api/v1/system/pause"), 403);
  EXPECT_EQ(viewer.status_of_get("/api/v1/clients/demo/passengers"), 200);
  EXPECT_EQ(viewer.status_of_post("/api/v1/clients/demo/logs/purge"), 403);
}

TEST_F(WebTest, StateChangesNeedTheCsrfToken) {
  Browser b = logged_in("demo", "demo", "demo");
  const std::string expedite =
      "/api/v1/clients/demo/passengers/" + std::string(kPassenger1) + "/expedite";
  auto missing = b.post_without_csrf(expedite);
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 403);
  const std::string right = b.csrf;
  b.csrf = std::string(64, 'a');
  EXPECT_EQ(b.status_of_post(expedite), 403);
  b.csrf = right;
  EXPECT_EQ(b.status_of_post(expedite), 200);

  // A cross-site form cannot send JSON: form-encoded API calls are refused.
  auto form = b.post_form(expedite, {{"csrf", right}});
  ASSERT_TRUE(form);
  EXPECT_EQ(form->status, 415);

  // Page forms: the hidden field is required and must match.
  const std::string page_expedite = "/c/demo/passengers/" + std::string(kPassenger1) + "/expedite";
  auto no_token = b.post_form(page_expedite, {});
  ASSERT_TRUE(no_token);
  EXPECT_EQ(no_token->status, 403);
  auto wrong = b.post_form(page_expedite, {{"csrf", std::string(64, 'b')}});
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 403);
  auto ok = b.post_form(page_expedite, {{"csrf", right}});
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 303);
}

TEST_F(WebTest, EveryStateChangeNeedsTheCsrfToken) {
  const std::string id = drive_demo();
  Browser b = logged_in("root", "root", "root");
  const std::string right = b.csrf;
  std::vector<std::string> api;
  for (const auto& [route, body] : change_routes("demo", id)) api.push_back(route);
  for (const char* route :
       {"/api/v1/clients/demo/users/demo/password", "/api/v1/clients/demo/customizing/__databus__",
        "/api/v1/clients/demo/export", "/api/v1/system/pause", "/api/v1/logout"}) {
    api.push_back(route);
  }
  for (const std::string& route : api) {
    auto missing = b.post_without_csrf(route);
    ASSERT_TRUE(missing) << route;
    EXPECT_EQ(missing->status, 403) << route;
    b.csrf = std::string(64, 'a');
    EXPECT_EQ(b.status_of_post(route), 403) << route;
    b.csrf = right;
  }
  const std::string c = "/c/demo";
  for (const std::string& route :
       {c + "/passengers/" + std::string(kPassenger1) + "/expedite", c + "/queue/purge",
        c + "/queue/" + id + "/status", c + "/logs/purge", c + "/users/demo/revoke-token",
        c + "/users/demo/password", c + "/customizing/__databus__", c + "/export",
        std::string("/system/pause"), std::string("/system/shutdown"), std::string("/logout")}) {
    auto missing = b.post_form(route, {});
    ASSERT_TRUE(missing) << route;
    EXPECT_EQ(missing->status, 403) << route;
    auto wrong = b.post_form(route, {{"csrf", std::string(64, 'b')}});
    ASSERT_TRUE(wrong) << route;
    EXPECT_EQ(wrong->status, 403) << route;
  }
  // Nothing above took effect: the session lives, the dispatcher was not paused.
  EXPECT_EQ(b.status_of_get("/api/v1/session"), 200);
  auto system = b.get("/api/v1/system");
  ASSERT_TRUE(system);
  EXPECT_NE(json::parse(system->body)["state"], "paused");
}

TEST_F(WebTest, BearerTokensWorkWithoutCsrfUntilRevoked) {
  Browser api = browser();
  api.bearer = "viewer-token";
  EXPECT_EQ(api.status_of_get("/api/v1/clients/demo/passengers"), 200);
  EXPECT_EQ(api.status_of_get("/api/v1/clients/root/passengers"), 403);
  Browser wrong = browser();
  wrong.bearer = "not-a-token";
  EXPECT_EQ(wrong.status_of_get("/api/v1/clients/demo/passengers"), 401);

  Browser admin = browser();
  admin.bearer = "demo-token";
  const std::string expedite =
      "/api/v1/clients/demo/passengers/" + std::string(kPassenger1) + "/expedite";
  EXPECT_EQ(admin.status_of_post(expedite), 200);  // No CSRF token needed.

  // The viewer also has a browser session; revoking the token ends both.
  Browser session = logged_in("demo", "viewer", "viewer-pass");
  ASSERT_EQ(admin.status_of_post("/api/v1/clients/demo/users/viewer/revoke-token"), 200);
  EXPECT_EQ(api.status_of_get("/api/v1/clients/demo/passengers"), 401);
  EXPECT_EQ(session.status_of_get("/api/v1/clients/demo/passengers"), 401);
  const ClientConfig demo = dispatcher_->database().load_client("demo");
  EXPECT_NE(demo.users[1].token, "viewer-token");
  EXPECT_EQ(demo.users[1].token.size(), 64u);
}

TEST_F(WebTest, ClientWithoutUsersHasAuthenticationOffWithABanner) {
  Browser b = browser();
  EXPECT_EQ(b.status_of_get("/api/v1/clients/open/passengers"), 200);
  EXPECT_EQ(b.status_of_get("/api/v1/clients/open/users"), 200);
  EXPECT_EQ(b.status_of_get("/api/v1/clients/demo/passengers"), 401);
  auto page = b.get("/c/open/passengers");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_THAT(page->body, HasSubstr("Authentication is off"));
  // The anonymous session it got carries no right to other clients.
  b.cookie = page->get_header_value("Set-Cookie")
                 .substr(0, page->get_header_value("Set-Cookie").find(';'));
  EXPECT_EQ(b.status_of_get("/api/v1/clients/demo/passengers"), 403);
}

}  // namespace
}  // namespace databus::web::testing
