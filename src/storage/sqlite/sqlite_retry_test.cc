// The SQLite engine's retry columns and passenger state (schema 6,
// sqlite_schema.cc): a file of schema 5 is migrated with the retry states
// of its entries computed from their steps, and the drive's due queries
// read the due index.
#include <gtest/gtest.h>

#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include "databus/uuid.h"
#include "storage/sql/sql_codec.h"
#include "storage/sql/sql_query.h"
#include "storage/sqlite/sqlite_database.h"
#include "storage/sqlite/sqlite_schema.h"

namespace databus {
namespace {

class SqliteRetryTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(testing::TempDir()) / ("databus_sqlite_retry_" + new_uuid());
    std::filesystem::create_directories(dir_);
    file_ = dir_ / "databus.sqlite";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Rows of `sql` run on the file directly, each row's columns joined with '|'.
  std::vector<std::string> rows(const std::string& sql) {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open(file_.c_str(), &db), SQLITE_OK);
    sqlite3_stmt* q = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &q, nullptr), SQLITE_OK)
        << sqlite3_errmsg(db);
    std::vector<std::string> out;
    while (q != nullptr && sqlite3_step(q) == SQLITE_ROW) {
      std::string row;
      for (int i = 0; i < sqlite3_column_count(q); ++i) {
        const unsigned char* text = sqlite3_column_text(q, i);
        row += (i ? "|" : "") + (text ? std::string(reinterpret_cast<const char*>(text)) : "NULL");
      }
      out.push_back(row);
    }
    sqlite3_finalize(q);
    sqlite3_close(db);
    return out;
  }

  // Inserts `e` as schema 5 held it, as key `entry`.
  void insert_v5(int entry, const QueueEntry& e) {
    const Passenger& p = e.passenger;
    const sql::EntryFlags f = sql::EntryFlags::of(e);
    const std::string key = std::to_string(entry);
    const std::string pulled = std::to_string(sql::to_micros(p.pull_datetime));
    std::string sql = "INSERT INTO entries VALUES (" + key + ", 'demo', '" + p.internal_id +
                      "', '" + p.external_id + "', 's', 'm', 'pull', " + pulled +
                      "); INSERT INTO entry_statuses VALUES (" + key + ", " +
                      std::to_string(f.notified) + ", " + std::to_string(f.processors_complete) +
                      ", " + std::to_string(f.pushers_complete) + ", " +
                      std::to_string(f.complete) + ", '" + sql::encode_steps(e) + "', '');";
    if (!f.complete) {
      sql += "INSERT INTO entry_open VALUES ('demo', 'm', " + pulled + ", '" + p.internal_id +
             "', " + key + ");";
    }
    char* error = nullptr;
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(file_.c_str(), &db), SQLITE_OK);
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK)
        << (error ? error : "");
    sqlite3_free(error);
    sqlite3_close(db);
  }

  std::filesystem::path dir_;
  std::filesystem::path file_;
};

QueueEntry entry(const std::string& external_id, int minute) {
  Passenger p;
  p.internal_id = new_uuid();
  p.external_id = external_id;
  p.source_system = "s";
  p.passenger_module = "m";
  p.puller_module = "pull";
  p.pull_datetime = sql::from_micros(60'000'000LL * minute);
  QueueEntry e = QueueEntry::seat(std::move(p), {"proc"}, {"push"});
  e.puller_notified = true;
  return e;
}

std::vector<std::string> ids(const std::vector<QueueEntry>& entries) {
  std::vector<std::string> out;
  for (const QueueEntry& e : entries) out.push_back(e.passenger.external_id);
  return out;
}

TEST_F(SqliteRetryTest, Schema5FilesAreMigratedWithTheRetryStatesOfTheirSteps) {
  {
    SqlitePool pool(file_, 1);
    migrate_sqlite_schema(pool, 5);
  }
  QueueEntry fresh = entry("fresh", 1);
  QueueEntry failing = entry("failing", 2);  // A pusher failed twice (any Databus).
  failing.processor_statuses[0].status = StepStatus::complete;
  failing.pusher_statuses[0].attempts = 2;
  failing.pusher_statuses[0].last_error = "HTTP 503";
  // Quarantined, as steps of the compact form written by a newer Databus
  // carry it (the flag columns of schema 5 know nothing of it).
  QueueEntry held = entry("held", 3);
  held.processor_statuses[0].attempts = 20;
  held.processor_statuses[0].last_error = "refused";
  held.processor_statuses[0].quarantined = true;
  QueueEntry done = entry("done", 4);
  done.complete_all_steps();
  int key = 1;
  for (const QueueEntry* e : {&fresh, &failing, &held, &done}) insert_v5(key++, *e);

  auto db = open_sqlite_database({dir_, {}});
  for (const QueueEntry* e : {&fresh, &failing, &held, &done}) {
    EXPECT_EQ(db->load_entry("demo", e->passenger.internal_id), *e);
  }
  EntryQuery q;
  q.filter = EntryFilter::failing;
  EXPECT_EQ(ids(db->query_entries("demo", q)), std::vector<std::string>{"failing"});
  q.filter = EntryFilter::quarantined;
  EXPECT_EQ(ids(db->query_entries("demo", q)), std::vector<std::string>{"held"});
  q.filter = EntryFilter::processing_due;
  q.due_by = Clock::now();
  EXPECT_EQ(ids(db->query_entries("demo", q)), std::vector<std::string>{"fresh"});
  q.filter = EntryFilter::push_due;
  EXPECT_EQ(ids(db->query_entries("demo", q)), std::vector<std::string>{"failing"});
  EXPECT_EQ(rows("SELECT version FROM schema_version"),
            std::vector<std::string>{std::to_string(kSqliteSchemaVersion)});
  EXPECT_EQ(
      rows("SELECT external_id, due_at, failing, quarantined FROM entries JOIN "
           "entry_statuses USING (entry) LEFT JOIN entry_open USING (entry) ORDER BY "
           "entry"),
      (std::vector<std::string>{"fresh|0|0|0", "failing|0|1|0", "held|NULL|0|1", "done|NULL|0|0"}));

  // The migrated rows take status writes like new ones: a retry by hand.
  held.processor_statuses[0].reset_failures();
  db->update_entries("demo", std::span(&held, 1), SaveScope::statuses);
  q.filter = EntryFilter::processing_due;
  EXPECT_EQ(ids(db->query_entries("demo", q)), (std::vector<std::string>{"fresh", "held"}));
}

// A status write that changes an open entry's due time moves it in the due
// index, also when the same entry comes twice in one batch.
TEST_F(SqliteRetryTest, StatusWritesKeepTheDueTimeOfOpenEntries) {
  auto db = open_sqlite_database({dir_, {}});
  QueueEntry e = entry("e", 1);
  db->insert_entries("demo", std::span(&e, 1));
  EntryQuery due;
  due.filter = EntryFilter::processing_due;
  due.due_by = sql::from_micros(1000);
  EXPECT_EQ(db->count_entries("demo", due), 1u);
  QueueEntry waiting = e;
  waiting.processor_statuses[0].attempts = 1;
  waiting.processor_statuses[0].next_attempt = sql::from_micros(5000);
  db->update_entries("demo", std::span(&waiting, 1), SaveScope::statuses);
  EXPECT_EQ(db->count_entries("demo", due), 0u);
  // Back and forth in one batch: the last version wins.
  const std::vector<QueueEntry> batch = {e, waiting, e};
  db->update_entries("demo", batch, SaveScope::statuses);
  EXPECT_EQ(db->count_entries("demo", due), 1u);
  const std::vector<QueueEntry> back = {waiting, e, waiting};
  db->update_entries("demo", back, SaveScope::statuses);
  EXPECT_EQ(db->count_entries("demo", due), 0u);
  due.due_by = sql::from_micros(5000);
  EXPECT_EQ(db->count_entries("demo", due), 1u);
  // By an engine that knows no keys yet: the stored due time is read from
  // the file.
  db.reset();
  db = open_sqlite_database({dir_, {}});
  db->update_entries("demo", std::span(&e, 1), SaveScope::statuses);
  due.due_by = sql::from_micros(1000);
  EXPECT_EQ(db->count_entries("demo", due), 1u);
}

// The drive's queries of due and of unnotified entries read an index of
// those first, not every open entry of the client passenger
// (docs/storage-engines.md "Retry states").
TEST_F(SqliteRetryTest, DueQueriesUseTheDueIndex) {
  open_sqlite_database({dir_, {}});
  for (EntryFilter filter :
       {EntryFilter::processing_due, EntryFilter::push_due, EntryFilter::unnotified}) {
    EntryQuery q;
    q.passenger_module = "m";
    q.filter = filter;
    if (filter == EntryFilter::unnotified) {
      q.puller_module = "pull";
    } else {
      q.due_by = Clock::now();
    }
    const sql::Statement s = sql::select_entries(sql::sqlite_dialect(), "demo", q);
    std::string text = "EXPLAIN QUERY PLAN " + s.text;
    // The plan does not depend on the values: inline them for the shell.
    for (const sql::Value& v : s.parameters) {
      const std::size_t at = text.find('?');
      ASSERT_NE(at, std::string::npos);
      text.replace(at, 1,
                   std::holds_alternative<std::string>(v)
                       ? "'" + std::get<std::string>(v) + "'"
                       : std::to_string(std::get<std::int64_t>(v)));
    }
    std::string plan;
    for (const std::string& row : rows(text)) plan += row + "\n";
    if (filter == EntryFilter::unnotified) {
      // The index is read first: the plan's first line.
      EXPECT_NE(plan.substr(0, plan.find('\n')).find("entry_statuses_unnotified"),
                std::string::npos)
          << text << "\n"
          << plan;
      continue;
    }
    // Two arms merged: the entries due at once straight from the due index
    // in the query's order, unsorted; then those whose attempt came, sorted.
    const std::size_t merge = plan.find("MERGE (UNION ALL)");
    const std::size_t at_once = plan.find("USING INDEX entry_open_due (", merge);
    const std::size_t came = plan.find("USING INDEX entry_open_due (", at_once + 1);
    const std::size_t sort = plan.find("TEMP B-TREE");
    ASSERT_NE(merge, std::string::npos) << plan;
    ASSERT_NE(at_once, std::string::npos) << plan;
    ASSERT_NE(came, std::string::npos) << plan;
    EXPECT_NE(plan.find("due_at=?", at_once), std::string::npos) << plan;
    EXPECT_TRUE(sort == std::string::npos || sort > came) << plan;
    EXPECT_EQ(plan.find("TEMP B-TREE", sort + 1), std::string::npos) << plan;
  }
}

// An unsynced commit (write_passenger_state_unsynced()) skips only the
// log's sync: a process that dies after it (no close, no checkpoint) leaves
// it in the log for the next one, before and after durable commits alike.
TEST_F(SqliteRetryTest, UnsyncedStateWritesSurviveTheProcessEnding) {
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto db = open_sqlite_database({dir_, {}});
    db->write_passenger_state_unsynced("demo", "m", "first", "1");
    db->write_passenger_state("demo", "m", "durable", "2");
    db->write_passenger_state_unsynced("demo", "m", "last", "3");
    _exit(0);  // As SIGKILL would: nothing closed, nothing checkpointed.
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  auto db = open_sqlite_database({dir_, {}});
  EXPECT_EQ(db->list_passenger_state("demo", "m"),
            (std::map<std::string, std::string>{{"durable", "2"}, {"first", "1"}, {"last", "3"}}));
  // The connection syncs its later commits again.
  db->write_passenger_state("demo", "m", "after", "4");
  EXPECT_EQ(db->read_passenger_state("demo", "m", "after"), "4");
}

}  // namespace
}  // namespace databus
