// The operator's rules for connection strings (connection_string.h;
// docs/security.md, "Databases").
#include "components/sql/connection_string.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "databus/error.h"

namespace databus::sql {
namespace {

using testing::HasSubstr;
using testing::Not;

const std::vector<std::string> kInstalled = {"PostgreSQL Unicode", "SQLite3", "MariaDB Unicode"};

ComponentEnv env_with(nlohmann::json settings) {
  ComponentEnv env;
  env.client_id = "acme";
  env.passenger = "databus.passenger.orders";
  env.module = "databus.puller.sql";
  env.settings = std::move(settings);
  return env;
}

std::string refusal(nlohmann::json settings) {
  try {
    connection_target(env_with(std::move(settings)), kInstalled, 100);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(ConnectionStringTest, ParsesPairsAndBracedValues) {
  const auto pairs =
      parse_connection_string(" Driver={PostgreSQL Unicode}; Server=db;Pwd={a;b}}c};");
  ASSERT_EQ(pairs.size(), 3u);
  EXPECT_EQ(pairs[0], std::make_pair(std::string("Driver"), std::string("PostgreSQL Unicode")));
  EXPECT_EQ(pairs[1].second, "db");
  EXPECT_EQ(pairs[2].second, "a;b}c");
  EXPECT_EQ(parse_connection_string(format_connection_string(pairs)), pairs);
  EXPECT_THROW(parse_connection_string("Driver={open"), std::invalid_argument);
  EXPECT_THROW(parse_connection_string("novalue;Driver=x"), std::invalid_argument);
}

TEST(ConnectionStringTest, AcceptsARegisteredDriverAndAddsBatchedFetchForPostgreSql) {
  const ConnectionTarget t = connection_target(
      env_with({{"connection", "Driver=PostgreSQL Unicode;Server=db;Port=5432;Uid=u;Pwd=s3cret"}}),
      kInstalled, 250);
  EXPECT_EQ(t.driver, "PostgreSQL Unicode");
  EXPECT_THAT(t.text, HasSubstr("UseDeclareFetch=1;Fetch=250;CommLog=0"));
  EXPECT_THAT(t.secrets, testing::Contains("s3cret"));
}

TEST(ConnectionStringTest, RefusesWhatReachesTheHostNamingTheKeyNeverTheValue) {
  EXPECT_THAT(refusal({{"connection", "DSN=erp;Pwd=s3cret"}}), HasSubstr("DSN-less"));
  EXPECT_THAT(refusal({{"connection", "FILEDSN=/etc/x.dsn"}}), HasSubstr("DSN-less"));
  EXPECT_THAT(refusal({{"connection", "Driver=/tmp/evil.so;Server=db"}}), HasSubstr("by path"));
  EXPECT_THAT(refusal({{"connection", "Driver=Evil;Server=db"}}), HasSubstr("not registered"));
  EXPECT_THAT(refusal({{"connection", "Server=db"}}), HasSubstr("names no Driver"));
  const std::string plugin =
      refusal({{"connection", "Driver=MariaDB Unicode;PLUGIN_DIR=/tmp/p;Pwd=s3cret"}});
  EXPECT_THAT(plugin, HasSubstr("PLUGIN_DIR"));
  EXPECT_THAT(plugin, Not(HasSubstr("s3cret")));
  EXPECT_THAT(plugin, Not(HasSubstr("/tmp/p")));
  EXPECT_THAT(refusal({{"connection", "Driver=MariaDB Unicode;InitStmt=DROP TABLE x"}}),
              HasSubstr("InitStmt"));
}

TEST(ConnectionStringTest, AFileDatabaseIsNamedByTheHostPathSettingOnly) {
  EXPECT_THAT(refusal({{"connection", "Driver=SQLite3;Database=/etc/passwd"}}),
              HasSubstr("database_file"));
  EXPECT_THAT(refusal({{"connection", "Driver=SQLite3"}}), HasSubstr("database_file"));
  EXPECT_THAT(refusal({{"connection", "Driver=PostgreSQL Unicode"}, {"database_file", "/x.db"}}),
              HasSubstr("only for file databases"));
  const ConnectionTarget t = connection_target(
      env_with({{"connection", "Driver=SQLite3"}, {"database_file", "/srv/erp.db"}}), kInstalled,
      1);
  EXPECT_EQ(t.text, "Driver=SQLite3;Database=/srv/erp.db;");
}

}  // namespace
}  // namespace databus::sql
