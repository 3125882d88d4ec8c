// Test support for the HTTP tests: a dispatcher on a temporary JSON DB with
// the clients root and demo, a web server on a free loopback port, users of
// every role, and an HTTP client that logs in and keeps its cookie and CSRF
// token.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "databus/builtins.h"
#include "databus/client.h"
#include "databus/dispatcher.h"
#include "databus/error.h"
#include "web/http.h"
#include "web/web_server.h"

namespace databus::web::testing {

inline constexpr char kPassenger1[] = "databus.passenger.demo.demo_passenger_1";

// The value of the hidden form field `name` in `html` (64 hex digits), or "".
inline std::string hidden_field(const std::string& html, const std::string& name) {
  const std::string marker = "name=\"" + name + "\" value=\"";
  const std::size_t at = html.find(marker);
  if (at == std::string::npos) return "";
  const std::string value = html.substr(at + marker.size(), 64);
  return value.find_first_not_of("0123456789abcdef") == std::string::npos ? value : "";
}

// "name=value" of a Set-Cookie header value.
inline std::string cookie_pair(const std::string& set_cookie) {
  return set_cookie.substr(0, set_cookie.find(';'));
}

// A logged-in (or anonymous) HTTP client of the server under test.
class Browser {
 public:
  explicit Browser(int port) : client_("127.0.0.1", port) {}

  // Logs in through the API; returns the status.
  int login(const std::string& client, const std::string& user, const std::string& password) {
    auto res = client_.Post(
        "/api/v1/login", headers(),
        nlohmann::json{{"client", client}, {"username", user}, {"password", password}}.dump(),
        "application/json");
    if (!res) return -1;
    if (res->status == 200) {
      const std::string set_cookie = res->get_header_value("Set-Cookie");
      set_cookie_header = set_cookie;
      cookie = set_cookie.substr(0, set_cookie.find(';'));
      csrf = nlohmann::json::parse(res->body)["csrf_token"];
    }
    return res->status;
  }

  // Logs in through the login page as a browser does: gets the form (and its
  // pre-session cookie), posts it. Returns the POST's result; on success
  // `cookie` holds the session cookie.
  httplib::Result form_login(const std::string& client, const std::string& user,
                             const std::string& password, const std::string& next = "/") {
    auto form = client_.Get("/login");
    if (!form) return form;
    const std::string login_cookie = cookie_pair(form->get_header_value("Set-Cookie"));
    httplib::Headers h{{"Cookie", login_cookie}};
    auto res = client_.Post("/login", h,
                            httplib::Params{{"login_csrf", hidden_field(form->body, "login_csrf")},
                                            {"client", client},
                                            {"username", user},
                                            {"password", password},
                                            {"next", next}});
    if (res && res->status == 303) cookie = cookie_pair(res->get_header_value("Set-Cookie"));
    return res;
  }

  httplib::Headers headers(bool with_csrf = false) const {
    httplib::Headers h;
    if (!cookie.empty()) h.emplace("Cookie", cookie);
    if (!bearer.empty()) h.emplace("Authorization", "Bearer " + bearer);
    if (with_csrf && !csrf.empty()) h.emplace("X-CSRF-Token", csrf);
    return h;
  }

  httplib::Result get(const std::string& path) { return client_.Get(path, headers()); }
  // A JSON POST with the session's CSRF token.
  httplib::Result post(const std::string& path,
                       const nlohmann::json& body = nlohmann::json::object()) {
    return client_.Post(path, headers(true), body.dump(), "application/json");
  }
  // A JSON POST with the session's CSRF token and `extra` headers (If-Match).
  httplib::Result post(const std::string& path, const nlohmann::json& body,
                       const httplib::Headers& extra) {
    httplib::Headers h = headers(true);
    h.insert(extra.begin(), extra.end());
    return client_.Post(path, h, body.dump(), "application/json");
  }
  // A JSON POST without any CSRF token.
  httplib::Result post_without_csrf(const std::string& path,
                                    const nlohmann::json& body = nlohmann::json::object()) {
    return client_.Post(path, headers(false), body.dump(), "application/json");
  }
  // An HTML form POST (pages); `params` should hold "csrf" when wanted.
  httplib::Result post_form(const std::string& path, const httplib::Params& params) {
    return client_.Post(path, headers(), params);
  }

  int status_of_get(const std::string& path) {
    auto res = get(path);
    return res ? res->status : -1;
  }
  int status_of_post(const std::string& path,
                     const nlohmann::json& body = nlohmann::json::object()) {
    auto res = post(path, body);
    return res ? res->status : -1;
  }

  std::string cookie;
  std::string set_cookie_header;
  std::string csrf;
  std::string bearer;

 private:
  httplib::Client client_;
};

// Records the internal ids the dispatcher reports seated.
class SeatedObserver : public DispatcherObserver {
 public:
  void passenger_seated(const std::string& client_id, const QueueEntry& entry) override {
    std::lock_guard<std::mutex> lock(mutex_);
    seated_.push_back(client_id + "/" + entry.passenger.internal_id);
  }
  std::vector<std::string> seated() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return seated_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> seated_;
};

class WebTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "databus_web_XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    DispatcherTicket ticket;
    ticket.data_dir = dir_ / "data";
    ticket.run_web_server = false;
    ticket.system_alias = "TEST <b>alias</b>";
    ticket.workers = 2;
    ticket.dispatcher_observer = observer_;
    ticket.external_config_files.push_back(
        ExternalConfigFile{"demo", "mapping", dir_ / "mapping.json"});
    dispatcher_ = std::make_unique<Dispatcher>(std::move(ticket));
    Database& db = dispatcher_->database();

    // demo: administrator demo/demo (plaintext, the original's format) and an
    // operator with a token.
    ClientConfig demo = db.load_client("demo");
    demo.users.push_back(User{"viewer", "viewer-pass", "viewer-token", Role::operator_});
    demo.users[0].token = "demo-token";
    db.write_client_config_text("demo", demo.to_json().dump(2));
    ClientConfig root = db.load_client("root");
    root.users.push_back(User{"rootview", "rootview-pass", "", Role::operator_});
    db.write_client_config_text("root", root.to_json().dump(2));
    // open: no users, authentication off.
    db.write_client_config_text("open", R"({"log_life_span": 1, "passengers": [], "users": []})");

    WebOptions options;

    options.allow_default_passwords = true;  // The tests log in as root/root, demo/demo.
    options.port = 0;
    // Only the throttling test wants the slow-down (it makes its own server).
    options.throttle.slow_after = 1000;
    options.throttle.lock_after = 1000;
    server_ = std::make_unique<WebServer>(*dispatcher_, options);
    server_->start();
  }

  std::shared_ptr<SeatedObserver> observer_ = std::make_shared<SeatedObserver>();

  void TearDown() override {
    server_.reset();
    dispatcher_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  Browser browser() { return Browser(server_->port()); }
  Browser logged_in(const std::string& client, const std::string& user, const std::string& pw) {
    Browser b = browser();
    EXPECT_EQ(b.login(client, user, pw), 200) << client << "/" << user;
    return b;
  }

  // A log guid of the queue entry `internal_id` of client demo.
  std::string log_guid_of(const std::string& internal_id) {
    EntryQuery q;
    q.passenger_module = kPassenger1;
    for (const QueueEntry& e : dispatcher_->database().query_entries("demo", q)) {
      if (e.passenger.internal_id == internal_id && !e.passenger.log_guids.empty()) {
        return e.passenger.log_guids.front();
      }
    }
    ADD_FAILURE() << "entry " << internal_id << " has no log";
    return "";
  }

  // Fills the demo queue by driving demo_passenger_1 once; returns the
  // internal id of ID_1_1.
  std::string drive_demo() {
    dispatcher_->drive_now("demo", kPassenger1);
    EntryQuery q;
    q.passenger_module = kPassenger1;
    for (const QueueEntry& e : dispatcher_->database().query_entries("demo", q)) {
      if (e.passenger.external_id == "ID_1_1") return e.passenger.internal_id;
    }
    ADD_FAILURE() << "the demo drive seated no ID_1_1";
    return "";
  }

  std::filesystem::path dir_;
  std::unique_ptr<Dispatcher> dispatcher_;
  std::unique_ptr<WebServer> server_;
};

}  // namespace databus::web::testing
