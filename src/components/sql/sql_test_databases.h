// For tests only: the three databases the SQL connectors' conformance tests
// run against through Debian's ODBC drivers: SQLite (a file of the test's
// own), PostgreSQL (scripts/pg-test-server.sh) and MariaDB
// (scripts/mariadb-test-server.sh), both started by the ctest fixture
// `databus_sql_servers` (src/components/sql/CMakeLists.txt).
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "components/sql/odbc.h"

namespace databus::testing_support {

struct SqlTestDatabase {
  std::string name;  // "sqlite", "postgresql", "mariadb".
  // The connector settings reaching it: connection (and database_file).
  nlohmann::json settings;
  std::string connection;  // The full connection string, for the test's own statements.
  std::string blob_type;   // Column types in its dialect.
  std::string timestamp_type;
  std::string real_type;

  // A connection for the test's own statements.
  std::unique_ptr<odbc::Connection> connect() const;
  // Runs each statement of `sql` (split at ";\n").
  void run(const std::string& sql) const;
  // The single integer the query returns.
  std::int64_t count(const std::string& sql) const;
};

// The database `name`, or nullopt outside ctest (no DATABUS_SQL_TEST_DIR):
// callers skip then. Throws when ctest's server left no conninfo. `dir`
// holds a SQLite file.
std::optional<SqlTestDatabase> sql_test_database(const std::string& name,
                                                 const std::filesystem::path& dir);

}  // namespace databus::testing_support
