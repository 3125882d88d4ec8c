// GET /api/v1/cluster and the system actions on an engine one process owns
// (the JSON DB): no cluster, so the API says so, the System page has no
// Cluster section, and pause/resume act on this dispatcher. The cluster
// itself is tested on PostgreSQL (http_cluster_test.cc).

#include <gmock/gmock.h>

#include "web/web_test_support.h"

namespace databus::web::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using json = nlohmann::json;

TEST_F(WebTest, WithoutAClusterTheClusterApiSaysDisabled) {
  Browser root = logged_in("root", "root", "root");
  auto res = root.get("/api/v1/cluster");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  const json j = json::parse(res->body);
  EXPECT_EQ(j["enabled"], false);
  EXPECT_TRUE(j["node_id"].is_null());
  EXPECT_TRUE(j["lease_period_seconds"].is_null());
  EXPECT_EQ(j["nodes"], json::array());
  EXPECT_EQ(j["leases"], json::array());
}

TEST_F(WebTest, TheClusterApiIsForRootOnly) {
  EXPECT_EQ(browser().status_of_get("/api/v1/cluster"), 401);
  EXPECT_EQ(logged_in("demo", "demo", "demo").status_of_get("/api/v1/cluster"), 403);
  // Root's operators read it, as they read /api/v1/system.
  EXPECT_EQ(logged_in("root", "rootview", "rootview-pass").status_of_get("/api/v1/cluster"), 200);
}

TEST_F(WebTest, WithoutAClusterPauseAndResumeActOnThisDispatcher) {
  dispatcher_->start();
  Browser root = logged_in("root", "root", "root");
  auto paused = root.post("/api/v1/system/pause");
  ASSERT_TRUE(paused);
  ASSERT_EQ(paused->status, 200) << paused->body;
  EXPECT_EQ(json::parse(paused->body)["state"], "paused");
  EXPECT_TRUE(json::parse(paused->body)["node"].is_null());
  EXPECT_EQ(dispatcher_->status().state, DispatcherState::paused);
  auto resumed = root.post("/api/v1/system/resume");
  ASSERT_TRUE(resumed);
  EXPECT_EQ(json::parse(resumed->body)["state"], "running");
  EXPECT_EQ(dispatcher_->status().state, DispatcherState::running);
}

TEST_F(WebTest, ANodeIsUnknownWithoutACluster) {
  dispatcher_->start();
  Browser root = logged_in("root", "root", "root");
  auto res = root.post("/api/v1/system/pause", json{{"node", "elsewhere-1"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  EXPECT_THAT(json::parse(res->body)["error"].get<std::string>(), HasSubstr("'elsewhere-1'"));
  auto by_query = root.post("/api/v1/system/shutdown?node=elsewhere-1");
  ASSERT_TRUE(by_query);
  EXPECT_EQ(by_query->status, 404);
  EXPECT_EQ(dispatcher_->status().state, DispatcherState::running);
}

TEST_F(WebTest, ABadNodeFieldIsRefused) {
  Browser root = logged_in("root", "root", "root");
  EXPECT_EQ(root.status_of_post("/api/v1/system/pause", json{{"node", 7}}), 400);
  EXPECT_EQ(root.status_of_post("/api/v1/system/pause", json{{"node", ""}}), 400);
  EXPECT_EQ(root.status_of_post("/api/v1/system/pause?node=a", json{{"node", "b"}}), 400);
  EXPECT_NE(dispatcher_->status().state, DispatcherState::paused);
}

TEST_F(WebTest, TheSystemPageSaysSingleNodeAndItsButtonsStillPause) {
  dispatcher_->start();
  Browser root = logged_in("root", "root", "root");
  auto page = root.get("/system");
  ASSERT_TRUE(page);
  ASSERT_EQ(page->status, 200);
  EXPECT_THAT(page->body, HasSubstr("Single node"));
  EXPECT_THAT(page->body, Not(HasSubstr("cluster-nodes")));
  const std::string csrf = hidden_field(page->body, "csrf");
  ASSERT_FALSE(csrf.empty());

  auto unknown = root.post_form("/system/pause", {{"csrf", csrf}, {"node", "<b>x</b>"}});
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
  EXPECT_THAT(unknown->body, HasSubstr("&lt;b&gt;x&lt;/b&gt;"));
  EXPECT_THAT(unknown->body, Not(HasSubstr("<b>x</b>")));
  EXPECT_EQ(dispatcher_->status().state, DispatcherState::running);

  auto paused = root.post_form("/system/pause", {{"csrf", csrf}});
  ASSERT_TRUE(paused);
  EXPECT_EQ(paused->status, 303);
  EXPECT_EQ(dispatcher_->status().state, DispatcherState::paused);
  // The CSRF check is unchanged: a form without the token changes nothing.
  auto forged = root.post_form("/system/resume", {});
  ASSERT_TRUE(forged);
  EXPECT_EQ(forged->status, 403);
  EXPECT_EQ(dispatcher_->status().state, DispatcherState::paused);
}

}  // namespace
}  // namespace databus::web::testing
