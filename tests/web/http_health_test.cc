// Puller health in the pages and the API (docs/api.md "Puller health",
// docs/configuration.md "Puller health"): the Passengers page's badges and
// GET /api/v1/health's values and summary, from health records written by
// hand (old times make a puller stale) and by drives of a puller that fails;
// an unreadable record; and who sees which client.

#include <atomic>
#include <chrono>

#include <gmock/gmock.h>

#include "databus/database_wrapper.h"
#include "databus/puller_health.h"
#include "storage/memory/memory_database.h"
#include "web/page_layout.h"
#include "web/web_test_support.h"

namespace databus::web::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kPassenger2[] = "databus.passenger.demo.demo_passenger_2";
constexpr char kBinary[] = "databus.passenger.demo.demo_binary_passenger";
constexpr char kPuller1[] = "databus.puller.demo.demo_puller_1";
constexpr char kPuller2[] = "databus.puller.demo.demo_puller_2";
constexpr char kPuller3[] = "databus.puller.demo.demo_puller_3";
constexpr char kBinaryPuller[] = "databus.puller.demo.demo_binary_puller";
constexpr char kOtherPuller[] = "databus.puller.demo.demo_puller_1";
constexpr char kInbox[] = "databus.passenger.generic.inbox";
// With a "<b>" so that the page must escape it.
constexpr char kMailboxError[] = "mailbox: password <b>rejected</b>";

TimePoint ago(Clock::duration d) {
  return std::chrono::time_point_cast<std::chrono::seconds>(Clock::now() - d);
}

// demo's health records:
//   passenger 1: puller 1 failing (4 failed pulls), puller 3 ok
//   passenger 2: puller 2 stale (no success for 10 days, 1 failed pull)
//   binary passenger: none (never pulled)
// and client other (user other/other-pass), passenger 2: its puller ok.
class HealthTest : public WebTest {
 protected:
  void SetUp() override {
    WebTest::SetUp();
    if (HasFatalFailure()) return;
    Database& db = dispatcher_->database();
    PullerHealth failing;
    failing.last_attempt = ago(std::chrono::minutes(1));
    failing.last_success = ago(std::chrono::hours(2));
    failing.first_failure = ago(std::chrono::hours(1));
    failing.consecutive_failures = 4;
    failing.last_error = kMailboxError;
    PullerHealth ok;
    ok.last_attempt = ok.last_success = ago(std::chrono::minutes(1));
    PullerHealth stale;
    stale.last_attempt = stale.first_failure = ago(std::chrono::minutes(2));
    stale.last_success = ago(days(10));
    stale.consecutive_failures = 1;
    stale.last_error = "HTTP 503";
    failing_ = failing;
    stale_ = stale;
    db.write_passenger_state("demo", kPassenger1, kPullerHealthState,
                             encode_puller_health({{kPuller1, failing}, {kPuller3, ok}}));
    db.write_passenger_state("demo", kPassenger2, kPullerHealthState,
                             encode_puller_health({{kPuller2, stale}}));

    ClientConfig other;
    other.id = "other";
    ClientPassenger p;
    p.name = kPassenger2;
    p.pullers.push_back({kOtherPuller});
    other.passengers.push_back(p);
    other.users.push_back(User{"other", "other-pass", "other-token", Role::administrator});
    db.write_client_config_text("other", other.to_json().dump(2));
    db.write_passenger_state("other", kPassenger2, kPullerHealthState,
                             encode_puller_health({{kOtherPuller, ok}}));
  }

  // GET `path` as `b`; the JSON body of a 200 (else a failure and null).
  static json get_json(Browser& b, const std::string& path) {
    auto res = b.get(path);
    if (!res) {
      ADD_FAILURE() << path << ": no answer";
      return json();
    }
    EXPECT_EQ(res->status, 200) << path << ": " << res->body;
    return res->status == 200 ? json::parse(res->body) : json();
  }

  static const json& client_of(const json& health, const std::string& id) {
    for (const json& c : health["clients"]) {
      if (c["client_id"] == id) return c;
    }
    ADD_FAILURE() << "no client " << id << " in " << health.dump();
    static const json none = json::object();
    return none;
  }

  static json puller_of(const json& client, const std::string& passenger,
                        const std::string& module) {
    for (const json& p : client["passengers"]) {
      if (p["passenger"] != passenger) continue;
      for (const json& puller : p["pullers"]) {
        if (puller["module"] == module) return puller;
      }
    }
    ADD_FAILURE() << "no puller " << module << " of " << passenger << " in " << client.dump();
    return json::object();
  }

  static std::vector<std::string> client_ids(const json& health) {
    std::vector<std::string> ids;
    for (const json& c : health["clients"]) ids.push_back(c["client_id"]);
    return ids;
  }

  PullerHealth failing_;
  PullerHealth stale_;
};

TEST_F(HealthTest, ApiGivesEachPullersStateTimesAndSummary) {
  Browser b = logged_in("demo", "viewer", "viewer-pass");
  const json health = get_json(b, "/api/v1/health");
  ASSERT_TRUE(health.is_object());
  EXPECT_TRUE(health["checked_at"].is_string());
  const json& demo = client_of(health, "demo");

  const json failing = puller_of(demo, kPassenger1, kPuller1);
  EXPECT_EQ(failing["state"], "failing");
  EXPECT_EQ(failing["consecutive_failures"], 4);
  EXPECT_EQ(failing["last_error"], kMailboxError);
  EXPECT_EQ(failing["last_attempt"], to_iso(failing_.last_attempt));
  EXPECT_EQ(failing["last_success"], to_iso(failing_.last_success));
  EXPECT_EQ(failing["first_failure"], to_iso(failing_.first_failure));
  EXPECT_FALSE(failing.contains("error"));

  const json ok = puller_of(demo, kPassenger1, kPuller3);
  EXPECT_EQ(ok["state"], "ok");
  EXPECT_EQ(ok["consecutive_failures"], 0);
  EXPECT_TRUE(ok["last_error"].is_null());
  EXPECT_TRUE(ok["first_failure"].is_null());

  const json stale = puller_of(demo, kPassenger2, kPuller2);
  EXPECT_EQ(stale["state"], "stale");
  EXPECT_EQ(stale["last_success"], to_iso(stale_.last_success));
  EXPECT_EQ(stale["consecutive_failures"], 1);
  EXPECT_EQ(stale["last_error"], "HTTP 503");

  const json never = puller_of(demo, kBinary, kBinaryPuller);
  EXPECT_EQ(never["state"], "unknown");
  EXPECT_TRUE(never["last_attempt"].is_null());
  EXPECT_TRUE(never["last_success"].is_null());
  EXPECT_EQ(never["consecutive_failures"], 0);

  // The stale time the state was judged by: at least 5 minutes.
  for (const json& p : demo["passengers"]) {
    EXPECT_GE(p["stale_after_seconds"].get<long long>(), 300) << p.dump();
    EXPECT_GE(p["stale_after_seconds"].get<long long>(), 3 * p["interval_seconds"].get<long long>())
        << p.dump();
  }

  const json& summary = health["summary"];
  EXPECT_EQ(summary["clients"], 1);
  EXPECT_EQ(summary["passengers"], 3);
  EXPECT_EQ(summary["pullers"], 4);
  EXPECT_EQ(summary["ok"], 1);
  EXPECT_EQ(summary["failing"], 1);
  EXPECT_EQ(summary["stale"], 1);
  EXPECT_EQ(summary["unknown"], 1);
  EXPECT_EQ(summary["unreadable"], 0);
  EXPECT_EQ(summary["unhealthy"], 2);
  EXPECT_EQ(summary["healthy"], false);
}

TEST_F(HealthTest, HealthyWhenNoPullerFailsOrIsStale) {
  // other's only puller is ok.
  Browser b = logged_in("other", "other", "other-pass");
  const json health = get_json(b, "/api/v1/health");
  EXPECT_EQ(client_ids(health), std::vector<std::string>{"other"});
  EXPECT_EQ(health["summary"]["ok"], 1);
  EXPECT_EQ(health["summary"]["unhealthy"], 0);
  EXPECT_EQ(health["summary"]["healthy"], true);
}

TEST_F(HealthTest, PassengersPageShowsABadgePerPuller) {
  Browser b = logged_in("demo", "viewer", "viewer-pass");
  auto res = b.get("/c/demo/passengers");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  const std::string& html = res->body;
  EXPECT_THAT(html, HasSubstr("<th>Pullers</th>"));
  EXPECT_THAT(html, HasSubstr("class=\"badge health health-failing\""));
  EXPECT_THAT(html, HasSubstr("class=\"badge health health-stale\""));
  EXPECT_THAT(html, HasSubstr("class=\"badge health health-ok\""));
  EXPECT_THAT(html, HasSubstr(">never pulled</span> <span class=\"mono puller-module\">" +
                              std::string(kBinaryPuller)));
  // The failing puller's small line: failures, last success, the error
  // escaped; its title has the times.
  EXPECT_THAT(html, HasSubstr("4 failed pulls in a row; last success " +
                              display_time(to_iso(failing_.last_success)) +
                              ": mailbox: password &lt;b&gt;rejected&lt;/b&gt;"));
  EXPECT_THAT(html, Not(HasSubstr("<b>rejected")));
  EXPECT_THAT(html, HasSubstr("Last pull: " + display_time(to_iso(failing_.last_attempt))));
  EXPECT_THAT(html, HasSubstr("no success since " + display_time(to_iso(stale_.last_success)) +
                              ": HTTP 503"));
  // The stylesheet tells failing (red) from stale (amber).
  auto css = b.get("/assets/style.css");
  ASSERT_TRUE(css);
  EXPECT_THAT(css->body, HasSubstr(".badge.health-stale { background:#fff5e0"));
  EXPECT_THAT(css->body, HasSubstr(".badge.health-failing, .badge.health-unreadable { "
                                   "background:#fdecea"));
}

TEST_F(HealthTest, UnreadableRecordIsReportedForItsPassengerOnly) {
  dispatcher_->database().write_passenger_state("demo", kPassenger2, kPullerHealthState,
                                                R"({"databus.puller.demo.demo_puller_2": 7})");
  Browser b = logged_in("demo", "demo", "demo");
  const json health = get_json(b, "/api/v1/health");
  const json& demo = client_of(health, "demo");
  const json broken = puller_of(demo, kPassenger2, kPuller2);
  EXPECT_EQ(broken["state"], "unknown");
  ASSERT_TRUE(broken["error"].is_string());
  EXPECT_THAT(broken["error"].get<std::string>(), HasSubstr("malformed"));
  EXPECT_THAT(broken["error"].get<std::string>(), HasSubstr(kPuller2));
  for (const json& p : demo["passengers"]) {
    EXPECT_EQ(p.contains("error"), p["passenger"] == kPassenger2) << p.dump();
  }
  // The other passengers' records are read as before.
  EXPECT_EQ(puller_of(demo, kPassenger1, kPuller1)["state"], "failing");
  EXPECT_EQ(health["summary"]["unreadable"], 1);
  EXPECT_EQ(health["summary"]["stale"], 0);
  EXPECT_EQ(health["summary"]["unhealthy"], 2);  // failing + unreadable

  auto page = b.get("/c/demo/passengers");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_THAT(page->body, HasSubstr("class=\"badge health health-unreadable\""));
  EXPECT_THAT(page->body, HasSubstr("the puller health record is malformed"));
}

TEST_F(HealthTest, ClientUsersSeeTheirClientRootSeesEvery) {
  Browser demo = logged_in("demo", "viewer", "viewer-pass");
  EXPECT_EQ(client_ids(get_json(demo, "/api/v1/health")), std::vector<std::string>{"demo"});
  Browser other = browser();
  other.bearer = "other-token";
  const json theirs = get_json(other, "/api/v1/health");
  EXPECT_EQ(client_ids(theirs), std::vector<std::string>{"other"});
  EXPECT_THAT(theirs.dump(), Not(HasSubstr("password")));  // Nothing of demo's.

  const std::vector<std::string> every{"demo", "open", "other", "root"};
  for (const auto& [user, password] :
       {std::pair{"root", "root"}, std::pair{"rootview", "rootview-pass"}}) {
    Browser root = logged_in("root", user, password);
    const json all = get_json(root, "/api/v1/health");
    EXPECT_EQ(client_ids(all), every) << user;
    EXPECT_EQ(all["summary"]["clients"], 4) << user;
    EXPECT_EQ(all["summary"]["failing"], 1) << user;
    EXPECT_EQ(all["summary"]["stale"], 1) << user;
    EXPECT_EQ(all["summary"]["ok"], 2) << user;  // demo's puller 3, other's.
    EXPECT_EQ(puller_of(client_of(all, "other"), kPassenger2, kOtherPuller)["state"], "ok");
    // Narrowed to one client.
    EXPECT_EQ(client_ids(get_json(root, "/api/v1/health?client=other")),
              std::vector<std::string>{"other"});
  }
}

TEST_F(HealthTest, ClientParameterFollowsTheRulesOfTheClientsRoutes) {
  Browser demo = logged_in("demo", "viewer", "viewer-pass");
  EXPECT_EQ(demo.status_of_get("/api/v1/health?client=other"), 403);
  EXPECT_EQ(demo.status_of_get("/api/v1/health?client=nope"), 403);
  EXPECT_EQ(demo.status_of_get("/api/v1/health?client=../x"), 400);
  EXPECT_EQ(client_ids(get_json(demo, "/api/v1/health?client=demo")),
            std::vector<std::string>{"demo"});

  Browser nobody = browser();
  EXPECT_EQ(nobody.status_of_get("/api/v1/health"), 401);
  EXPECT_EQ(nobody.status_of_get("/api/v1/health?client=demo"), 401);
  // A client without users has authentication off.
  EXPECT_EQ(client_ids(get_json(nobody, "/api/v1/health?client=open")),
            std::vector<std::string>{"open"});
  Browser forged = browser();
  forged.bearer = "not-a-token";
  auto res = forged.get("/api/v1/health");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);
  EXPECT_EQ(json::parse(res->body)["error"], "invalid bearer token");
}

TEST_F(HealthTest, DrivenPullerOnAMissingFolderTurnsFailing) {
  Database& db = dispatcher_->database();
  json config = json::parse(db.read_client_config_text("demo"));
  config["host_access"] = {{"directories", json::array({dir_.string()})}};
  config["passengers"].push_back(
      {{"name", kInbox},
       {"pullers", json::array({{{"module", "databus.puller.directory"},
                                 {"path", (dir_ / "missing").string()},
                                 {"done_path", (dir_ / "done").string()}}})}});
  db.write_client_config_text("demo", config.dump(2));
  Browser b = logged_in("demo", "viewer", "viewer-pass");

  dispatcher_->drive_now("demo", kInbox);
  json puller = puller_of(client_of(get_json(b, "/api/v1/health"), "demo"), kInbox,
                          "databus.puller.directory");
  EXPECT_EQ(puller["state"], "ok");  // One failure is not failing yet.
  EXPECT_EQ(puller["consecutive_failures"], 1);
  EXPECT_TRUE(puller["last_success"].is_null());

  dispatcher_->drive_now("demo", kInbox);
  dispatcher_->drive_now("demo", kInbox);
  const json health = get_json(b, "/api/v1/health");
  puller = puller_of(client_of(health, "demo"), kInbox, "databus.puller.directory");
  EXPECT_EQ(puller["state"], "failing");
  EXPECT_EQ(puller["consecutive_failures"], 3);
  ASSERT_TRUE(puller["last_error"].is_string());
  EXPECT_THAT(puller["last_error"].get<std::string>(), HasSubstr("missing"));
  EXPECT_TRUE(puller["last_attempt"].is_string());
  EXPECT_EQ(health["summary"]["failing"], 2);

  auto page = b.get("/c/demo/passengers");
  ASSERT_TRUE(page);
  EXPECT_THAT(page->body, HasSubstr("3 failed pulls in a row; last success never"));
}

// A store whose puller health records cannot be read while `broken`, with a
// message naming a path, as an engine's CorruptDataError does.
class UnreadableHealthDatabase : public DatabaseWrapper {
 public:
  using DatabaseWrapper::DatabaseWrapper;
  std::optional<std::string> read_passenger_state(const std::string& client_id,
                                                  const std::string& passenger,
                                                  const std::string& name) override {
    if (broken && name == kPullerHealthState) {
      throw CorruptDataError("/srv/secret/store/health.json", "bad bytes");
    }
    return DatabaseWrapper::read_passenger_state(client_id, passenger, name);
  }
  std::atomic<bool> broken{false};
};

TEST(HealthStoreTest, AStoreThatCannotReadTheRecordIsNoServerError) {
  UnreadableHealthDatabase* db = nullptr;  // Owned by the dispatcher.
  DispatcherTicket ticket;
  ticket.run_web_server = false;
  ticket.workers = 1;
  ticket.database_factory = [&db](const std::string&, const DatabaseEnv&) {
    auto made = std::make_unique<UnreadableHealthDatabase>(std::make_unique<MemoryDatabase>());
    db = made.get();
    return std::unique_ptr<Database>(std::move(made));
  };
  Dispatcher dispatcher(std::move(ticket));
  WebOptions options;
  options.allow_default_passwords = true;  // The tests log in as root/root, demo/demo.
  options.port = 0;
  WebServer server(dispatcher, options);
  server.start();
  ASSERT_NE(db, nullptr);
  db->broken = true;

  Browser b(server.port());
  ASSERT_EQ(b.login("demo", "demo", "demo"), 200);
  auto res = b.get("/api/v1/health");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_THAT(res->body, Not(HasSubstr("/srv/secret")));  // The store's detail stays in the log.
  const json health = json::parse(res->body);
  EXPECT_EQ(health["summary"]["unreadable"], 3);  // Each of demo's passenger types.
  EXPECT_EQ(health["summary"]["healthy"], false);
  for (const json& p : health["clients"][0]["passengers"]) {
    EXPECT_THAT(p["error"].get<std::string>(), HasSubstr("cannot be read"));
    for (const json& puller : p["pullers"]) EXPECT_EQ(puller["state"], "unknown");
  }
  auto page = b.get("/c/demo/passengers");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_THAT(page->body, HasSubstr("health-unreadable"));
  EXPECT_THAT(page->body, Not(HasSubstr("/srv/secret")));

  db->broken = false;
  res = b.get("/api/v1/health");
  ASSERT_TRUE(res);
  EXPECT_EQ(json::parse(res->body)["summary"]["unreadable"], 0);
}

}  // namespace
}  // namespace databus::web::testing
