// Edit conflicts (docs/api.md, "Edit conflicts"):
// a customizing node saved by someone else since it was loaded is not
// overwritten; the API answers 409 with both versions, the page shows the
// user's text beside the current one.

#include <gmock/gmock.h>

#include "web/html.h"
#include "web/web_test_support.h"

namespace databus::web::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kNode[] = "/api/v1/clients/demo/customizing/__databus__";
constexpr char kPage[] = "/c/demo/customizing/__databus__";

json body_of(const httplib::Result& res) { return res ? json::parse(res->body) : json(); }

// The value of the form's hidden "version" field.
std::string version_field(const std::string& html) {
  const std::string marker = "name=\"version\" value=\"";
  const std::size_t at = html.find(marker);
  if (at == std::string::npos) return "";
  const std::size_t start = at + marker.size();
  return html.substr(start, html.find('"', start) - start);
}

std::string with_log_life_span(const std::string& text, int days) {
  json config = json::parse(text);
  config["log_life_span"] = days;
  return config.dump(2);
}

class EditConflictTest : public WebTest {
 protected:
  // Someone else's save (another tab, another node of the cluster).
  ConfigVersion save_as_bob(int log_life_span) {
    const VersionedText current = dispatcher_->read_customizing_versioned("demo", "__databus__");
    return dispatcher_->save_customizing(
        "demo", "__databus__", with_log_life_span(current.text, log_life_span),
        CustomizingSave{Editor::root, current.version.tag, "bob@demo"});
  }
  int stored_log_life_span() { return dispatcher_->database().load_client("demo").log_life_span; }
};

TEST_F(EditConflictTest, TheApiHandsOutTheVersionAndRefusesAStaleSaveNamingBothVersions) {
  Browser b = logged_in("demo", "demo", "demo");
  auto loaded = b.get(kNode);
  ASSERT_TRUE(loaded);
  ASSERT_EQ(loaded->status, 200);
  const json node = body_of(loaded);
  const std::string version = node["version"];
  ASSERT_FALSE(version.empty());
  EXPECT_EQ(loaded->get_header_value("ETag"), "\"" + version + "\"");
  EXPECT_TRUE(node["saved"].is_string());

  const ConfigVersion bob = save_as_bob(5);
  const std::size_t backups = dispatcher_->database().list_backups("demo").size();
  auto stale = b.post(kNode, {{"text", with_log_life_span(node["text"], 7)}, {"version", version}});
  ASSERT_TRUE(stale);
  EXPECT_EQ(stale->status, 409);
  const json conflict = body_of(stale);
  EXPECT_THAT(conflict["error"].get<std::string>(),
              HasSubstr("was saved at " + to_iso(*bob.saved()) + " UTC by bob@demo"));
  EXPECT_THAT(conflict["error"].get<std::string>(), HasSubstr("nothing was saved"));
  EXPECT_EQ(conflict["loaded_version"]["version"], version);
  EXPECT_EQ(conflict["loaded_version"]["saved"], node["saved"]);
  EXPECT_EQ(conflict["current_version"]["version"], bob.tag);
  EXPECT_EQ(conflict["current_version"]["saved"], to_iso(*bob.saved()));
  EXPECT_EQ(conflict["current_version"]["saved_by"], "bob@demo");
  EXPECT_EQ(stored_log_life_span(), 5);  // Bob's save stands, nothing backed up.
  EXPECT_EQ(dispatcher_->database().list_backups("demo").size(), backups);

  // Reloaded: the current version, saved by bob; a save from it succeeds
  // and records who saved.
  const json reloaded = body_of(b.get(kNode));
  EXPECT_EQ(reloaded["version"], bob.tag);
  EXPECT_EQ(reloaded["saved_by"], "bob@demo");
  auto saved = b.post(
      kNode, {{"text", with_log_life_span(reloaded["text"], 7)}, {"version", reloaded["version"]}});
  ASSERT_TRUE(saved);
  ASSERT_EQ(saved->status, 200) << saved->body;
  EXPECT_EQ(stored_log_life_span(), 7);
  const std::string mine = body_of(saved)["version"];
  EXPECT_NE(mine, bob.tag);
  EXPECT_EQ(saved->get_header_value("ETag"), "\"" + mine + "\"");
  EXPECT_EQ(body_of(b.get(kNode))["saved_by"], "demo@demo");
}

TEST_F(EditConflictTest, IfMatchCarriesTheVersionToo) {
  Browser b = logged_in("demo", "demo", "demo");
  auto loaded = b.get(kNode);
  ASSERT_TRUE(loaded);
  const std::string etag = loaded->get_header_value("ETag");
  const std::string text = body_of(loaded)["text"];
  save_as_bob(5);
  auto stale = b.post(kNode, {{"text", with_log_life_span(text, 7)}}, {{"If-Match", etag}});
  ASSERT_TRUE(stale);
  EXPECT_EQ(stale->status, 409);
  EXPECT_EQ(stored_log_life_span(), 5);

  auto current = b.get(kNode);
  ASSERT_TRUE(current);
  const std::string fresh = current->get_header_value("ETag");
  // A weak tag, a list, or a body naming another version: 400, nothing saved.
  for (const std::string& bad : {"W/" + fresh, fresh + ", " + etag, std::string("abc")}) {
    auto res = b.post(kNode, {{"text", with_log_life_span(text, 8)}}, {{"If-Match", bad}});
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 400) << bad;
  }
  auto disagree = b.post(kNode, {{"text", with_log_life_span(text, 8)}, {"version", "1-x"}},
                         {{"If-Match", fresh}});
  ASSERT_TRUE(disagree);
  EXPECT_EQ(disagree->status, 400);
  EXPECT_EQ(b.status_of_post(kNode, {{"text", text}, {"version", 5}}), 400);
  EXPECT_EQ(stored_log_life_span(), 5);

  auto saved = b.post(kNode, {{"text", with_log_life_span(text, 8)}}, {{"If-Match", fresh}});
  ASSERT_TRUE(saved);
  EXPECT_EQ(saved->status, 200) << saved->body;
  EXPECT_EQ(stored_log_life_span(), 8);
}

// API clients written before versions send none: their save replaces
// whatever is stored, as it always did ("If-Match: *" says the same).
TEST_F(EditConflictTest, ASaveWithoutAVersionOverwritesAsBefore) {
  Browser b = logged_in("demo", "demo", "demo");
  const std::string text = body_of(b.get(kNode))["text"];
  save_as_bob(5);
  ASSERT_EQ(b.status_of_post(kNode, {{"text", with_log_life_span(text, 7)}}), 200);
  EXPECT_EQ(stored_log_life_span(), 7);
  auto star = b.post(kNode, {{"text", with_log_life_span(text, 9)}}, {{"If-Match", "*"}});
  ASSERT_TRUE(star);
  EXPECT_EQ(star->status, 200);
  EXPECT_EQ(stored_log_life_span(), 9);
}

// The editor page: its form carries the version; a stale save keeps the
// user's text, shows the current version beside it and answers 409; saving
// again from there is a deliberate overwrite.
TEST_F(EditConflictTest, ThePageKeepsTheUsersTextAndShowsTheCurrentVersion) {
  Browser b = logged_in("demo", "demo", "demo");
  auto page = b.get(kPage);
  ASSERT_TRUE(page);
  const std::string csrf = hidden_field(page->body, "csrf");
  const std::string loaded = version_field(page->body);
  EXPECT_EQ(loaded, body_of(b.get(kNode))["version"]);
  const std::string text = body_of(b.get(kNode))["text"];

  const ConfigVersion bob = save_as_bob(5);
  const std::string mine = with_log_life_span(text, 7);
  auto refused = b.post_form(kPage, {{"csrf", csrf}, {"version", loaded}, {"text", mine}});
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 409);
  EXPECT_THAT(refused->body, HasSubstr("id=\"save-error\""));
  EXPECT_THAT(refused->body, HasSubstr(escape_html("by bob@demo")));
  EXPECT_THAT(refused->body, HasSubstr("id=\"current-version\""));
  EXPECT_THAT(refused->body, HasSubstr(escape_html(mine)));  // The user's text, in the editor.
  EXPECT_THAT(refused->body,
              HasSubstr(escape_html(body_of(b.get(kNode))["text"].get<std::string>())));
  EXPECT_EQ(version_field(refused->body), bob.tag);
  EXPECT_EQ(stored_log_life_span(), 5);

  auto again = b.post_form(
      kPage, {{"csrf", csrf}, {"version", version_field(refused->body)}, {"text", mine}});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 303);  // Saved: back to the editor.
  EXPECT_EQ(stored_log_life_span(), 7);
  auto after = b.get(kPage);
  ASSERT_TRUE(after);
  EXPECT_THAT(after->body, HasSubstr("id=\"node-version\""));
  EXPECT_THAT(after->body, HasSubstr("by demo@demo"));
  EXPECT_THAT(after->body, Not(HasSubstr("id=\"current-version\"")));
}

// The list of clients (root only) and external files carry versions too.
TEST_F(EditConflictTest, OtherNodesRefuseStaleSavesToo) {
  Browser root = logged_in("root", "root", "root");
  const std::string clients = "/api/v1/clients/root/customizing/__clients__";
  const std::string loaded = body_of(root.get(clients))["version"];
  ASSERT_EQ(root.status_of_post(clients, {{"text", R"({"clients": ["demo", "open", "root", "a"]})"},
                                          {"version", loaded}}),
            200);
  EXPECT_EQ(root.status_of_post(clients, {{"text", R"({"clients": ["demo", "open", "root", "b"]})"},
                                          {"version", loaded}}),
            409);
  EXPECT_EQ(dispatcher_->database().client_ids(),
            (std::vector<std::string>{"a", "demo", "open", "root"}));

  Browser b = logged_in("demo", "demo", "demo");
  const std::string mapping = "/api/v1/clients/demo/customizing/mapping";
  ASSERT_EQ(b.status_of_post(mapping, {{"text", R"({"a": 1})"}}), 200);  // Creates the file.
  const std::string version = body_of(b.get(mapping))["version"];
  ASSERT_EQ(b.status_of_post(mapping, {{"text", R"({"a": 2})"}, {"version", version}}), 200);
  EXPECT_EQ(b.status_of_post(mapping, {{"text", R"({"a": 3})"}, {"version", version}}), 409);
  EXPECT_EQ(body_of(b.get(mapping))["text"], R"({"a": 2})");
}

}  // namespace
}  // namespace databus::web::testing
