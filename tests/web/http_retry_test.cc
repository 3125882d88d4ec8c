// Failing, waiting and quarantined entries in the pages and the API (docs/api.md
// "Retry"): the queue filters, the Passengers counts, the entry page's step
// fields, and a person's retry of one entry, one step or in bulk, each
// changing exactly the chosen steps and logging who did it.

#include <functional>
#include <map>
#include <regex>
#include <set>

#include <gmock/gmock.h>

#include "databus/uuid.h"
#include "web/web_test_support.h"

namespace databus::web::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kProcessor1[] = "databus.processor.demo.demo_processor_1";
constexpr char kProcessor2[] = "databus.processor.demo.demo_processor_2";
constexpr char kPusher1[] = "databus.pusher.demo.demo_pusher_1";
constexpr char kPusher2[] = "databus.pusher.demo.demo_pusher_2";

std::string csrf_of(const std::string& html) {
  std::smatch m;
  static const std::regex re("name=\"csrf\" value=\"([0-9a-f]{64})\"");
  return std::regex_search(html, m, re) ? m[1].str() : "";
}

void fail(StepState& s, int attempts, const std::string& error, bool quarantined,
          TimePoint next = {}) {
  s.attempts = attempts;
  s.last_error = error;
  s.quarantined = quarantined;
  s.next_attempt = next;
}

// Demo passenger 1's queue with one entry of each state (external ids):
//   Q1  pusher 1 quarantined ("HTTP 503 Service Unavailable")
//   Q2  pushers 1 ("HTTP 503 from the gateway") and 2 ("connection refused")
//       quarantined
//   P   processor 1 quarantined ("Disk full"), the steps after it incomplete
//   W   pusher 1 failed 3 times, waiting an hour ("timeout"), pusher 2 complete
//   F   pusher 1 failed once, due again ("timeout")
//   OK  complete
// failing: W, F; waiting: W; quarantined: Q1, Q2, P.
class RetryTest : public WebTest {
 protected:
  void SetUp() override {
    WebTest::SetUp();
    if (HasFatalFailure()) return;
    next_ =
        std::chrono::time_point_cast<std::chrono::seconds>(Clock::now() + std::chrono::hours(1));
    add("Q1", [](QueueEntry& e) {
      done_processors(e);
      fail(*e.pusher(kPusher1), 20, "HTTP 503 Service Unavailable", true);
      e.pusher(kPusher2)->status = StepStatus::complete;
    });
    add("Q2", [](QueueEntry& e) {
      done_processors(e);
      fail(*e.pusher(kPusher1), 20, "HTTP 503 from the gateway", true);
      fail(*e.pusher(kPusher2), 20, "connection refused", true);
    });
    add("P", [](QueueEntry& e) { fail(*e.processor(kProcessor1), 20, "Disk full", true); });
    add("W", [this](QueueEntry& e) {
      done_processors(e);
      fail(*e.pusher(kPusher1), 3, "timeout", false, next_);
      e.pusher(kPusher2)->status = StepStatus::complete;  // Else the entry is due for it.
    });
    add("F", [](QueueEntry& e) {
      done_processors(e);
      fail(*e.pusher(kPusher1), 1, "timeout", false, Clock::now() - std::chrono::minutes(1));
    });
    add("OK", [](QueueEntry& e) { e.complete_all_steps(); });
  }

  static void done_processors(QueueEntry& e) {
    for (StepState& s : e.processor_statuses) s.status = StepStatus::complete;
  }

  void add(const std::string& external_id, const std::function<void(QueueEntry&)>& shape,
           const std::string& client = "demo") {
    Passenger p;
    p.external_id = external_id;
    p.internal_id = new_uuid();
    p.source_system = "test";
    p.passenger_module = kPassenger1;
    p.puller_module = "databus.puller.demo.demo_puller_1";
    p.pull_datetime = Clock::now();
    QueueEntry e = QueueEntry::seat(p, {kProcessor1, kProcessor2}, {kPusher1, kPusher2});
    shape(e);
    dispatcher_->database().insert_entries(client, std::span<const QueueEntry>(&e, 1));
    ids_[external_id] = p.internal_id;
  }

  QueueEntry stored(const std::string& external_id, const std::string& client = "demo") {
    return *dispatcher_->database().load_entry(client, ids_.at(external_id));
  }
  // Every step of every entry, for comparing before and after.
  std::map<std::string, QueueEntry> all_stored() {
    std::map<std::string, QueueEntry> out;
    for (const auto& [external_id, id] : ids_) out[external_id] = stored(external_id);
    return out;
  }

  std::string entry_path(const std::string& external_id) {
    return "/api/v1/clients/demo/queue/" + ids_.at(external_id);
  }

  // The text of the newest log of `client`.
  std::string newest_log(const std::string& client = "demo") {
    const std::vector<LogSummary> logs = dispatcher_->database().list_logs(client);
    if (logs.empty()) return "";
    return dispatcher_->database().read_log(client, logs.front().guid)->to_text();
  }

  json get_json(Browser& b, const std::string& path) {
    auto res = b.get(path);
    EXPECT_TRUE(res) << path;
    if (!res) return json();
    EXPECT_EQ(res->status, 200) << path << res->body;
    return json::parse(res->body);
  }

  TimePoint next_{};
  std::map<std::string, std::string> ids_;
};

bool reset(const StepState& s) {
  return s.attempts == 0 && s.last_error.empty() && !s.quarantined && s.next_attempt == TimePoint{};
}

TEST_F(RetryTest, QueueFiltersByFailingWaitingAndQuarantined) {
  Browser b = logged_in("demo", "viewer", "viewer-pass");
  const std::string base = "/api/v1/clients/demo/queue?passenger=" + std::string(kPassenger1);
  const auto ids_of = [&](const std::string& filter) {
    std::set<std::string> out;
    const json page = get_json(b, base + "&filter=" + filter);
    for (const json& e : page["entries"]) {
      out.insert(e["external_id"].get<std::string>());
    }
    return out;
  };
  EXPECT_EQ(ids_of("failing"), (std::set<std::string>{"W", "F"}));
  EXPECT_EQ(ids_of("waiting"), (std::set<std::string>{"W"}));
  EXPECT_EQ(ids_of("quarantined"), (std::set<std::string>{"Q1", "Q2", "P"}));
  EXPECT_EQ(get_json(b, base + "&filter=quarantined")["total"], 3);
  const json q1 = get_json(b, base + "&search=Q1")["entries"][0];
  EXPECT_EQ(q1["quarantined"], true);
  EXPECT_EQ(q1["failing"], false);
  auto bogus = b.get(base + "&filter=dead");
  ASSERT_TRUE(bogus);
  EXPECT_EQ(bogus->status, 400);
  EXPECT_THAT(bogus->body, HasSubstr("failing, waiting or quarantined"));

  auto page = b.get("/c/demo/queue?passenger=" + std::string(kPassenger1) + "&filter=quarantined");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_THAT(page->body, HasSubstr("<option value=\"quarantined\" selected>"));
  EXPECT_THAT(page->body, HasSubstr("id=\"retry-quarantined\""));  // Operators may retry.
  EXPECT_THAT(page->body, HasSubstr(">Q2</a>"));
  EXPECT_THAT(page->body, Not(HasSubstr(">W</a>")));
  EXPECT_THAT(page->body, HasSubstr("badge-quarantined"));
  auto failing = b.get("/c/demo/queue?passenger=" + std::string(kPassenger1) + "&filter=failing");
  ASSERT_TRUE(failing);
  EXPECT_THAT(failing->body, HasSubstr(">W</a>"));
  EXPECT_THAT(failing->body, HasSubstr("badge-failing"));
  EXPECT_THAT(failing->body, Not(HasSubstr("id=\"retry-quarantined\"")));
}

TEST_F(RetryTest, PassengersShowFailingAndQuarantinedCountsLinkingToTheQueue) {
  Browser b = logged_in("demo", "viewer", "viewer-pass");
  const json data = get_json(b, "/api/v1/clients/demo/passengers");
  ASSERT_EQ(data["passengers"][0]["passenger"], kPassenger1);
  EXPECT_EQ(data["passengers"][0]["failing"], 2);
  EXPECT_EQ(data["passengers"][0]["quarantined"], 3);
  EXPECT_EQ(data["passengers"][1]["failing"], 0);
  EXPECT_EQ(data["passengers"][1]["quarantined"], 0);

  auto page = b.get("/c/demo/passengers");
  ASSERT_TRUE(page);
  const std::string link = "href=\"/c/demo/queue?passenger=" + std::string(kPassenger1) +
                           "&amp;filter=quarantined\"><span class=\"badge badge-quarantined\">"
                           "quarantined</span> 3</a>";
  EXPECT_THAT(page->body, HasSubstr(link));
  EXPECT_THAT(page->body, HasSubstr("&amp;filter=failing\"><span class=\"badge badge-failing\">"
                                    "failing</span> 2</a>"));
}

TEST_F(RetryTest, EntryShowsAttemptsLastErrorNextAttemptAndQuarantine) {
  Browser b = logged_in("demo", "viewer", "viewer-pass");
  const json w = get_json(b, entry_path("W"));
  EXPECT_EQ(w["pusher_statuses"][0]["attempts"], 3);
  EXPECT_EQ(w["pusher_statuses"][0]["last_error"], "timeout");
  EXPECT_EQ(w["pusher_statuses"][0]["next_attempt"], to_iso(next_));
  EXPECT_EQ(w["pusher_statuses"][0]["quarantined"], false);
  EXPECT_TRUE(w["pusher_statuses"][1]["next_attempt"].is_null());  // Never failed.
  EXPECT_EQ(get_json(b, entry_path("Q1"))["pusher_statuses"][0]["quarantined"], true);

  auto waiting = b.get("/c/demo/queue/" + ids_.at("W"));
  ASSERT_TRUE(waiting);
  EXPECT_THAT(waiting->body, HasSubstr("<th>Next attempt</th>"));
  const std::string iso = to_iso(next_);
  const std::string shown = iso.substr(0, 10) + " " + iso.substr(11, 8) + " UTC";
  EXPECT_THAT(waiting->body, HasSubstr(">" + shown + "<"));
  EXPECT_THAT(waiting->body, HasSubstr("<td>3</td><td>timeout</td>"));
  EXPECT_THAT(waiting->body, HasSubstr("Retry failed steps"));

  auto quarantined = b.get("/c/demo/queue/" + ids_.at("Q1"));
  ASSERT_TRUE(quarantined);
  EXPECT_THAT(quarantined->body, HasSubstr("badge-quarantined"));
  EXPECT_THAT(quarantined->body, HasSubstr("only when retried"));
  EXPECT_THAT(quarantined->body, HasSubstr("HTTP 503 Service Unavailable"));
  // One step button: pusher 1's (pusher 2 is complete).
  EXPECT_THAT(quarantined->body, HasSubstr("name=\"module\" value=\"" + std::string(kPusher1)));
  EXPECT_THAT(quarantined->body, Not(HasSubstr("name=\"module\" value=\"" + std::string(kPusher2) +
                                               "\"><button type=\"submit\" class=\"retry-step\"")));

  auto complete = b.get("/c/demo/queue/" + ids_.at("OK"));
  ASSERT_TRUE(complete);
  EXPECT_THAT(complete->body, Not(HasSubstr("Retry")));
}

// An operator retries one entry from its page: every failed step of it is
// reset, nothing else, and the log names the operator.
TEST_F(RetryTest, RetryOfOneEntryFromThePageResetsEveryFailedStepAndLogsWho) {
  const std::map<std::string, QueueEntry> before = all_stored();
  Browser b = logged_in("demo", "viewer", "viewer-pass");
  auto page = b.get("/c/demo/queue/" + ids_.at("Q2"));
  ASSERT_TRUE(page);
  const std::string csrf = csrf_of(page->body);
  ASSERT_FALSE(csrf.empty());
  auto posted = b.post_form("/c/demo/queue/" + ids_.at("Q2") + "/retry", {{"csrf", csrf}});
  ASSERT_TRUE(posted);
  EXPECT_EQ(posted->status, 303) << posted->body;

  const QueueEntry q2 = stored("Q2");
  EXPECT_TRUE(reset(*q2.pusher(kPusher1)));
  EXPECT_TRUE(reset(*q2.pusher(kPusher2)));
  EXPECT_EQ(q2.pusher(kPusher1)->status, StepStatus::incomplete);
  EXPECT_EQ(q2.processor_statuses, before.at("Q2").processor_statuses);
  for (const auto& [external_id, entry] : before) {
    if (external_id == "Q2") continue;
    EXPECT_EQ(stored(external_id), entry) << external_id;
  }
  const std::string log = newest_log();
  EXPECT_THAT(log, HasSubstr("viewer@demo retried pusher " + std::string(kPusher1)));
  EXPECT_THAT(log, HasSubstr("viewer@demo retried pusher " + std::string(kPusher2)));
  EXPECT_THAT(log, HasSubstr("last error: connection refused"));
  EXPECT_THAT(log, HasSubstr("retried 2 step(s) of 1 entry"));
  ASSERT_FALSE(q2.passenger.log_guids.empty());
  EXPECT_EQ(q2.passenger.log_guids.back(), dispatcher_->database().list_logs("demo")[0].guid);

  auto after = b.get("/c/demo/queue/" + ids_.at("Q2"));
  ASSERT_TRUE(after);
  EXPECT_THAT(after->body, HasSubstr("Retried 2 step(s) of 1 entry"));  // Flash message.
  // Nothing left to retry: refused, nothing written.
  const std::size_t logs = dispatcher_->database().list_logs("demo").size();
  auto again = b.post_form("/c/demo/queue/" + ids_.at("Q2") + "/retry", {{"csrf", csrf}});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 409);
  EXPECT_EQ(dispatcher_->database().list_logs("demo").size(), logs);
  auto no_csrf = b.post_form("/c/demo/queue/" + ids_.at("W") + "/retry", {});
  ASSERT_TRUE(no_csrf);
  EXPECT_EQ(no_csrf->status, 403);
  EXPECT_EQ(stored("W"), before.at("W"));
}

TEST_F(RetryTest, RetryOfOneStepThroughTheApiResetsOnlyThatStep) {
  const std::map<std::string, QueueEntry> before = all_stored();
  Browser b = browser();
  b.bearer = "demo-token";  // The administrator's token.
  auto res = b.post(entry_path("Q2") + "/retry", {{"step", "pusher"}, {"module", kPusher2}});
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  const json out = json::parse(res->body);
  EXPECT_EQ(out["retried_steps"], 1);
  EXPECT_EQ(out["retried_entries"], 1);
  EXPECT_EQ(out["entry"]["pusher_statuses"][1]["attempts"], 0);
  EXPECT_EQ(out["log_guid"], dispatcher_->database().list_logs("demo")[0].guid);

  const QueueEntry q2 = stored("Q2");
  EXPECT_TRUE(reset(*q2.pusher(kPusher2)));
  EXPECT_EQ(*q2.pusher(kPusher1), *before.at("Q2").pusher(kPusher1));  // Still quarantined.
  for (const auto& [external_id, entry] : before) {
    if (external_id == "Q2") continue;
    EXPECT_EQ(stored(external_id), entry) << external_id;
  }
  EXPECT_THAT(newest_log(), HasSubstr("demo@demo retried pusher " + std::string(kPusher2) +
                                      " of passenger test - Q2"));

  // The processor of P, through the same endpoint.
  auto processor =
      b.post(entry_path("P") + "/retry", {{"step", "processor"}, {"module", kProcessor1}});
  ASSERT_TRUE(processor);
  EXPECT_EQ(processor->status, 200) << processor->body;
  EXPECT_TRUE(reset(*stored("P").processor(kProcessor1)));

  EXPECT_EQ(
      b.status_of_post(entry_path("Q1") + "/retry", {{"step", "pusher"}, {"module", kPusher2}}),
      409);  // Complete.
  EXPECT_EQ(b.status_of_post(entry_path("Q1") + "/retry", {{"step", "pusher"}, {"module", "nope"}}),
            404);
  EXPECT_EQ(b.status_of_post(entry_path("Q1") + "/retry", {{"step", "notified"}, {"module", "x"}}),
            400);
  EXPECT_EQ(b.status_of_post(entry_path("Q1") + "/retry", {{"module", kPusher1}}), 400);
  EXPECT_EQ(b.status_of_post("/api/v1/clients/demo/queue/not-a-uuid/retry"), 400);
  EXPECT_EQ(b.status_of_post("/api/v1/clients/demo/queue/" + new_uuid() + "/retry"), 404);
  EXPECT_EQ(*stored("Q1").pusher(kPusher1), *before.at("Q1").pusher(kPusher1));
}

TEST_F(RetryTest, BulkRetryPicksQuarantinedStepsByModuleAndErrorText) {
  const std::map<std::string, QueueEntry> before = all_stored();
  Browser b = logged_in("demo", "viewer", "viewer-pass");
  const std::string bulk = "/api/v1/clients/demo/queue/retry-quarantined";
  auto by_module = b.post(bulk, {{"passenger", kPassenger1}, {"module", kPusher1}});
  ASSERT_TRUE(by_module);
  ASSERT_EQ(by_module->status, 200) << by_module->body;
  EXPECT_EQ(json::parse(by_module->body)["retried_entries"], 2);
  EXPECT_EQ(json::parse(by_module->body)["retried_steps"], 2);
  EXPECT_TRUE(reset(*stored("Q1").pusher(kPusher1)));
  EXPECT_TRUE(reset(*stored("Q2").pusher(kPusher1)));
  EXPECT_EQ(*stored("Q2").pusher(kPusher2), *before.at("Q2").pusher(kPusher2));  // Other module.
  for (const char* untouched : {"P", "W", "F", "OK"}) {
    EXPECT_EQ(stored(untouched), before.at(untouched)) << untouched;
  }
  std::string log = newest_log();
  EXPECT_THAT(log, HasSubstr("viewer@demo retried 2 step(s) of 2 entries"));
  EXPECT_THAT(log, HasSubstr("every quarantined step of " + std::string(kPusher1)));

  // From the queue page: by error text, in any case.
  auto page = b.get("/c/demo/queue?passenger=" + std::string(kPassenger1) + "&filter=quarantined");
  ASSERT_TRUE(page);
  auto by_error = b.post_form("/c/demo/queue/retry-quarantined", {{"csrf", csrf_of(page->body)},
                                                                  {"passenger", kPassenger1},
                                                                  {"module", ""},
                                                                  {"error_contains", "DISK"}});
  ASSERT_TRUE(by_error);
  EXPECT_EQ(by_error->status, 303) << by_error->body;
  EXPECT_THAT(by_error->get_header_value("Location"), HasSubstr("filter=quarantined"));
  const QueueEntry p = stored("P");
  EXPECT_TRUE(reset(*p.processor(kProcessor1)));
  EXPECT_EQ(p.pusher_statuses, before.at("P").pusher_statuses);
  EXPECT_EQ(*stored("Q2").pusher(kPusher2), *before.at("Q2").pusher(kPusher2));
  log = newest_log();
  EXPECT_THAT(log, HasSubstr("viewer@demo retried processor " + std::string(kProcessor1) +
                             " of passenger test - P"));
  EXPECT_THAT(log, HasSubstr("whose last error contains \"DISK\""));

  // Nothing matches: nothing changes, no log.
  const std::size_t logs = dispatcher_->database().list_logs("demo").size();
  auto none = b.post(bulk, {{"passenger", kPassenger1}, {"error_contains", "no such error"}});
  ASSERT_TRUE(none);
  EXPECT_EQ(json::parse(none->body)["retried_entries"], 0);
  EXPECT_EQ(dispatcher_->database().list_logs("demo").size(), logs);
  EXPECT_EQ(b.status_of_post(bulk, {{"passenger", "no.such"}}), 404);
  EXPECT_EQ(b.status_of_post(bulk, json::object()), 400);
  EXPECT_EQ(b.status_of_post(bulk, {{"passenger", kPassenger1}, {"module", 3}}), 400);
}

// Retry follows the client's rules: another client's user is refused as for
// other pages, nobody logged in too; a client without users lets anyone.
TEST_F(RetryTest, RetryFollowsTheRightsOfTheClient) {
  Database& db = dispatcher_->database();
  ClientConfig acme = db.load_client("demo");
  acme.id = "acme";
  acme.users = {User{"alice", "alice-pass", "alice-token", Role::administrator}};
  db.write_client_config_text("acme", acme.to_json().dump(2));
  const std::map<std::string, QueueEntry> before = all_stored();

  Browser alice = logged_in("acme", "alice", "alice-pass");
  EXPECT_EQ(alice.status_of_post(entry_path("Q1") + "/retry"), 403);
  EXPECT_EQ(alice.status_of_post("/api/v1/clients/demo/queue/retry-quarantined",
                                 {{"passenger", kPassenger1}}),
            403);
  auto form = alice.post_form("/c/demo/queue/" + ids_.at("Q1") + "/retry", {{"csrf", alice.csrf}});
  ASSERT_TRUE(form);
  EXPECT_EQ(form->status, 403);
  Browser nobody = browser();
  EXPECT_EQ(nobody.status_of_post(entry_path("Q1") + "/retry"), 401);
  EXPECT_EQ(all_stored(), before);

  // Client open has no users: its anonymous user retries (JSON API call).
  ClientConfig open = db.load_client("demo");
  open.id = "open";
  open.users.clear();
  db.write_client_config_text("open", open.to_json().dump(2));
  add(
      "OPEN", [](QueueEntry& e) { fail(*e.processor(kProcessor1), 20, "Disk full", true); },
      "open");
  auto anonymous = nobody.post("/api/v1/clients/open/queue/" + ids_.at("OPEN") + "/retry");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 200) << anonymous->body;
  EXPECT_TRUE(reset(*stored("OPEN", "open").processor(kProcessor1)));
  EXPECT_THAT(newest_log("open"), HasSubstr("the anonymous user of client open retried processor"));
}

}  // namespace
}  // namespace databus::web::testing
