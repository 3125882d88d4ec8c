// Export over HTTP: root administrators only, paths kept under the data root,
// sync and async.

#include <chrono>
#include <thread>

#include <gmock/gmock.h>

#include "web/export_jobs.h"
#include "web/web_test_support.h"

namespace databus::web::testing {
namespace {

using nlohmann::json;

TEST_F(WebTest, ExportIsForRootAdministratorsAndStaysUnderTheDataRoot) {
  drive_demo();
  const std::string url = "/api/v1/clients/demo/export";
  const json sqlite{{"engine", "sqlite"}, {"arguments", {{"path", "exports/demo.sqlite"}}}};
  Browser demo = logged_in("demo", "demo", "demo");
  EXPECT_EQ(demo.status_of_post(url, sqlite), 403);
  Browser viewer = logged_in("root", "rootview", "rootview-pass");
  EXPECT_EQ(viewer.status_of_post(url, sqlite), 403);

  Browser root = logged_in("root", "root", "root");
  if (!ExportJobs::available()) {
    EXPECT_EQ(root.status_of_post(url, sqlite), 501);
    return;
  }
  EXPECT_EQ(root.status_of_post(url, {{"engine", "sqlite"}, {"arguments", {{"path", "../x.db"}}}}),
            400);
  EXPECT_EQ(
      root.status_of_post(url, {{"engine", "sqlite"}, {"arguments", {{"path", "/tmp/x.db"}}}}),
      400);
  EXPECT_EQ(root.status_of_post(url, {{"engine", "no_such_engine"}}), 400);

  auto sync = root.post(url, sqlite);
  ASSERT_TRUE(sync);
  ASSERT_EQ(sync->status, 200) << sync->body;
  EXPECT_EQ(json::parse(sync->body)["entries"], 3);
  // The dispatcher backed up the client's config at start: it travels too.
  EXPECT_GE(json::parse(sync->body)["backups"].get<int>(), 1);
  EXPECT_TRUE(std::filesystem::exists(dir_ / "exports" / "demo.sqlite"));

  auto async = root.post(
      url,
      {{"engine", "sqlite"}, {"arguments", {{"path", "exports/again.sqlite"}}}, {"mode", "async"}});
  ASSERT_TRUE(async);
  ASSERT_EQ(async->status, 202) << async->body;
  json status;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  do {
    auto res = root.get(url);
    ASSERT_TRUE(res);
    status = json::parse(res->body);
    if (!status["running"].get<bool>()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  } while (std::chrono::steady_clock::now() < deadline);
  ASSERT_FALSE(status["running"].get<bool>());
  ASSERT_TRUE(status.contains("result")) << status.dump();
  EXPECT_EQ(status["result"]["entries"], 3);
}

}  // namespace
}  // namespace databus::web::testing
