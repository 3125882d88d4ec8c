// The SQL pusher against SQLite, PostgreSQL and MariaDB through their ODBC
// drivers: a target with a unique key, a retried push, one transaction per
// passenger, and secrets kept out of errors.
#include <filesystem>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "components/sql/sql_components.h"
#include "components/sql/sql_pusher.h"
#include "components/sql/sql_test_databases.h"
#include "databus/builtins.h"
#include "databus/log.h"

namespace databus {
namespace {

using testing::HasSubstr;
using testing::Not;
using testing_support::SqlTestDatabase;

class SqlPusherConformance : public testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("databus-sql-pusher-" + std::to_string(::getpid()) + "-" + GetParam());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    std::optional<SqlTestDatabase> db = testing_support::sql_test_database(GetParam(), dir_);
    if (!db) GTEST_SKIP() << "no " << GetParam() << " test server (run through ctest)";
    db_ = *db;
    registry_ = builtin_registry();
    passenger_.name = "databus.passenger.orders";
    db_.run("DROP TABLE IF EXISTS orders_in");
    db_.run(
        "CREATE TABLE orders_in (order_id varchar(64) NOT NULL, line integer NOT NULL, "
        "customer varchar(100) NOT NULL, total " +
        db_.real_type + ", internal_id varchar(64), PRIMARY KEY (order_id, line))");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<Pusher> pusher(nlohmann::json settings) {
    nlohmann::json all = db_.settings;
    all.update(settings);
    return registry_->make_pusher(ComponentRef{kSqlPusherModule, all},
                                  ComponentEnv{"acme", passenger_.name});
  }

  QueueEntry entry(const std::string& external_id, const nlohmann::json& order) {
    Passenger p;
    p.external_id = external_id;
    p.internal_id = "0f8fad5b-d9cb-469f-a165-70867728950e";
    p.source_system = "erp";
    p.add_attachment("order.json", AttachmentFormat::text, order.dump());
    return QueueEntry::seat(std::move(p), {}, {kSqlPusherModule});
  }

  void push(Pusher& pusher, QueueEntry& e) {
    Log log;
    DriveContext ctx("acme", passenger_, log, [] { return Passenger{}; });
    pusher.push(ctx, e);
    pusher.flush(ctx);
  }

  const nlohmann::json kUpsert = {{"table", "orders_in"},
                                  {"columns",
                                   {{"order_id", "$external_id"},
                                    {"line", "/line"},
                                    {"customer", "/customer/name"},
                                    {"total", "/total"},
                                    {"internal_id", "$internal_id"}}},
                                  {"key", {"order_id", "line"}},
                                  {"rows_pointer", "/lines"}};

  std::filesystem::path dir_;
  SqlTestDatabase db_;
  std::shared_ptr<Registry> registry_;
  ClientPassenger passenger_;
};

nlohmann::json order(double total) {
  return {{"lines",
           {{{"line", 1}, {"customer", {{"name", "Ann"}}}, {"total", total}},
            {{"line", 2}, {"customer", {{"name", "Ann"}}}, {"total", 1}}}}};
}

TEST_P(SqlPusherConformance, ARetriedPushChangesNothingAndAChangedOneUpdatesInPlace) {
  auto p = pusher(kUpsert);
  QueueEntry e = entry("A1", order(12.5));
  push(*p, e);
  push(*p, e);                   // Retried after a crash: the key holds.
  auto again = pusher(kUpsert);  // Another drive, another connection.
  push(*again, e);
  EXPECT_EQ(db_.count("SELECT COUNT(*) FROM orders_in"), 2);
  QueueEntry changed = entry("A1", order(99));
  push(*again, changed);
  EXPECT_EQ(db_.count("SELECT COUNT(*) FROM orders_in"), 2);
  EXPECT_EQ(db_.count("SELECT COUNT(*) FROM orders_in WHERE total = 99 AND line = 1 AND "
                      "customer = 'Ann' AND internal_id = '0f8fad5b-d9cb-469f-a165-70867728950e'"),
            1);
}

TEST_P(SqlPusherConformance, APassengerIsWrittenWholeOrNotAtAll) {
  auto p = pusher(kUpsert);
  nlohmann::json bad = order(5);
  bad["lines"][1].erase("customer");  // NULL into a NOT NULL column: the second row fails.
  QueueEntry e = entry("B1", bad);
  EXPECT_THROW(push(*p, e), Error);
  EXPECT_EQ(db_.count("SELECT COUNT(*) FROM orders_in WHERE order_id = 'B1'"), 0);
  QueueEntry good = entry("B2", order(5));
  push(*p, good);  // The pusher goes on after a failed passenger.
  EXPECT_EQ(db_.count("SELECT COUNT(*) FROM orders_in WHERE order_id = 'B2'"), 2);
}

TEST_P(SqlPusherConformance, WithoutAKeyAUniqueColumnRefusesTheRepeatedInsert) {
  nlohmann::json insert = kUpsert;
  insert.erase("key");
  auto p = pusher(insert);
  QueueEntry e = entry("C1", order(1));
  push(*p, e);
  EXPECT_THROW(push(*p, e), Error);
  EXPECT_EQ(db_.count("SELECT COUNT(*) FROM orders_in WHERE order_id = 'C1'"), 2);
}

TEST_P(SqlPusherConformance, AFailedConnectionNamesNoSecret) {
  if (GetParam() == "sqlite") GTEST_SKIP() << "a file database has no password";
  nlohmann::json settings = kUpsert;
  std::string connection = db_.settings["connection"];
  const std::size_t pwd = connection.find("Pwd=");
  connection = connection.substr(0, pwd) + "Pwd=wrong-s3cret-value;";
  nlohmann::json all = db_.settings;
  all.update(settings);
  all["connection"] = connection;
  all["login_timeout_seconds"] = 10;
  auto p = registry_->make_pusher(ComponentRef{kSqlPusherModule, all},
                                  ComponentEnv{"acme", passenger_.name});
  QueueEntry e = entry("D1", order(1));
  try {
    push(*p, e);
    FAIL() << "connected with a wrong password";
  } catch (const Error& error) {
    EXPECT_THAT(error.what(), HasSubstr("cannot connect"));
    EXPECT_THAT(error.what(), Not(HasSubstr("wrong-s3cret-value")));
  }
}

INSTANTIATE_TEST_SUITE_P(Databases, SqlPusherConformance,
                         testing::Values("sqlite", "postgresql", "mariadb"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace databus
