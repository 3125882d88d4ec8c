// Sessions, login forms and bearer tokens across nodes: two web servers on
// one PostgreSQL schema, each with its own session store, token index and
// login form key, as two nodes behind a load balancer without stickiness
// have (docs/security.md "Sessions"). Needs the PostgreSQL test server
// (ctest fixture `databus_postgresql`); skipped without it.

#include <chrono>
#include <thread>

#include <gmock/gmock.h>

#include "storage/postgresql/pg_connection.h"
#include "storage/postgresql/pg_test_server.h"
#include "web/credentials.h"
#include "web/web_test_support.h"

namespace databus::web::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class SharedSessionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::optional<std::string> conninfo = databus::testing_support::pg_test_conninfo();
    if (!conninfo) GTEST_SKIP() << "no PostgreSQL test server (run through ctest)";
    arguments_ =
        databus::testing_support::pg_test_arguments(*conninfo, "web_sessions_" + random_hex(4));
    std::string pattern = (std::filesystem::temp_directory_path() / "databus_web_XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    DispatcherTicket ticket;
    ticket.data_dir = dir_ / "data";
    ticket.database_module = "postgresql";
    ticket.database_arguments = arguments_;
    ticket.run_web_server = false;
    ticket.workers = 1;
    dispatcher_ = std::make_unique<Dispatcher>(std::move(ticket));
    Database& db = dispatcher_->database();
    ClientConfig demo = db.load_client("demo");
    demo.users[0].token = "demo-token";
    demo.users.push_back(User{"viewer", "viewer-pass", "viewer-token", Role::operator_});
    db.write_client_config_text("demo", demo.to_json().dump(2));

    WebOptions options;

    options.allow_default_passwords = true;  // The tests log in as root/root, demo/demo.
    options.port = 0;
    node_a_ = std::make_unique<WebServer>(*dispatcher_, options);
    node_b_ = std::make_unique<WebServer>(*dispatcher_, options);
    node_a_->start();
    node_b_->start();
  }

  void TearDown() override {
    node_a_.reset();
    node_b_.reset();
    dispatcher_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // A client of node B holding what `on_a` got from node A.
  Browser same_browser_on_b(const Browser& on_a) {
    Browser b(node_b_->port());
    b.cookie = on_a.cookie;
    b.csrf = on_a.csrf;
    b.bearer = on_a.bearer;
    return b;
  }

  // The rows of the sessions table, as a database reader sees them.
  std::vector<std::string> stored_session_rows() {
    PgPool pool(PgSettings::from_arguments(arguments_), 1);
    const PgResult r = pool.acquire()->run(
        "SELECT session_key || ' ' || csrf_token || ' ' || token_digest || ' ' || username "
        "FROM web_sessions");
    std::vector<std::string> rows;
    for (int i = 0; i < r.rows(); ++i) rows.push_back(r.text(i, 0));
    return rows;
  }

  DatabaseArguments arguments_;
  std::filesystem::path dir_;
  std::unique_ptr<Dispatcher> dispatcher_;
  std::unique_ptr<WebServer> node_a_;
  std::unique_ptr<WebServer> node_b_;
};

TEST_F(SharedSessionsTest, ASessionMadeOnOneNodeWorksAndEndsOnTheOther) {
  Browser on_a(node_a_->port());
  ASSERT_EQ(on_a.login("demo", "demo", "demo"), 200);
  Browser on_b = same_browser_on_b(on_a);

  auto session = on_b.get("/api/v1/session");
  ASSERT_TRUE(session);
  ASSERT_EQ(session->status, 200);
  EXPECT_EQ(nlohmann::json::parse(session->body)["csrf_token"], on_a.csrf);
  EXPECT_EQ(nlohmann::json::parse(session->body)["username"], "demo");
  // The CSRF token handed out by A protects changes on B.
  const std::string expedite =
      "/api/v1/clients/demo/passengers/" + std::string(kPassenger1) + "/expedite";
  EXPECT_EQ(on_b.status_of_post(expedite), 200);
  on_b.csrf = std::string(64, '0');
  EXPECT_EQ(on_b.status_of_post(expedite), 403);

  // Logging out on B ends the session on A.
  on_b.csrf = on_a.csrf;
  EXPECT_EQ(on_b.status_of_post("/api/v1/logout"), 200);
  EXPECT_EQ(on_a.status_of_get("/api/v1/session"), 401);
  EXPECT_TRUE(stored_session_rows().empty());
}

TEST_F(SharedSessionsTest, APasswordChangedOnOneNodeEndsTheUsersSessionsOnTheOther) {
  Browser viewer_on_b(node_b_->port());
  ASSERT_EQ(viewer_on_b.login("demo", "viewer", "viewer-pass"), 200);
  Browser admin_on_a(node_a_->port());
  ASSERT_EQ(admin_on_a.login("demo", "demo", "demo"), 200);
  ASSERT_EQ(admin_on_a.status_of_post("/api/v1/clients/demo/users/viewer/password",
                                      {{"password", "a-new-password"}}),
            200);
  EXPECT_EQ(viewer_on_b.status_of_get("/api/v1/session"), 401);
  EXPECT_EQ(admin_on_a.status_of_get("/api/v1/session"), 200);
}

TEST_F(SharedSessionsTest, AFlashSetOnOneNodeIsShownOnceOnTheOther) {
  Browser on_a(node_a_->port());
  ASSERT_EQ(on_a.login("demo", "demo", "demo"), 200);
  auto posted = on_a.post_form("/c/demo/passengers/" + std::string(kPassenger1) + "/expedite",
                               {{"csrf", on_a.csrf}});
  ASSERT_TRUE(posted);
  ASSERT_EQ(posted->status, 303);

  Browser on_b = same_browser_on_b(on_a);
  auto shown = on_b.get("/c/demo/passengers");
  ASSERT_TRUE(shown);
  EXPECT_THAT(shown->body, HasSubstr("Expedited " + std::string(kPassenger1)));
  auto again = on_a.get("/c/demo/passengers");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 200);
  EXPECT_THAT(again->body, Not(HasSubstr("Expedited ")));
}

TEST_F(SharedSessionsTest, ALoginFormFromOneNodeMayBePostedToTheOther) {
  httplib::Client a("127.0.0.1", node_a_->port());
  httplib::Client b("127.0.0.1", node_b_->port());
  auto form = a.Get("/login");
  ASSERT_TRUE(form);
  const std::string login_cookie = cookie_pair(form->get_header_value("Set-Cookie"));
  const std::string token = hidden_field(form->body, "login_csrf");
  ASSERT_FALSE(token.empty());
  auto posted = b.Post("/login", httplib::Headers{{"Cookie", login_cookie}},
                       httplib::Params{{"login_csrf", token},
                                       {"client", "demo"},
                                       {"username", "demo"},
                                       {"password", "demo"},
                                       {"next", "/"}});
  ASSERT_TRUE(posted);
  EXPECT_EQ(posted->status, 303);
  EXPECT_THAT(posted->get_header_value("Set-Cookie"), HasSubstr("databus_session="));
}

// A database reader cannot take over a session or learn a token.
TEST_F(SharedSessionsTest, TheDatabaseHoldsDigestsOfSessionIdsAndTokensOnly) {
  Browser on_a(node_a_->port());
  ASSERT_EQ(on_a.login("demo", "demo", "demo"), 200);
  const std::string id = on_a.cookie.substr(on_a.cookie.find('=') + 1);
  ASSERT_EQ(id.size(), 64u);
  const std::vector<std::string> rows = stored_session_rows();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0], sha256_hex(id) + " " + on_a.csrf + " " + sha256_hex("demo-token") + " demo");
  EXPECT_THAT(rows[0], Not(HasSubstr(id)));
  EXPECT_THAT(rows[0], Not(HasSubstr("demo-token")));
}

// Revoking takes effect on every node at once (each lookup reads the
// configuration); a new token works on another node within its token
// index's refresh (a second).
TEST_F(SharedSessionsTest, BearerTokensWorkOnEveryNode) {
  Browser on_b(node_b_->port());
  on_b.bearer = "viewer-token";
  ASSERT_EQ(on_b.status_of_get("/api/v1/clients/demo/passengers"), 200);

  Browser admin_on_a(node_a_->port());
  admin_on_a.bearer = "demo-token";
  ASSERT_EQ(admin_on_a.status_of_post("/api/v1/clients/demo/users/viewer/revoke-token"), 200);
  EXPECT_EQ(on_b.status_of_get("/api/v1/clients/demo/passengers"), 401);

  on_b.bearer = dispatcher_->database().load_client("demo").users[1].token;
  ASSERT_EQ(on_b.bearer.size(), 64u);
  int status = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  while (status != 200 && std::chrono::steady_clock::now() < deadline) {
    status = on_b.status_of_get("/api/v1/clients/demo/passengers");
    if (status != 200) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(status, 200);
}

}  // namespace
}  // namespace databus::web::testing
