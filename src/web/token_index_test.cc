#include "web/token_index.h"

#include <gtest/gtest.h>

#include "databus/database_wrapper.h"
#include "storage/memory/memory_database.h"

namespace databus::web {
namespace {

using std::chrono::seconds;

// Counts the client configurations read.
class CountingDatabase : public DatabaseWrapper {
 public:
  using DatabaseWrapper::DatabaseWrapper;
  ClientConfig load_client(const std::string& client_id) override {
    ++loads;
    return DatabaseWrapper::load_client(client_id);
  }
  int loads = 0;
};

class TokenIndexTest : public ::testing::Test {
 protected:
  TokenIndexTest() : db_(open_memory_database(DatabaseEnv{})) {
    for (int i = 0; i < 10; ++i) write_users("c" + std::to_string(i), {});
    write_users("demo", {User{"alice", "pw", "alice-token", Role::operator_}});
  }

  void write_users(const std::string& client_id, const std::vector<User>& users) {
    ClientConfig config;
    config.id = client_id;
    config.users = users;
    db_.write_client_config_text(client_id, config.to_json().dump());
  }

  CountingDatabase db_;
  TokenIndex index_{seconds(60)};
  const TimePoint t0_ = Clock::now();
};

TEST_F(TokenIndexTest, KnownTokenReadsOnlyItsClientAfterTheFirstLookup) {
  ASSERT_TRUE(index_.find(db_, "alice-token", t0_));
  EXPECT_EQ(index_.rebuilds(), 1u);
  db_.loads = 0;
  for (int i = 0; i < 5; ++i) {
    const std::optional<TokenUser> found = index_.find(db_, "alice-token", t0_);
    ASSERT_TRUE(found);
    EXPECT_EQ(found->client_id, "demo");
    EXPECT_EQ(found->user.username, "alice");
    EXPECT_EQ(found->user.role, Role::operator_);
  }
  EXPECT_EQ(db_.loads, 5);  // One client each, not eleven.
  EXPECT_EQ(index_.rebuilds(), 1u);
}

TEST_F(TokenIndexTest, RevokingTakesEffectAtOnceEvenOutsideTheWebServer) {
  ASSERT_TRUE(index_.find(db_, "alice-token", t0_));
  write_users("demo", {User{"alice", "pw", "new-token", Role::operator_}});  // No invalidate().
  EXPECT_FALSE(index_.find(db_, "alice-token", t0_));
  EXPECT_TRUE(index_.find(db_, "new-token", t0_));  // The failed match made it rebuild.
  write_users("demo", {});
  EXPECT_FALSE(index_.find(db_, "new-token", t0_));
}

TEST_F(TokenIndexTest, UnknownTokensRebuildOnlyWhenStaleOrAfterRefresh) {
  EXPECT_FALSE(index_.find(db_, "nope", t0_));
  EXPECT_FALSE(index_.find(db_, "nope", t0_));
  EXPECT_FALSE(index_.find(db_, "other", t0_ + seconds(59)));
  EXPECT_EQ(index_.rebuilds(), 1u);

  // Written by hand: known after `refresh`, or at once after invalidate().
  write_users("c3", {User{"bob", "pw", "bob-token", Role::administrator}});
  EXPECT_FALSE(index_.find(db_, "bob-token", t0_ + seconds(1)));
  EXPECT_TRUE(index_.find(db_, "bob-token", t0_ + seconds(61)));
  write_users("c4", {User{"carol", "pw", "carol-token", Role::administrator}});
  index_.invalidate();
  const std::optional<TokenUser> carol = index_.find(db_, "carol-token", t0_ + seconds(62));
  ASSERT_TRUE(carol);
  EXPECT_EQ(carol->client_id, "c4");
  EXPECT_FALSE(index_.find(db_, "", t0_));
}

}  // namespace
}  // namespace databus::web
