// What the API does: queue listing, status flips, customizing with backups,
// passwords, logs, peek, expedite.

#include <gmock/gmock.h>

#include "web/web_test_support.h"

namespace databus::web::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

json get_json(Browser& b, const std::string& path) {
  auto res = b.get(path);
  EXPECT_TRUE(res) << path;
  if (!res) return json();
  EXPECT_EQ(res->status, 200) << path << res->body;
  return json::parse(res->body);
}

TEST_F(WebTest, QueueIsPaginatedSortedAndSearchedOnTheServer) {
  dispatcher_->drive_now("demo", kPassenger1);
  dispatcher_->drive_now("demo", kPassenger1);  // Deduplicated: still three entries.
  Browser b = logged_in("demo", "demo", "demo");
  const std::string base = "/api/v1/clients/demo/queue?passenger=" + std::string(kPassenger1);
  const json all = get_json(b, base);
  EXPECT_EQ(all["total"], 3);  // ID_1_1 and ID_1_2 of puller 1, ID_3_1 of puller 3.
  const json page = get_json(b, base + "&limit=1&offset=1&order=oldest");
  EXPECT_EQ(page["total"], 3);
  ASSERT_EQ(page["entries"].size(), 1u);
  const json first = get_json(b, base + "&limit=1&order=oldest");
  EXPECT_NE(first["entries"][0]["internal_id"], page["entries"][0]["internal_id"]);
  const json found = get_json(b, base + "&search=ID_1_2");
  ASSERT_EQ(found["total"], 1);
  EXPECT_EQ(found["entries"][0]["external_id"], "ID_1_2");
  EXPECT_EQ(get_json(b, base + "&filter=incomplete")["total"], 0);
  EXPECT_EQ(b.status_of_get(base + "&filter=bogus"), 400);
  EXPECT_EQ(b.status_of_get(base + "&offset=minus"), 400);
  EXPECT_EQ(b.status_of_get("/api/v1/clients/demo/queue?passenger=no.such"), 404);
}

TEST_F(WebTest, StatusFlipsAreStoredAndPurgeKeepsIncompleteEntries) {
  const std::string id = drive_demo();
  Browser b = logged_in("demo", "demo", "demo");
  const std::string entry = "/api/v1/clients/demo/queue/" + id;
  json e = get_json(b, entry);
  EXPECT_EQ(e["complete"], true);
  EXPECT_EQ(e["attachments"][0]["name"], "puller1_file1.txt");
  EXPECT_FALSE(e["log_guids"].empty());

  auto flipped = b.post(entry + "/status", {{"step", "pusher"},
                                            {"module", "databus.pusher.demo.demo_pusher_1"},
                                            {"status", "incomplete"}});
  ASSERT_TRUE(flipped);
  ASSERT_EQ(flipped->status, 200) << flipped->body;
  EXPECT_EQ(json::parse(flipped->body)["complete"], false);
  const std::optional<QueueEntry> stored = dispatcher_->database().load_entry("demo", id);
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->pusher("databus.pusher.demo.demo_pusher_1")->status, StepStatus::incomplete);

  EXPECT_EQ(b.status_of_post(entry + "/status",
                             {{"step", "pusher"}, {"module", "nope"}, {"status", "complete"}}),
            404);
  EXPECT_EQ(b.status_of_post(entry + "/status", {{"step", "pusher"},
                                                 {"module", "databus.pusher.demo.demo_pusher_1"},
                                                 {"status", "bogus"}}),
            400);

  auto purge = b.post("/api/v1/clients/demo/queue/purge", {{"passenger", kPassenger1}});
  ASSERT_TRUE(purge);
  EXPECT_EQ(json::parse(purge->body)["deleted"], 2);  // ID_1_1 is incomplete now.
  EXPECT_TRUE(dispatcher_->database().load_entry("demo", id).has_value());

  auto attachment = b.get(entry + "/attachments/puller1_file1.txt");
  ASSERT_TRUE(attachment);
  EXPECT_EQ(attachment->body, "Lorem Ipsum");
  EXPECT_EQ(b.status_of_get(entry + "/attachments/missing.txt"), 404);
}

TEST_F(WebTest, CustomizingValidatesBeforeSavingAndBacksUpFirst) {
  Browser b = logged_in("demo", "demo", "demo");
  const json nodes = get_json(b, "/api/v1/clients/demo/customizing");
  ASSERT_EQ(nodes["nodes"].size(), 2u);  // __databus__ and the external file.
  EXPECT_EQ(nodes["nodes"][1]["name"], "mapping");
  const std::size_t backups = dispatcher_->database().list_backups("demo").size();

  const std::string node = "/api/v1/clients/demo/customizing/__databus__";
  std::string text = get_json(b, node)["text"];
  auto bad = b.post(node, {{"text", R"({"passengers": [{"name": 5}]})"}});
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 422);
  EXPECT_THAT(bad->body, HasSubstr("passengers"));
  EXPECT_EQ(dispatcher_->database().list_backups("demo").size(), backups);

  json config = json::parse(text);
  config["log_life_span"] = 7;
  ASSERT_EQ(b.status_of_post(node, {{"text", config.dump(2)}}), 200);
  EXPECT_EQ(dispatcher_->database().load_client("demo").log_life_span, 7);
  EXPECT_EQ(dispatcher_->database().list_backups("demo").size(), backups + 1);

  // External config files: any valid JSON. Before the first save the file
  // does not exist: 404, without the file's path on the host.
  auto missing = b.get("/api/v1/clients/demo/customizing/mapping");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(missing->body.find(dir_.string()), std::string::npos) << missing->body;
  ASSERT_EQ(b.status_of_post("/api/v1/clients/demo/customizing/mapping", {{"text", R"({"a": 1})"}}),
            200);
  EXPECT_EQ(get_json(b, "/api/v1/clients/demo/customizing/mapping")["text"], R"({"a": 1})");
  EXPECT_EQ(b.status_of_post("/api/v1/clients/demo/customizing/mapping", {{"text", "{"}}), 422);
  // __clients__ is root only.
  EXPECT_EQ(b.status_of_get("/api/v1/clients/demo/customizing/__clients__"), 404);
}

// The demo config with passenger 1 pushing through the SMTP pusher with
// `settings` (beside host, from and to).
std::string demo_with_smtp(const std::string& stored, const json& settings) {
  json config = json::parse(stored);
  json pusher = {{"module", "databus.pusher.smtp"},
                 {"host", "mail.example.com"},
                 {"from", "databus@example.com"},
                 {"to", {"ops@example.com"}}};
  pusher.update(settings);
  config["passengers"][0]["pushers"].push_back(pusher);
  return config.dump(2);
}

TEST_F(WebTest, CustomizingSaveRefusesSettingsOutOfRangeAndListsEveryProblem) {
  Browser b = logged_in("demo", "demo", "demo");
  const std::string node = "/api/v1/clients/demo/customizing/__databus__";
  const std::string stored = get_json(b, node)["text"];
  const std::size_t backups = dispatcher_->database().list_backups("demo").size();

  auto port = b.post(node, {{"text", demo_with_smtp(stored, {{"port", 99999}})}});
  ASSERT_TRUE(port);
  EXPECT_EQ(port->status, 422);
  const std::string error = json::parse(port->body)["error"];
  EXPECT_THAT(error, HasSubstr("field 'port'"));
  EXPECT_THAT(error, HasSubstr("65535"));
  const std::size_t added = json::parse(stored)["passengers"][0]["pushers"].size();
  EXPECT_THAT(error, HasSubstr("pushers[" + std::to_string(added) + "]"));

  auto several = b.post(
      node,
      {{"text",
        demo_with_smtp(stored, {{"port", 99999}, {"timeout_seconds", -1}, {"verify_tls", "no"}})}});
  ASSERT_TRUE(several);
  EXPECT_EQ(several->status, 422);
  for (const char* field : {"'port'", "'timeout_seconds'", "'verify_tls'"}) {
    EXPECT_THAT(several->body, HasSubstr(field));
  }
  // Nothing was saved or backed up.
  EXPECT_EQ(get_json(b, node)["text"], stored);
  EXPECT_EQ(dispatcher_->database().list_backups("demo").size(), backups);

  // The same through the page: the form shows every problem and keeps the text.
  auto page = b.get("/c/demo/customizing/__databus__");
  ASSERT_TRUE(page);
  const std::string csrf = hidden_field(page->body, "csrf");
  auto form = b.post_form("/c/demo/customizing/__databus__",
                          {{"csrf", csrf}, {"text", demo_with_smtp(stored, {{"port", 99999}})}});
  ASSERT_TRUE(form);
  EXPECT_EQ(form->status, 422);
  EXPECT_THAT(form->body, HasSubstr("65535"));

  ASSERT_EQ(b.status_of_post(node, {{"text", demo_with_smtp(stored, {{"port", 2525}})}}), 200);
}

TEST_F(WebTest, PasswordsSetThroughTheWebAreStoredAsArgon2id) {
  Browser b = logged_in("demo", "demo", "demo");
  EXPECT_EQ(b.status_of_post("/api/v1/clients/demo/users/viewer/password", {{"password", "short"}}),
            400);
  ASSERT_EQ(b.status_of_post("/api/v1/clients/demo/users/viewer/password",
                             {{"password", "a new passphrase"}}),
            200);
  const ClientConfig demo = dispatcher_->database().load_client("demo");
  EXPECT_TRUE(demo.users[1].password.starts_with("$argon2id$")) << demo.users[1].password;
  Browser viewer = browser();
  EXPECT_EQ(viewer.login("demo", "viewer", "viewer-pass"), 401);
  EXPECT_EQ(viewer.login("demo", "viewer", "a new passphrase"), 200);
  // Users list: who has a hash, and only one's own token.
  const json users = get_json(viewer, "/api/v1/clients/demo/users");
  EXPECT_EQ(users["users"][1]["password_hashed"], true);
  EXPECT_FALSE(users["users"][0].contains("token"));
  EXPECT_EQ(users["users"][1]["token"], "viewer-token");
}

TEST_F(WebTest, LogsListDisplayAndPurge) {
  drive_demo();
  Browser b = logged_in("demo", "demo", "demo");
  const json logs = get_json(b, "/api/v1/clients/demo/logs");
  ASSERT_GE(logs["total"].get<int>(), 1);
  const std::string guid = logs["logs"][0]["guid"];
  EXPECT_EQ(logs["logs"][0]["worst_type"], "info");
  const json log = get_json(b, "/api/v1/clients/demo/logs/" + guid);
  EXPECT_FALSE(log["entries"].empty());
  EXPECT_EQ(get_json(b, "/api/v1/clients/demo/logs?type=error")["total"], 0);
  EXPECT_EQ(b.status_of_get("/api/v1/clients/demo/logs?type=fatal"), 400);
  auto purge = b.post("/api/v1/clients/demo/logs/purge");
  ASSERT_TRUE(purge);
  EXPECT_GE(json::parse(purge->body)["deleted"].get<int>(), 1);
  EXPECT_EQ(get_json(b, "/api/v1/clients/demo/logs")["total"], 0);
  EXPECT_EQ(b.status_of_get("/api/v1/clients/demo/logs/" + guid), 404);
}

TEST_F(WebTest, PeekShowsWhatWaitsWithoutTakingIt) {
  Browser b = logged_in("demo", "demo", "demo");
  const json peek =
      get_json(b, "/api/v1/clients/demo/passengers/" + std::string(kPassenger1) + "/peek");
  ASSERT_EQ(peek["pullers"].size(), 2u);  // demo_puller_1 and demo_puller_3.
  const json& found = peek["pullers"][0]["passengers"];
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0]["external_id"], "ID_1_1");
  EXPECT_EQ(found[0]["attachments"][0]["text"], "Lorem Ipsum");
  EntryQuery q;
  EXPECT_EQ(dispatcher_->database().count_entries("demo", q), 0u);  // Nothing seated.
}

TEST_F(WebTest, PassengersAndAbout) {
  Browser b = logged_in("demo", "demo", "demo");
  const json p = get_json(b, "/api/v1/clients/demo/passengers");
  ASSERT_FALSE(p["passengers"].empty());
  EXPECT_EQ(p["passengers"][0]["passenger"], kPassenger1);
  EXPECT_EQ(b.status_of_post("/api/v1/clients/demo/passengers/no.such/expedite"), 404);
  const json about = get_json(b, "/api/v1/about");
  EXPECT_EQ(about["engine"], "json_db");
  EXPECT_FALSE(about["host"].get<std::string>().empty());
  EXPECT_TRUE(about["disk"].contains("available"));
}

}  // namespace
}  // namespace databus::web::testing
