// Hardening of the web server: the login form's CSRF token, the Host check
// against DNS rebinding, the bearer token index, sessions kept across
// clients without users, and the web interface a dispatcher starts itself.

#include <gmock/gmock.h>

#include "web/web_test_support.h"

namespace databus::web::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST_F(WebTest, LoginFormNeedsItsPreSessionCookieAndToken) {
  Browser b = browser();
  auto form = b.get("/login");
  ASSERT_TRUE(form);
  const std::string set_cookie = form->get_header_value("Set-Cookie");
  EXPECT_THAT(set_cookie, HasSubstr("databus_login="));
  EXPECT_THAT(set_cookie, HasSubstr("HttpOnly"));
  EXPECT_THAT(set_cookie, HasSubstr("SameSite=Strict"));
  const std::string token = hidden_field(form->body, "login_csrf");
  ASSERT_FALSE(token.empty());
  Browser other = browser();
  auto other_form = other.get("/login");
  ASSERT_TRUE(other_form);
  const std::string other_token = hidden_field(other_form->body, "login_csrf");
  ASSERT_NE(other_token, token);

  const auto attempt = [&b](const std::string& cookie, const std::string& csrf) {
    b.cookie = cookie;
    httplib::Params params{{"client", "demo"}, {"username", "demo"}, {"password", "demo"}};
    if (!csrf.empty()) params.emplace("login_csrf", csrf);
    auto res = b.post_form("/login", params);
    return res ? std::make_pair(res->status, res->get_header_value("Set-Cookie"))
               : std::make_pair(-1, std::string());
  };
  const std::string login_cookie = cookie_pair(set_cookie);
  // A forged cross-site form has neither, or cannot pair them.
  for (const auto& [cookie, csrf] : {std::pair<std::string, std::string>{"", ""},
                                     {"", token},
                                     {login_cookie, ""},
                                     {login_cookie, other_token},
                                     {login_cookie, token + "0"}}) {
    const auto [status, session] = attempt(cookie, csrf);
    EXPECT_EQ(status, 403) << cookie << " / " << csrf;
    EXPECT_THAT(session, Not(HasSubstr("databus_session="))) << cookie << " / " << csrf;
  }
  const auto [status, session] = attempt(login_cookie, token);
  EXPECT_EQ(status, 303);
  EXPECT_THAT(session, HasSubstr("databus_session="));
}

TEST_F(WebTest, RequestsForOtherHostNamesAreRefused) {
  httplib::Client client("127.0.0.1", server_->port());
  const std::string port = std::to_string(server_->port());
  for (const std::string& host :
       {"127.0.0.1:" + port, "localhost:" + port, std::string("localhost")}) {
    auto res = client.Get("/healthz", {{"Host", host}});
    ASSERT_TRUE(res) << host;
    EXPECT_EQ(res->status, 200) << host;
  }
  // A rebound name is refused before any route, with or without credentials.
  auto page = client.Get("/login", {{"Host", "attacker.example:" + port}});
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 421);
  EXPECT_THAT(page->body, Not(HasSubstr("<form")));
  auto api = client.Get("/api/v1/clients/demo/passengers",
                        {{"Host", "attacker.example"}, {"Authorization", "Bearer demo-token"}});
  ASSERT_TRUE(api);
  EXPECT_EQ(api->status, 421);

  // Names users reach the server by are configured.
  WebOptions options;
  options.allow_default_passwords = true;  // The tests log in as root/root, demo/demo.
  options.port = 0;
  options.allowed_hosts = {"databus.example"};
  WebServer listed(*dispatcher_, options);
  listed.start();
  httplib::Client to_listed("127.0.0.1", listed.port());
  auto ok = to_listed.Get("/healthz", {{"Host", "Databus.Example:443"}});
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  auto refused = to_listed.Get("/healthz", {{"Host", "attacker.example"}});
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 421);
}

TEST_F(WebTest, BearerTokensChangedInTheFileTakeEffectAtOnce) {
  Browser api = browser();
  api.bearer = "viewer-token";
  const std::string passengers = "/api/v1/clients/demo/passengers";
  EXPECT_EQ(api.status_of_get(passengers), 200);
  EXPECT_EQ(api.status_of_get(passengers), 200);  // From the index.

  // Revoked by editing the configuration, not through the web server.
  Database& db = dispatcher_->database();
  ClientConfig demo = db.load_client("demo");
  demo.users[1].token = "viewer-token-2";
  db.write_client_config_text("demo", demo.to_json().dump(2));
  EXPECT_EQ(api.status_of_get(passengers), 401);
  api.bearer = "viewer-token-2";
  EXPECT_EQ(api.status_of_get(passengers), 200);

  // Revoked through the web: the old token fails, the new one works, at once.
  Browser admin = browser();
  admin.bearer = "demo-token";
  ASSERT_EQ(admin.status_of_post("/api/v1/clients/demo/users/viewer/revoke-token"), 200);
  EXPECT_EQ(api.status_of_get(passengers), 401);
  api.bearer = db.load_client("demo").users[1].token;
  EXPECT_EQ(api.status_of_get(passengers), 200);
}

TEST_F(WebTest, VisitingAClientWithoutUsersKeepsTheSession) {
  Browser b = browser();
  auto login = b.form_login("demo", "demo", "demo");
  ASSERT_TRUE(login);
  ASSERT_EQ(login->status, 303);
  auto open = b.get("/c/open/passengers");
  ASSERT_TRUE(open);
  EXPECT_EQ(open->status, 200);
  EXPECT_THAT(open->body, HasSubstr("Authentication is off"));
  EXPECT_FALSE(open->has_header("Set-Cookie"));
  EXPECT_EQ(b.status_of_get("/api/v1/clients/demo/passengers"), 200);  // Still logged in.

  // The session's CSRF token protects the open client's forms.
  auto edit = b.get("/c/open/customizing/__databus__");
  ASSERT_TRUE(edit);
  const std::string csrf = hidden_field(edit->body, "csrf");
  ASSERT_FALSE(csrf.empty());
  const std::string text = R"({"log_life_span": 2, "passengers": [], "users": []})";
  auto forged = b.post_form("/c/open/customizing/__databus__", {{"text", text}});
  ASSERT_TRUE(forged);
  EXPECT_EQ(forged->status, 403);
  auto saved = b.post_form("/c/open/customizing/__databus__", {{"csrf", csrf}, {"text", text}});
  ASSERT_TRUE(saved);
  EXPECT_EQ(saved->status, 303);
  EXPECT_EQ(dispatcher_->database().load_client("open").log_life_span, 2);
  EXPECT_EQ(b.status_of_get("/api/v1/clients/demo/passengers"), 200);
}

// The web interface a dispatcher starts from its ticket (no WebServer made by
// hand): the default ticket serves it from start() until the dispatcher stops.
class DispatcherWebTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "databus_dweb_XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  DispatcherTicket ticket(const std::string& name) {
    DispatcherTicket t;
    t.data_dir = dir_ / name;
    t.web_server_port = 0;
    t.workers = 1;
    return t;
  }
  static int port_of(const std::string& address) {
    const std::size_t colon = address.rfind(':');
    return colon == std::string::npos ? -1 : std::stoi(address.substr(colon + 1));
  }
  std::filesystem::path dir_;
};

TEST_F(DispatcherWebTest, DefaultTicketServesFromStartUntilShutdown) {
  Dispatcher dispatcher(ticket("a"));
  EXPECT_TRUE(dispatcher.status().web_address.empty());
  dispatcher.start();
  const std::string address = dispatcher.status().web_address;
  EXPECT_THAT(address, HasSubstr("http://127.0.0.1:"));
  const int port = port_of(address);
  ASSERT_GT(port, 0) << address;
  httplib::Client client("127.0.0.1", port);
  auto up = client.Get("/healthz");
  ASSERT_TRUE(up);
  EXPECT_EQ(up->status, 200);
  auto login = client.Get("/login");
  ASSERT_TRUE(login);
  EXPECT_THAT(login->body, HasSubstr("Databus"));

  dispatcher.shutdown();
  dispatcher.wait();
  EXPECT_FALSE(client.Get("/healthz"));  // Nobody listens any more.
}

TEST_F(DispatcherWebTest, NoWebServerWhenTurnedOffAndStartFailsOnABusyPort) {
  DispatcherTicket off = ticket("off");
  off.run_web_server = false;
  Dispatcher quiet(std::move(off));
  quiet.start();
  EXPECT_TRUE(quiet.status().web_address.empty());

  Dispatcher first(ticket("first"));
  first.start();
  DispatcherTicket busy = ticket("second");
  busy.web_server_port = port_of(first.status().web_address);
  Dispatcher second(std::move(busy));
  EXPECT_THROW(second.start(), Error);
  EXPECT_EQ(second.status().state, DispatcherState::created);  // Nothing started.
}

}  // namespace
}  // namespace databus::web::testing
