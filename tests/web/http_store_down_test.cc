// While the store is down (an engine that throws StorageError: a failing
// disk, an unreachable server), the API and the pages answer 503, so that a
// client knows to retry; logins are not counted as failed.

#include <gmock/gmock.h>

#include "databus/dispatcher.h"
#include "storage/memory/memory_database.h"
#include "storage/testing/faulty_database.h"
#include "web/web_test_support.h"

namespace databus::web::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class StoreDownTest : public ::testing::Test {
 protected:
  void SetUp() override {
    DispatcherTicket ticket;
    ticket.run_web_server = false;
    ticket.workers = 1;
    ticket.database_factory = [this](const std::string&, const DatabaseEnv&) {
      auto db = std::make_unique<FaultyDatabase>(std::make_unique<MemoryDatabase>());
      faulty_ = db.get();
      return std::unique_ptr<Database>(std::move(db));
    };
    dispatcher_ = std::make_unique<Dispatcher>(std::move(ticket));
    WebOptions options;
    options.allow_default_passwords = true;  // The tests log in as root/root, demo/demo.
    options.port = 0;
    server_ = std::make_unique<WebServer>(*dispatcher_, options);
    server_->start();
  }
  void TearDown() override {
    server_.reset();
    dispatcher_.reset();
  }

  FaultyDatabase* faulty_ = nullptr;  // Owned by the dispatcher.
  std::unique_ptr<Dispatcher> dispatcher_;
  std::unique_ptr<WebServer> server_;
};

TEST_F(StoreDownTest, ApiAnswers503WhileTheStoreFailsAndRecoversAfter) {
  Browser b(server_->port());
  ASSERT_EQ(b.login("demo", "demo", "demo"), 200);
  const std::string queue = std::string("/api/v1/clients/demo/queue?passenger=") + kPassenger1;
  ASSERT_EQ(b.status_of_get(queue), 200);

  faulty_->fail_method("query_entries");
  faulty_->fail_method("count_entries");
  auto res = b.get(queue);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503);
  EXPECT_THAT(res->body, HasSubstr("unavailable"));
  EXPECT_THAT(res->body, Not(HasSubstr("FaultyDatabase")));  // No engine detail.
  auto page = b.get(std::string("/c/demo/queue?passenger=") + kPassenger1);
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 503);

  faulty_->heal();
  EXPECT_EQ(b.status_of_get(queue), 200);
}

TEST_F(StoreDownTest, LoginWhileTheStoreFailsIs503NotAWrongPassword) {
  faulty_->fail_method("load_client");
  Browser b(server_->port());
  EXPECT_EQ(b.login("demo", "demo", "demo"), 503);
  faulty_->heal();
  EXPECT_EQ(b.login("demo", "demo", "demo"), 200);
}

}  // namespace
}  // namespace databus::web::testing
