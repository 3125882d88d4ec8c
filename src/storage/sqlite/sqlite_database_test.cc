#include "storage/sqlite/sqlite_database.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "databus/error.h"
#include "databus/uuid.h"
#include "storage/database_conformance.h"
#include "storage/sqlite/sqlite_schema.h"

namespace databus {

INSTANTIATE_TEST_SUITE_P(Sqlite, DatabaseConformanceTest,
                         testing::Values(ConformanceEngine{"sqlite",
                                                           [](const std::filesystem::path& dir) {
                                                             return open_sqlite_database({dir, {}});
                                                           }}),
                         ConformanceEngine::name_of);

namespace {

class SqliteDatabaseTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(testing::TempDir()) / ("databus_sqlite_test_" + new_uuid());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Runs `sql` on the file directly, as a hand edit or an older Databus would.
  static void poke(const std::filesystem::path& file, const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
    char* error = nullptr;
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK)
        << (error ? error : "");
    sqlite3_free(error);
    sqlite3_close(db);
  }

  std::filesystem::path dir_;
};

TEST_F(SqliteDatabaseTest, DefaultFileLivesInTheDataDirAndKeepsData) {
  {
    auto db = open_sqlite_database({dir_ / "data", {}});
    EXPECT_EQ(db->engine(), "sqlite");
    db->write_client_config_text("demo", "{}");
  }
  EXPECT_TRUE(std::filesystem::exists(dir_ / "data" / "databus.sqlite"));
  auto db = open_sqlite_database({dir_ / "data", {}});
  EXPECT_EQ(db->client_ids(), std::vector<std::string>{"demo"});
}

TEST_F(SqliteDatabaseTest, PathArgumentChoosesTheFileAndOtherArgumentsAreRefused) {
  const auto file = dir_ / "nested" / "my.db";
  auto db = open_sqlite_database({dir_ / "unused", {{"path", file.string()}}});
  EXPECT_TRUE(std::filesystem::exists(file));
  EXPECT_NE(db->describe().find(file.string()), std::string::npos);
  try {
    open_sqlite_database({dir_, {{"pth", "x"}}});
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.field(), "pth");
  }
}

TEST_F(SqliteDatabaseTest, NewerSchemaIsRefused) {
  const auto file = dir_ / "databus.sqlite";
  open_sqlite_database({dir_, {}}).reset();
  poke(file, "UPDATE schema_version SET version = 99");
  EXPECT_THROW(open_sqlite_database({dir_, {}}), StorageError);
}

TEST_F(SqliteDatabaseTest, Version1FileIsMigratedAndItsRowsRead) {
  Passenger p;
  p.internal_id = new_uuid();
  p.passenger_module = "m";
  p.log_guids = {"g1", "g2"};
  QueueEntry entry = QueueEntry::seat(p, {"proc"}, {"push"});
  entry.processor_statuses[0] = {"proc", StepStatus::complete, 0, ""};
  entry.pusher_statuses[0] = {"push", StepStatus::incomplete, 2, "down"};
  {
    auto db = open_sqlite_database({dir_, {}});
    db->insert_entries("demo", std::span(&entry, 1));
  }
  // What version 1 wrote: JSON columns.
  poke(dir_ / "databus.sqlite",
       "UPDATE entries SET log_guids = '[\"g1\", \"g2\"]', steps = '{\"processors\": "
       "[{\"module\": \"proc\", \"status\": \"complete\", \"attempts\": 0, "
       "\"last_error\": \"\"}], \"pushers\": [{\"module\": \"push\", \"status\": "
       "\"incomplete\", \"attempts\": 2, \"last_error\": \"down\"}]}'; "
       "UPDATE schema_version SET version = 1");
  auto db = open_sqlite_database({dir_, {}});
  EXPECT_EQ(db->load_entry("demo", p.internal_id), entry);
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ / "databus.sqlite").c_str(), &raw), SQLITE_OK);
  sqlite3_stmt* q = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(raw, "SELECT version FROM schema_version", -1, &q, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(q), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(q, 0), kSqliteSchemaVersion);
  sqlite3_finalize(q);
  sqlite3_close(raw);
}

TEST_F(SqliteDatabaseTest, MalformedRowsAreReportedAndSkipped) {
  auto db = open_sqlite_database({dir_, {}});
  Passenger p;
  p.internal_id = new_uuid();
  p.passenger_module = "m";
  QueueEntry good = QueueEntry::seat(p, {"proc"}, {"push"});
  p.internal_id = new_uuid();
  QueueEntry bad = QueueEntry::seat(p, {"proc"}, {"push"});
  db->insert_entries("demo", std::vector<QueueEntry>{good, bad});
  poke(dir_ / "databus.sqlite",
       "UPDATE entries SET steps = '{broken' WHERE internal_id = '" + p.internal_id + "'");
  EXPECT_EQ(db->query_entries("demo", EntryQuery{}), std::vector<QueueEntry>{good});
  const std::vector<StorageProblem> problems = db->problems("demo");
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].path.find(p.internal_id), std::string::npos);
}

TEST_F(SqliteDatabaseTest, FailedBatchLeavesNothingBehind) {
  auto db = open_sqlite_database({dir_, {}});
  Passenger p;
  p.internal_id = new_uuid();
  p.passenger_module = "m";
  QueueEntry first = QueueEntry::seat(p, {}, {"push"});
  db->insert_entries("demo", std::span(&first, 1));
  p.internal_id = new_uuid();
  QueueEntry second = QueueEntry::seat(p, {}, {"push"});
  // The batch repeats a stored id: none of it is kept.
  EXPECT_THROW(db->insert_entries("demo", std::vector<QueueEntry>{second, first}), StorageError);
  EXPECT_EQ(db->count_entries("demo", EntryQuery{}), 1u);
  // An update batch naming an unknown entry changes nothing either.
  second.puller_notified = first.puller_notified = true;
  EXPECT_THROW(
      db->update_entries("demo", std::vector<QueueEntry>{first, second}, SaveScope::statuses),
      NotFoundError);
  EXPECT_FALSE(db->load_entry("demo", first.passenger.internal_id)->puller_notified);
}

// Status writes of incomplete entries skip the `complete` column (and the
// queue index) when it already holds the value; an entry that goes from
// complete back to incomplete still moves between the filters.
TEST_F(SqliteDatabaseTest, StatusWritesMoveEntriesBetweenCompleteAndIncomplete) {
  auto db = open_sqlite_database({dir_, {}});
  Passenger p;
  p.internal_id = new_uuid();
  p.passenger_module = "m";
  QueueEntry e = QueueEntry::seat(p, {"proc"}, {"push"});
  db->insert_entries("demo", std::span(&e, 1));
  auto ids = [&](EntryFilter filter) {
    EntryQuery q;
    q.filter = filter;
    std::vector<std::string> out;
    for (const QueueEntry& found : db->query_entries("demo", q)) {
      out.push_back(found.passenger.internal_id);
    }
    return out;
  };
  const std::vector<std::string> just_e{p.internal_id};

  e.puller_notified = true;
  e.processor_statuses[0].status = StepStatus::complete;
  db->update_entries("demo", std::span(&e, 1), SaveScope::statuses);
  EXPECT_EQ(*db->load_entry("demo", p.internal_id), e);
  EXPECT_EQ(ids(EntryFilter::push_due), just_e);
  EXPECT_EQ(ids(EntryFilter::incomplete), just_e);

  e.complete_all_steps();
  db->update_entries("demo", std::span(&e, 1), SaveScope::statuses);
  EXPECT_EQ(ids(EntryFilter::complete), just_e);
  EXPECT_TRUE(ids(EntryFilter::incomplete).empty());

  e.pusher_statuses[0] = {"push", StepStatus::incomplete, 1, "retry"};
  db->update_entries("demo", std::span(&e, 1), SaveScope::statuses);
  EXPECT_EQ(*db->load_entry("demo", p.internal_id), e);
  EXPECT_EQ(ids(EntryFilter::incomplete), just_e);
  EXPECT_TRUE(ids(EntryFilter::complete).empty());
}

}  // namespace
}  // namespace databus
