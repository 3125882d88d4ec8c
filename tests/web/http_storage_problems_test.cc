// Issue 13, item 2, as the operator sees it: changes set aside by the JSON
// DB are listed on the System page and in GET /api/v1/system, and /readyz
// says when the data directory's disk is full.

#include <gmock/gmock.h>

#include <chrono>
#include <thread>

#include <fstream>

#include "fs/no_space.h"
#include "web/web_test_support.h"

namespace databus::web::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

TEST_F(WebTest, SetAsideChangesAreListedForRoot) {
  // Left by an earlier run whose journal could not be replayed.
  const std::string name = "pqueue.journal.failed-2024-01-02T03_04_05.000000";
  std::ofstream(dir_ / "data/clients/demo" / name) << "records";
  Browser b = logged_in("root", "root", "root");

  auto res = b.get("/api/v1/system");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  const json problems = json::parse(res->body)["storage_problems"];
  ASSERT_EQ(problems.size(), 1u) << res->body;
  EXPECT_EQ(problems[0]["client_id"], "demo");
  EXPECT_THAT(problems[0]["path"].get<std::string>(), HasSubstr(name));
  EXPECT_THAT(problems[0]["message"].get<std::string>(), HasSubstr("move no data"));

  auto page = b.get("/system");
  ASSERT_TRUE(page);
  EXPECT_THAT(page->body, HasSubstr(name));
}

TEST_F(WebTest, ReadinessSaysWhenTheDiskIsFull) {
  Browser b = browser();
  dispatcher_->start();
  EXPECT_EQ(b.status_of_get("/readyz"), 200);
  // No drive may write (a successful write ends the remembered lack of
  // space): paused, and the drives the start began have finished.
  dispatcher_->pause();
  for (int i = 0; i < 2000 && dispatcher_->status().running_drives > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // Polls a condition.
  }
  ASSERT_EQ(dispatcher_->status().running_drives, 0);
  durable::note_no_space(dir_ / "data/clients/demo/pqueue.journal");
  auto res = b.get("/readyz");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503);
  EXPECT_THAT(json::parse(res->body)["error"].get<std::string>(), HasSubstr("lack of space"));
  durable::note_write_succeeded();  // Space is back: the next write went through.
  EXPECT_EQ(b.status_of_get("/readyz"), 200);
  dispatcher_->shutdown();
}

}  // namespace
}  // namespace databus::web::testing
