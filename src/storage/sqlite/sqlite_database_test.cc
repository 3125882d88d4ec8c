#include "storage/sqlite/sqlite_database.h"

#include <gtest/gtest.h>

#include <sqlite3.h>
#include <algorithm>
#include <cctype>

#include "databus/error.h"
#include "databus/uuid.h"
#include "storage/database_conformance.h"
#include "storage/sql/sql_codec.h"
#include "storage/sqlite/sqlite_database_impl.h"
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

// One process per file: a second open (here, or in another process through
// the lock file's flock) is refused with a message naming the file and the
// holder; other files and a reopen after closing are not affected.
TEST_F(SqliteDatabaseTest, ASecondOpenOfTheSameFileIsRefused) {
  auto db = open_sqlite_database({dir_ / "data", {}});
  try {
    open_sqlite_database({dir_ / "data", {}});
    FAIL() << "opened a file in use";
  } catch (const StorageError& e) {
    EXPECT_NE(std::string(e.what()).find("SQLite database " +
                                         (dir_ / "data" / "databus.sqlite").string() +
                                         " is in use by another Databus process (pid "),
              std::string::npos)
        << e.what();
  }
  EXPECT_NO_THROW(open_sqlite_database({dir_ / "data", {{"path", (dir_ / "b.db").string()}}}));
  db.reset();
  EXPECT_NO_THROW(open_sqlite_database({dir_ / "data", {}}));
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

// Files of schema versions 1 and 2 (one table of entries with the status
// columns, attachments keyed by client and internal id; steps and log GUIDs
// as JSON in version 1, compact in version 2) are migrated to the current
// schema at open, every row kept and read back the same.
TEST_F(SqliteDatabaseTest, OlderSchemaFilesAreMigratedAndTheirRowsRead) {
  const auto file = dir_ / "databus.sqlite";
  std::filesystem::create_directories(dir_);
  {
    SqlitePool pool(file, 1);
    migrate_sqlite_schema(pool, 2);
  }
  Passenger p;
  p.internal_id = new_uuid();
  p.external_id = "x-1";
  p.source_system = "s";
  p.passenger_module = "m";
  p.puller_module = "pull";
  p.log_guids = {"g1", "g2"};
  p.attachments.push_back({"a.txt", AttachmentFormat::text, "text"});
  p.attachments.push_back({"b.bin", AttachmentFormat::binary, std::string("\0\1\2", 3)});
  QueueEntry v1 = QueueEntry::seat(p, {"proc"}, {"push"});
  v1.processor_statuses[0] = {"proc", StepStatus::complete, 0, ""};
  v1.pusher_statuses[0] = {"push", StepStatus::incomplete, 2, "down"};
  v1.puller_notified = true;
  p.internal_id = new_uuid();
  p.external_id = "x-2";
  p.attachments.clear();
  QueueEntry v2 = QueueEntry::seat(p, {"proc"}, {"push"});
  v2.complete_all_steps();
  const std::string columns =
      "INSERT INTO entries (client_id, internal_id, external_id, source_system, "
      "passenger_module, puller_module, pull_time, notified, processors_complete, "
      "pushers_complete, complete, steps, log_guids) VALUES ";
  // What version 1 wrote: JSON columns; what version 2 wrote: compact ones.
  poke(file, columns + "('demo', '" + v1.passenger.internal_id +
                 "', 'x-1', 's', 'm', 'pull', 1000000, 1, 1, 0, 0, '{\"processors\": "
                 "[{\"module\": \"proc\", \"status\": \"complete\", \"attempts\": 0, "
                 "\"last_error\": \"\"}], \"pushers\": [{\"module\": \"push\", \"status\": "
                 "\"incomplete\", \"attempts\": 2, \"last_error\": \"down\"}]}', "
                 "'[\"g1\", \"g2\"]'), ('demo', '" +
                 v2.passenger.internal_id + "', 'x-2', 's', 'm', 'pull', 2000000, 0, 1, 1, 1, '" +
                 sql::encode_steps(v2) + "', '" + sql::encode_strings(p.log_guids) +
                 "'); INSERT INTO attachments VALUES ('demo', '" + v1.passenger.internal_id +
                 "', 0, 'a.txt', 'text', X'74657874'), ('demo', '" + v1.passenger.internal_id +
                 "', 1, 'b.bin', 'binary', X'000102'); UPDATE schema_version SET version = 1");
  v1.passenger.pull_datetime = sql::from_micros(1000000);
  v2.passenger.pull_datetime = sql::from_micros(2000000);

  auto db = open_sqlite_database({dir_, {}});
  EXPECT_EQ(db->load_entry("demo", v1.passenger.internal_id), v1);
  EXPECT_EQ(db->load_entry("demo", v2.passenger.internal_id), v2);
  EntryQuery open;
  open.filter = EntryFilter::push_due;
  ASSERT_EQ(db->count_entries("demo", open), 1u);
  EXPECT_EQ(db->query_entries("demo", open)[0].passenger.internal_id, v1.passenger.internal_id);
  // The migrated rows take status writes like new ones.
  v1.complete_all_steps();
  db->update_entries("demo", std::span(&v1, 1), SaveScope::statuses);
  EXPECT_EQ(db->count_entries("demo", open), 0u);
  EXPECT_EQ(db->delete_complete_entries("demo", "m", sql::from_micros(3000000)), 2u);
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(file.c_str(), &raw), SQLITE_OK);
  sqlite3_stmt* q = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(raw,
                               "SELECT (SELECT version FROM schema_version), (SELECT count(*) "
                               "FROM entry_attachments), (SELECT count(*) FROM entry_statuses)",
                               -1, &q, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(q), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(q, 0), kSqliteSchemaVersion);
  EXPECT_EQ(sqlite3_column_int(q, 1), 0);  // Purged with their entries.
  EXPECT_EQ(sqlite3_column_int(q, 2), 0);
  sqlite3_finalize(q);
  sqlite3_close(raw);
}

// Schema 4 added entry_attachments.full_name: a row written before reads
// with no full name (as a passenger.json without the key does), and the
// migrated file keeps the full names written after.
TEST_F(SqliteDatabaseTest, AttachmentsOfSchema3ReadWithNoFullName) {
  const auto file = dir_ / "databus.sqlite";
  std::filesystem::create_directories(dir_);
  {
    SqlitePool pool(file, 1);
    migrate_sqlite_schema(pool, 3);
  }
  Passenger p;
  p.internal_id = new_uuid();
  p.external_id = "x-3";
  p.source_system = "s";
  p.passenger_module = "m";
  p.puller_module = "pull";
  p.pull_datetime = sql::from_micros(1000000);
  const std::string given = std::string(296, 'z') + ".xml";
  p.add_attachment(given, AttachmentFormat::text, "z");
  const QueueEntry v3 = QueueEntry::seat(p, {}, {});
  poke(file,
       "INSERT INTO entries VALUES (1, 'demo', '" + p.internal_id +
           "', 'x-3', 's', 'm', 'pull', 1000000); INSERT INTO entry_statuses VALUES (1, 0, 1, 1, "
           "1, '" +
           sql::encode_steps(v3) + "', '" + sql::encode_log_guids(p) +
           "'); INSERT INTO entry_attachments VALUES (1, 0, '" + p.attachments[0].name +
           "', 'text', X'7a')");

  auto db = open_sqlite_database({dir_, {}});
  std::optional<QueueEntry> loaded = db->load_entry("demo", p.internal_id);
  ASSERT_TRUE(loaded);
  ASSERT_EQ(loaded->passenger.attachments.size(), 1u);
  EXPECT_EQ(loaded->passenger.attachments[0].name, p.attachments[0].name);
  EXPECT_EQ(loaded->passenger.attachments[0].full_name, "");
  EXPECT_EQ(loaded->passenger.attachments[0].content, "z");

  db->update_entries("demo", std::span(&v3, 1), SaveScope::everything);
  EXPECT_EQ(db->load_entry("demo", p.internal_id), v3);
  EXPECT_EQ(db->load_entry("demo", p.internal_id)->passenger.attachments[0].full_name, given);
}

TEST_F(SqliteDatabaseTest, MalformedRowsAreReportedAndSkipped) {
  auto db = open_sqlite_database({dir_, {}});
  Passenger p;
  p.internal_id = new_uuid();
  p.passenger_module = "m";
  QueueEntry good = QueueEntry::seat(p, {"proc"}, {"push"});
  p.internal_id = new_uuid();
  QueueEntry bad = QueueEntry::seat(p, {"proc"}, {"push"});
  const std::string bad_id = p.internal_id;
  p.internal_id = new_uuid();
  QueueEntry bare = QueueEntry::seat(p, {"proc"}, {"push"});  // Loses its status row.
  db->insert_entries("demo", std::vector<QueueEntry>{good, bad, bare});
  poke(dir_ / "databus.sqlite",
       "UPDATE entry_statuses SET steps = '{broken' WHERE entry = (SELECT entry FROM entries "
       "WHERE internal_id = '" +
           bad_id + "'); DELETE FROM entry_statuses WHERE entry = (SELECT entry FROM entries " +
           "WHERE internal_id = '" + bare.passenger.internal_id + "')");
  EXPECT_EQ(db->query_entries("demo", EntryQuery{}), std::vector<QueueEntry>{good});
  const std::vector<StorageProblem> problems = db->problems("demo");
  ASSERT_EQ(problems.size(), 2u);
  auto reported = [&](const std::string& id) {
    return std::any_of(problems.begin(), problems.end(), [&](const StorageProblem& problem) {
      return problem.path.find(id) != std::string::npos;
    });
  };
  EXPECT_TRUE(reported(bad_id));
  EXPECT_TRUE(reported(bare.passenger.internal_id));
  // A status write gives the entry its row back.
  db->update_entries("demo", std::span(&bare, 1), SaveScope::statuses);
  EXPECT_EQ(db->load_entry("demo", bare.passenger.internal_id), bare);
}

// A status write finds its rows by the key the engine remembered when it
// wrote the entry; another process (here: a second database object on the
// same file) may have deleted the entry, or deleted it and stored it again.
TEST_F(SqliteDatabaseTest, RememberedKeysOfEntriesChangedElsewhereAreNotTrusted) {
  auto mine = open_sqlite_database({dir_, {}});
  // Another writer of the file (not a Databus process: those are refused).
  auto other = std::make_unique<SqliteDatabase>(dir_ / "databus.sqlite", false);
  Passenger p;
  p.internal_id = new_uuid();
  p.passenger_module = "m";
  QueueEntry e = QueueEntry::seat(p, {"proc"}, {"push"});
  mine->insert_entries("demo", std::span(&e, 1));

  e.puller_notified = true;  // Complete: notified and every step complete.
  e.complete_all_steps();
  other->update_entries("demo", std::span(&e, 1), SaveScope::statuses);
  ASSERT_EQ(other->delete_complete_entries("demo", "m", Clock::now() + std::chrono::hours(1)), 1u);
  QueueEntry again = QueueEntry::seat(p, {"proc"}, {"push"});
  again.puller_notified = true;
  other->insert_entries("demo", std::span(&again, 1));
  again.processor_statuses[0].status = StepStatus::complete;
  mine->update_entries("demo", std::span(&again, 1), SaveScope::statuses);
  EXPECT_EQ(other->load_entry("demo", p.internal_id), again);

  again.complete_all_steps();
  other->update_entries("demo", std::span(&again, 1), SaveScope::statuses);
  ASSERT_EQ(other->delete_complete_entries("demo", "m", Clock::now() + std::chrono::hours(1)), 1u);
  EXPECT_THROW(mine->update_entries("demo", std::span(&again, 1), SaveScope::statuses),
               NotFoundError);
}

// Internal ids are text: an upper-case id and its lower-case twin are two
// entries, which the remembered keys must not mix up.
TEST_F(SqliteDatabaseTest, IdsDifferingInCaseAreDifferentEntries) {
  auto db = open_sqlite_database({dir_, {}});
  Passenger p;
  p.internal_id = new_uuid();
  p.passenger_module = "m";
  QueueEntry lower = QueueEntry::seat(p, {"proc"}, {"push"});
  for (char& c : p.internal_id) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  p.external_id = "upper";
  QueueEntry upper = QueueEntry::seat(p, {"proc"}, {"push"});
  db->insert_entries("demo", std::vector<QueueEntry>{lower, upper});
  upper.puller_notified = true;
  db->update_entries("demo", std::span(&upper, 1), SaveScope::statuses);
  EXPECT_FALSE(db->load_entry("demo", lower.passenger.internal_id)->puller_notified);
  EXPECT_TRUE(db->load_entry("demo", upper.passenger.internal_id)->puller_notified);
  lower.complete_all_steps();
  db->update_entries("demo", std::span(&lower, 1), SaveScope::statuses);
  EXPECT_EQ(db->load_entry("demo", lower.passenger.internal_id), lower);
  EXPECT_EQ(db->load_entry("demo", upper.passenger.internal_id), upper);
}

// entry_open lists exactly the incomplete entries, under their current
// fields, whatever the writes did: insert, complete, reopen, a passenger
// rewritten with a new pull time, the purge.
TEST_F(SqliteDatabaseTest, OpenEntriesFollowEveryWrite) {
  auto db = open_sqlite_database({dir_, {}});
  auto open_rows = [&] {
    sqlite3* raw = nullptr;
    EXPECT_EQ(sqlite3_open((dir_ / "databus.sqlite").c_str(), &raw), SQLITE_OK);
    sqlite3_stmt* q = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(raw,
                                 "SELECT count(*) FROM entry_open o JOIN entries e USING (entry, "
                                 "client_id, passenger_module, pull_time, internal_id)",
                                 -1, &q, nullptr),
              SQLITE_OK);
    EXPECT_EQ(sqlite3_step(q), SQLITE_ROW);
    const int n = sqlite3_column_int(q, 0);
    sqlite3_finalize(q);
    sqlite3_close(raw);
    return n;
  };
  Passenger p;
  p.internal_id = new_uuid();
  p.passenger_module = "m";
  p.pull_datetime = sql::from_micros(1000);
  QueueEntry a = QueueEntry::seat(p, {"proc"}, {"push"});
  p.internal_id = new_uuid();
  p.pull_datetime = sql::from_micros(2000);
  QueueEntry b = QueueEntry::seat(p, {"proc"}, {"push"});
  db->insert_entries("demo", std::vector<QueueEntry>{a, b});
  EXPECT_EQ(open_rows(), 2);

  // A passenger rewritten with a later pull time moves behind the other.
  a.passenger.pull_datetime = sql::from_micros(3000);
  a.passenger.attachments.push_back({"x.txt", AttachmentFormat::text, "x"});
  db->update_entries("demo", std::span(&a, 1), SaveScope::everything);
  EXPECT_EQ(open_rows(), 2);
  EntryQuery q;
  q.filter = EntryFilter::incomplete;
  std::vector<QueueEntry> found = db->query_entries("demo", q);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].passenger.internal_id, b.passenger.internal_id);
  EXPECT_EQ(found[1], a);

  a.puller_notified = true;
  a.complete_all_steps();
  db->update_entries("demo", std::span(&a, 1), SaveScope::statuses);
  EXPECT_EQ(open_rows(), 1);
  a.pusher_statuses[0].status = StepStatus::incomplete;  // Reopened.
  db->update_entries("demo", std::span(&a, 1), SaveScope::statuses);
  EXPECT_EQ(open_rows(), 2);
  EXPECT_EQ(db->count_entries("demo", q), 2u);

  b.puller_notified = true;
  b.complete_all_steps();
  db->update_entries("demo", std::span(&b, 1), SaveScope::everything);
  EXPECT_EQ(open_rows(), 1);
  EXPECT_EQ(db->delete_complete_entries("demo", "m", sql::from_micros(10000)), 1u);
  EXPECT_EQ(open_rows(), 1);
  EXPECT_EQ(db->query_entries("demo", q), std::vector<QueueEntry>{a});
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
