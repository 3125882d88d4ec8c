// The SQL puller against SQLite, PostgreSQL and MariaDB through their ODBC
// drivers, in real drives of the primal driver (docs/connectors.md, "SQL
// databases"): 10,000 rows with rows inserted during the drive, a drive
// stopped between fetch and seat, late rows inside the grace window, and
// timestamps with ties.
#include <filesystem>
#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "components/sql/sql_components.h"
#include "components/sql/sql_puller.h"
#include "components/sql/sql_test_databases.h"
#include "databus/database_wrapper.h"
#include "driver/recording_components.h"

namespace databus {
namespace {

using testing_support::DriverHarness;
using testing_support::SqlTestDatabase;

class SqlPullerConformance : public testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("databus-sql-puller-" + std::to_string(::getpid()) + "-" + GetParam());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    std::optional<SqlTestDatabase> db = testing_support::sql_test_database(GetParam(), dir_);
    if (!db) GTEST_SKIP() << "no " << GetParam() << " test server (run through ctest)";
    db_ = *db;
    register_sql_components(*h_.registry);
    h_.passenger.processors = {};
    h_.passenger.pushers = {};
    db_.run("DROP TABLE IF EXISTS src_rows");
    db_.run("CREATE TABLE src_rows (id integer PRIMARY KEY, name varchar(100), amount " +
            db_.real_type + ", data " + db_.blob_type + ", changed " + db_.timestamp_type + ")");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Rows first..last, in one transaction of multi-row INSERTs.
  void insert_rows(int first, int last) {
    auto c = db_.connect();
    c->begin();
    for (int at = first; at <= last; at += 500) {
      std::string sql = "INSERT INTO src_rows (id, name, amount, changed) VALUES ";
      for (int id = at; id <= std::min(last, at + 499); ++id) {
        if (id != at) sql += ", ";
        sql += "(" + std::to_string(id) + ", 'row " + std::to_string(id) + "', " +
               std::to_string(id) + ".5, '2026-03-01 10:00:00')";
      }
      c->execute(sql, {});
    }
    c->commit();
  }

  void use_puller(nlohmann::json settings) {
    nlohmann::json all = db_.settings;
    all.update(settings);
    h_.passenger.pullers = {ComponentRef{kSqlPullerModule, all}};
  }

  std::multiset<std::string> queued_ids() {
    std::multiset<std::string> ids;
    for (const QueueEntry& e : h_.entries()) ids.insert(e.passenger.external_id);
    return ids;
  }

  std::optional<nlohmann::json> tracked() {
    for (const auto& [name, text] :
         h_.database.list_passenger_state(h_.client_id, h_.passenger.name)) {
      if (name.starts_with("sql_puller.")) return nlohmann::json::parse(text)["value"];
    }
    return std::nullopt;
  }

  std::filesystem::path dir_;
  SqlTestDatabase db_;
  DriverHarness h_;
};

// Inserts rows into the source table when the drive seats what it fetched:
// rows committed while the drive runs.
class InsertsWhileSeating : public DatabaseWrapper {
 public:
  InsertsWhileSeating(Database& target, std::function<void()> insert)
      : DatabaseWrapper(target), insert_(std::move(insert)) {}
  std::vector<std::size_t> seat_entries(const std::string& client_id,
                                        std::span<const QueueEntry> entries) override {
    if (insert_) std::exchange(insert_, nullptr)();
    return DatabaseWrapper::seat_entries(client_id, entries);
  }

 private:
  std::function<void()> insert_;
};

// A drive that stops between fetch and seat (as a crash there would).
class FailsToSeat : public DatabaseWrapper {
 public:
  using DatabaseWrapper::DatabaseWrapper;
  std::vector<std::size_t> seat_entries(const std::string&, std::span<const QueueEntry>) override {
    throw Error("the drive stopped before seating");
  }
};

TEST_P(SqlPullerConformance, ReadsTenThousandRowsOnceEachWhileRowsArriveDuringTheDrive) {
  insert_rows(1, 10000);
  use_puller({{"query", "SELECT id, name, amount, data FROM src_rows WHERE id > ? ORDER BY id"},
              {"tracking_column", "id"},
              {"external_id_column", "id"},
              {"max_rows", 4000},
              {"batch_rows", 500}});
  InsertsWhileSeating during(h_.database, [this] { insert_rows(10001, 10050); });
  h_.drive(&during);
  EXPECT_EQ(queued_ids().size(), 4000u);
  EXPECT_EQ(tracked(), nlohmann::json(4000));
  for (int i = 0; i < 5 && queued_ids().size() < 10050; ++i) h_.drive();

  const std::multiset<std::string> ids = queued_ids();
  ASSERT_EQ(ids.size(), 10050u);
  for (int id = 1; id <= 10050; ++id) ASSERT_EQ(ids.count(std::to_string(id)), 1u) << id;
  EXPECT_EQ(tracked(), nlohmann::json(10050));
  const QueueEntry first = h_.entry("1");
  ASSERT_NE(first.passenger.find_attachment("row.json"), nullptr);
  const nlohmann::json row =
      nlohmann::json::parse(first.passenger.find_attachment("row.json")->content);
  EXPECT_EQ(row["id"], 1);
  EXPECT_EQ(row["name"], "row 1");
  EXPECT_DOUBLE_EQ(row["amount"].get<double>(), 1.5);
  EXPECT_EQ(first.passenger.source_system, "sql");
}

TEST_P(SqlPullerConformance, ADriveStoppedBetweenFetchAndSeatReadsTheSameRowsAgain) {
  insert_rows(1, 100);
  use_puller({{"query", "SELECT id, name FROM src_rows WHERE id > ? ORDER BY id"},
              {"tracking_column", "id"},
              {"external_id_column", "id"}});
  FailsToSeat stopped(h_.database);
  h_.drive(&stopped);
  EXPECT_TRUE(queued_ids().empty());
  EXPECT_EQ(tracked(), std::nullopt);  // Not advanced: nothing was seated.
  h_.drive();
  EXPECT_EQ(queued_ids().size(), 100u);
  EXPECT_EQ(tracked(), nlohmann::json(100));
  h_.drive();  // Nothing new.
  EXPECT_EQ(queued_ids().size(), 100u);
}

TEST_P(SqlPullerConformance, RowsCommittedLateInsideTheGraceWindowAreStillRead) {
  insert_rows(1, 90);
  insert_rows(96, 100);
  use_puller({{"query", "SELECT id, name FROM src_rows WHERE id > ? ORDER BY id"},
              {"tracking_column", "id"},
              {"external_id_column", "id"},
              {"grace", 10}});
  h_.drive();
  EXPECT_EQ(queued_ids().size(), 95u);
  insert_rows(91, 95);  // Committed after rows with greater ids were read.
  h_.drive();
  const std::multiset<std::string> ids = queued_ids();
  EXPECT_EQ(ids.size(), 100u);  // 96..100 read again and dropped as repeats.
  for (int id = 91; id <= 95; ++id) EXPECT_EQ(ids.count(std::to_string(id)), 1u) << id;
}

TEST_P(SqlPullerConformance, TimestampsWithTiesAreReadAgainFromTheKeptValue) {
  insert_rows(1, 5);  // All changed at 10:00:00.
  use_puller(
      {{"query", "SELECT id, name, changed FROM src_rows WHERE changed >= ? ORDER BY changed, id"},
       {"tracking_column", "changed"},
       {"external_id_column", "id"},
       {"initial_value", "1970-01-01T00:00:00"},
       {"max_rows", 3}});
  h_.drive();
  EXPECT_EQ(queued_ids().size(), 3u);
  EXPECT_EQ(tracked(), nlohmann::json("2026-03-01T10:00:00.000000"));
  h_.drive();  // The rest of the tie: ">=" reads the same instant again.
  EXPECT_EQ(queued_ids().size(), 5u);
  db_.run("UPDATE src_rows SET changed = '2026-03-01 11:00:00' WHERE id = 2");
  db_.run("INSERT INTO src_rows (id, name, changed) VALUES (6, 'row 6', '2026-03-01 11:00:00')");
  h_.drive();
  EXPECT_EQ(queued_ids().size(), 6u);  // Row 2 is queued already (external id 2).
  EXPECT_EQ(tracked(), nlohmann::json("2026-03-01T11:00:00.000000"));
}

TEST_P(SqlPullerConformance, BinaryColumnsBecomeBinaryAttachmentsAndRowsGroupByKey) {
  db_.run("DROP TABLE IF EXISTS order_lines");
  db_.run("CREATE TABLE order_lines (order_id varchar(20), line integer, data " + db_.blob_type +
          ")");
  auto c = db_.connect();
  odbc::Value blob;
  blob.kind = odbc::Value::Kind::binary;
  blob.text = std::string("\x00\x01\xff", 3);
  c->execute("INSERT INTO order_lines VALUES (?, ?, ?)",
             {odbc::Value::of_text("A"), odbc::Value::of_integer(1), blob});
  c->execute("INSERT INTO order_lines VALUES ('A', 2, NULL)", {});
  c->execute("INSERT INTO order_lines VALUES ('B', 1, NULL)", {});
  use_puller({{"query", "SELECT order_id, line, data FROM order_lines ORDER BY order_id, line"},
              {"external_id_column", "order_id"},
              {"group_rows", true}});
  h_.drive();
  EXPECT_EQ(queued_ids(), (std::multiset<std::string>{"A", "B"}));
  const QueueEntry a = h_.entry("A");
  const nlohmann::json rows =
      nlohmann::json::parse(a.passenger.find_attachment("rows.json")->content);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1]["line"], 2);
  ASSERT_NE(a.passenger.find_attachment("data.bin"), nullptr);
  EXPECT_EQ(a.passenger.find_attachment("data.bin")->content, std::string("\x00\x01\xff", 3));
  EXPECT_EQ(a.passenger.find_attachment("data.bin")->format, AttachmentFormat::binary);
}

TEST_P(SqlPullerConformance, ParametersAreBoundNeverPastedIntoTheQuery) {
  insert_rows(1, 3);
  db_.run("INSERT INTO src_rows (id, name) VALUES (4, 'x'' OR ''1''=''1')");
  use_puller({{"query", "SELECT id, name FROM src_rows WHERE name > ? ORDER BY name"},
              {"tracking_column", "name"},
              {"external_id_column", "id"},
              {"initial_value", "row 2"}});
  h_.drive();
  // Only names after "row 2" ("row 3" and the quote-laden one), the quote
  // text taken as a value.
  EXPECT_EQ(queued_ids(), (std::multiset<std::string>{"3", "4"}));
  EXPECT_EQ(tracked(), nlohmann::json("x' OR '1'='1"));
  h_.drive();
  EXPECT_EQ(queued_ids().size(), 2u);
}

INSTANTIATE_TEST_SUITE_P(Databases, SqlPullerConformance,
                         testing::Values("sqlite", "postgresql", "mariadb"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace databus
