// Host access over HTTP (docs/security.md, "Host access"): a client's
// administrator and the anonymous user of a client without users cannot add
// or change a setting that reaches the host (a command, its arguments or
// environment, a file-system path) outside root's delegation; root can; a
// delegation lets exactly what it names.
#include <sys/stat.h>

#include <fstream>

#include <gmock/gmock.h>

#include "web_test_support.h"

namespace databus::web::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kHostile[] = "databus.passenger.generic.hostile";
constexpr char kKept[] = "databus.passenger.generic.kept";

class HostAccessHttpTest : public WebTest {
 protected:
  void SetUp() override {
    WebTest::SetUp();
    fs::create_directories(dir_ / "allowed" / "in");
    fs::create_directories(dir_ / "bin");
    fs::create_directories(dir_ / "secret");
    std::ofstream(dir_ / "secret" / "secret.txt") << "hunter2";
    fs::create_directory_symlink(dir_ / "secret", dir_ / "allowed" / "link");
    // A program root delegates: it records its first argument.
    {
      std::ofstream script(dir_ / "bin" / "ok.sh");
      script << "#!/bin/sh\ncat >/dev/null\ntouch \"" << in("allowed/ran-") << "$1\"\n";
    }
    chmod((dir_ / "bin" / "ok.sh").c_str(), 0755);
    // The operator writes on disk: the delegation and an exec pusher, for
    // demo and for open (no users).
    for (const char* client : {"demo", "open"}) {
      json c = json::parse(dispatcher_->database().read_client_config_text(client));
      c["host_access"] = {{"commands", json::array({in("bin/ok.sh")})},
                          {"directories", json::array({in("allowed")})},
                          {"environment", json::array({"API_URL"})}};
      c["passengers"].push_back(
          {{"name", kKept},
           {"pullers", json::array({"databus.puller.demo.demo_puller_1"})},
           {"pushers", json::array({kept_pusher("cat >/dev/null; touch " +
                                                in(std::string("kept-") + client))})}});
      dispatcher_->database().write_client_config_text(client, c.dump(2));
    }
  }

  std::string in(const std::string& relative) const { return (dir_ / relative).string(); }

  static json kept_pusher(const std::string& script) {
    return {{"module", "databus.pusher.exec"}, {"command", {"/bin/sh", "-c", script}}};
  }

  json stored(const std::string& client) {
    return json::parse(dispatcher_->database().read_client_config_text(client));
  }

  // `client`'s stored configuration with a passenger type kHostile of
  // `pullers` and `pushers` added.
  json with_hostile(const std::string& client, const json& pullers,
                    const json& pushers = json::array()) {
    json c = stored(client);
    c["passengers"].push_back({{"name", kHostile}, {"pullers", pullers}, {"pushers", pushers}});
    return c;
  }

  static json directory_puller(const std::string& path) {
    return {{"module", "databus.puller.directory"}, {"path", path}, {"done_path", ""}};
  }

  // The attempts of the issue, each with the setting a refusal must name.
  std::vector<std::pair<json, std::string>> attempts(const std::string& client) {
    const std::string marker = in("marker-" + client);
    std::vector<std::pair<json, std::string>> out;
    out.push_back(
        {with_hostile(client, json::array({{{"module", "databus.puller.exec"},
                                            {"command", {"/bin/sh", "-c", "touch " + marker}}}})),
         "command"});
    out.push_back(
        {with_hostile(client, json::array({{{"module", "databus.puller.exec"},
                                            {"command",
                                             {"python3", "-c", "open('" + marker + "', 'w')"}}}})),
         "command"});
    json changed = stored(client);
    for (json& p : changed["passengers"]) {
      if (p["name"] != kKept) continue;
      p["pushers"][0] =
          kept_pusher("cat >/dev/null; touch " + in("kept-" + client) + "; touch " + marker);
    }
    out.push_back({changed, "command"});
    out.push_back({with_hostile(client, json::array({directory_puller("/etc")})), "path"});
    out.push_back({with_hostile(client, json::array({directory_puller(in("data"))})), "path"});
    out.push_back(
        {with_hostile(client, json::array({directory_puller(in("allowed/../.."))})), "path"});
    out.push_back(
        {with_hostile(client, json::array({directory_puller(in("allowed/link"))})), "path"});
    out.push_back(
        {with_hostile(client, json::array({directory_puller(in("allowed/link/../secret"))})),
         "path"});
    return out;
  }

  static httplib::Result save(Browser& b, const std::string& client, const json& config) {
    return b.post("/api/v1/clients/" + client + "/customizing/__databus__",
                  json{{"text", config.dump(2)}});
  }

  // Every attempt is refused with 403 naming the setting; nothing changed,
  // nothing ran, nothing was read.
  void expect_every_attempt_refused(Browser& b, const std::string& client) {
    const std::string before = dispatcher_->database().read_client_config_text(client);
    for (const auto& [config, setting] : attempts(client)) {
      auto res = save(b, client, config);
      ASSERT_TRUE(res);
      EXPECT_EQ(res->status, 403) << config.dump();
      EXPECT_THAT(res->body, HasSubstr("client '" + client + "'"));
      EXPECT_THAT(res->body, HasSubstr("setting '" + setting + "'")) << res->body;
      EXPECT_EQ(dispatcher_->database().read_client_config_text(client), before);
    }
    EXPECT_THROW(dispatcher_->drive_now(client, kHostile), NotFoundError);
    dispatcher_->drive_now(client, kKept);
    EXPECT_TRUE(fs::exists(dir_ / ("kept-" + client))) << "the operator's command still runs";
    EXPECT_FALSE(fs::exists(dir_ / ("marker-" + client)));
    EXPECT_TRUE(fs::exists(dir_ / "secret" / "secret.txt"));
  }
};

TEST_F(HostAccessHttpTest, AClientAdministratorIsRefusedEveryHostSetting) {
  Browser demo = logged_in("demo", "demo", "demo");
  expect_every_attempt_refused(demo, "demo");
}

TEST_F(HostAccessHttpTest, TheAnonymousUserOfAClientWithoutUsersIsRefusedEveryHostSetting) {
  Browser anyone = browser();
  expect_every_attempt_refused(anyone, "open");
}

TEST_F(HostAccessHttpTest, AClientAdministratorCannotWidenTheDelegation) {
  Browser demo = logged_in("demo", "demo", "demo");
  json c = stored("demo");
  c["host_access"]["directories"].push_back("/");
  auto res = save(demo, "demo", c);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 403);
  EXPECT_THAT(res->body, HasSubstr("host_access"));
  c.erase("host_access");
  EXPECT_EQ(save(demo, "demo", c)->status, 403);
}

TEST_F(HostAccessHttpTest, RootCanSetEachOne) {
  Browser root = logged_in("root", "root", "root");
  const auto all = attempts("demo");
  for (const auto& [config, setting] : all) {
    auto res = save(root, "demo", config);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200) << res->body;
    EXPECT_EQ(stored("demo"), config);
  }
  // Root's command runs: the marker would have shown a refused one running.
  ASSERT_EQ(save(root, "demo", all[0].first)->status, 200);
  dispatcher_->drive_now("demo", kHostile);
  EXPECT_TRUE(fs::exists(dir_ / "marker-demo"));
}

TEST_F(HostAccessHttpTest, ADelegationLetsExactlyWhatItNames) {
  Browser demo = logged_in("demo", "demo", "demo");
  const json delegated_pusher{{"module", "databus.pusher.exec"},
                              {"command", {in("bin/ok.sh"), "free-argument"}},
                              {"environment", {{"API_URL", "https://erp.example"}}},
                              {"working_directory", in("allowed")}};
  const json delegated_puller{{"module", "databus.puller.directory"},
                              {"path", in("allowed/in")},
                              {"done_path", in("allowed/done")}};
  auto res = save(
      demo, "demo",
      with_hostile("demo", json::array({"databus.puller.demo.demo_puller_1", delegated_puller}),
                   json::array({delegated_pusher})));
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  std::ofstream(dir_ / "allowed" / "in" / "order.csv") << "a;b";
  dispatcher_->drive_now("demo", kHostile);
  EXPECT_TRUE(fs::exists(dir_ / "allowed" / "ran-free-argument"));
  EXPECT_TRUE(fs::exists(dir_ / "allowed" / "done" / "order.csv"));

  // Beside what it names, nothing.
  const std::vector<std::pair<json, std::string>> outside = {
      {{{"module", "databus.pusher.exec"},
        {"command", {in("bin/ok.sh")}},
        {"environment", {{"LD_PRELOAD", in("allowed/x.so")}}}},
       "environment"},
      {{{"module", "databus.pusher.exec"}, {"command", {in("allowed/ok.sh")}}}, "command"},
      {{{"module", "databus.pusher.exec"}, {"command", {"ok.sh"}}}, "command"},
      {{{"module", "databus.pusher.exec"},
        {"command", {in("bin/ok.sh")}},
        {"working_directory", in("secret")}},
       "working_directory"},
      {{{"module", "databus.pusher.directory"}, {"path", in("allowedness")}}, "path"},
  };
  for (const auto& [pusher, setting] : outside) {
    json c = stored("demo");
    c["passengers"].back()["pushers"] = json::array({pusher});
    auto refused = save(demo, "demo", c);
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 403) << pusher.dump();
    EXPECT_THAT(refused->body, HasSubstr("setting '" + setting + "'"));
  }
}

TEST_F(HostAccessHttpTest, TheEditorPageTellsAndShowsARefusal) {
  Browser demo = browser();
  ASSERT_EQ(demo.form_login("demo", "demo", "demo")->status, 303);
  auto page = demo.get("/c/demo/customizing/__databus__");
  ASSERT_TRUE(page);
  EXPECT_THAT(page->body, HasSubstr("id=\"host-access-hint\""));
  const std::string csrf = hidden_field(page->body, "csrf");
  json c = with_hostile("demo", json::array({directory_puller("/etc")}));
  auto res =
      demo.post_form("/c/demo/customizing/__databus__", {{"csrf", csrf}, {"text", c.dump(2)}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 403);
  EXPECT_THAT(res->body, HasSubstr("id=\"save-error\""));
  EXPECT_THAT(res->body, HasSubstr("setting &#39;path&#39;"));

  Browser root = browser();
  ASSERT_EQ(root.form_login("root", "root", "root")->status, 303);
  auto root_page = root.get("/c/demo/customizing/__databus__");
  ASSERT_TRUE(root_page);
  EXPECT_THAT(root_page->body, Not(HasSubstr("host-access-hint")));
}

}  // namespace
}  // namespace databus::web::testing
