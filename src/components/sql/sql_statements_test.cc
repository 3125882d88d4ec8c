// The statements and tracked values of the SQL connectors, without a
// database (the conformance tests run them against real ones).
#include <gtest/gtest.h>

#include "components/sql/sql_puller.h"
#include "components/sql/sql_pusher.h"
#include "databus/builtins.h"

namespace databus {
namespace {

using namespace sql_internal;

TEST(SqlStatementsTest, UpsertsInEachDialectsOwnForm) {
  const std::vector<std::string> cols = {"id", "name"};
  EXPECT_EQ(upsert_statement("PostgreSQL", "t", cols, {}),
            "INSERT INTO t (id, name) VALUES (?, ?)");
  EXPECT_EQ(upsert_statement("PostgreSQL", "s.t", cols, {"id"}),
            "INSERT INTO s.t (id, name) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET name = "
            "excluded.name");
  EXPECT_EQ(upsert_statement("SQLite", "t", {"id"}, {"id"}),
            "INSERT INTO t (id) VALUES (?) ON CONFLICT (id) DO NOTHING");
  EXPECT_EQ(upsert_statement("MariaDB", "t", cols, {"id"}),
            "INSERT INTO t (id, name) VALUES (?, ?) ON DUPLICATE KEY UPDATE name = VALUES(name)");
  EXPECT_EQ(upsert_statement("Microsoft SQL Server", "t", cols, {"id"}),
            "MERGE INTO t t USING (SELECT ? AS id, ? AS name) s ON (t.id = s.id) WHEN MATCHED "
            "THEN UPDATE SET t.name = s.name WHEN NOT MATCHED THEN INSERT (id, name) VALUES "
            "(s.id, s.name);");
  EXPECT_NE(upsert_statement("Oracle", "t", cols, {"id"}).find("FROM dual"), std::string::npos);
}

TEST(SqlStatementsTest, IdentifiersArePlainNamesOnly) {
  EXPECT_TRUE(is_identifier("orders", false));
  EXPECT_TRUE(is_identifier("staging.orders_2", true));
  EXPECT_FALSE(is_identifier("staging.orders", false));
  EXPECT_FALSE(is_identifier("orders; DROP TABLE x", true));
  EXPECT_FALSE(is_identifier("1abc", false));
  EXPECT_FALSE(is_identifier("a.", true));
  EXPECT_FALSE(is_identifier("\"quoted\"", false));
}

TEST(SqlStatementsTest, TrackedValuesCompareByKindAndGraceGoesBack) {
  const Tracked nine = tracked_of(9), ten = tracked_of(10);
  EXPECT_TRUE(tracked_less(nine, ten));
  EXPECT_FALSE(tracked_less(ten, nine));
  EXPECT_EQ(tracked_of("42").kind, "integer");
  const Tracked ts = tracked_of("2026-03-01 00:00:05");
  EXPECT_EQ(ts.kind, "timestamp");
  EXPECT_EQ(ts.value, "2026-03-01T00:00:05.000000");
  EXPECT_EQ(minus_grace(ts, 10).value, "2026-02-28T23:59:55.000000");
  EXPECT_EQ(minus_grace(ten, 3).value, 7);
  EXPECT_TRUE(
      tracked_less(tracked_of("2026-03-01T00:00:05.000001"), tracked_of("2026-03-01T00:00:06")));
}

TEST(SqlStatementsTest, BadSettingsAreRefusedNamingTheSetting) {
  auto registry = builtin_registry();
  // The ConfigError making the component `kind` with `settings` threw, or "".
  auto refusal = [&](ComponentKind kind, nlohmann::json settings) -> std::string {
    settings["connection"] = "Driver=SQLite3";
    settings["database_file"] = "/nonexistent/x.db";
    try {
      if (kind == ComponentKind::pusher) {
        registry->make_pusher(ComponentRef{"databus.pusher.sql", settings},
                              ComponentEnv{"acme", "p"});
      } else {
        registry->make_puller(ComponentRef{"databus.puller.sql", settings},
                              ComponentEnv{"acme", "p"});
      }
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "";
  };
  auto make_pusher = [&](nlohmann::json s) { return refusal(ComponentKind::pusher, std::move(s)); };
  auto make_puller = [&](nlohmann::json s) { return refusal(ComponentKind::puller, std::move(s)); };
  EXPECT_NE(make_pusher({{"table", "t; DROP"}, {"columns", {{"id", "/id"}}}}).find("table"),
            std::string::npos);
  EXPECT_NE(make_pusher({{"table", "t"}, {"columns", {{"id", "$nope"}}}}).find("columns"),
            std::string::npos);
  EXPECT_NE(
      make_pusher({{"table", "t"}, {"columns", {{"id", "/id"}}}, {"key", {"other"}}}).find("key"),
      std::string::npos);
  EXPECT_NE(
      make_puller(
          {{"query", "SELECT * FROM t"}, {"external_id_column", "id"}, {"tracking_column", "id"}})
          .find("no '?'"),
      std::string::npos);
  EXPECT_EQ(make_puller({{"query", "SELECT * FROM t WHERE id > ? ORDER BY id"},
                         {"external_id_column", "id"},
                         {"tracking_column", "id"}}),
            "");
}

}  // namespace
}  // namespace databus
