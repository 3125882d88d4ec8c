#include "components/sql/sql_test_databases.h"

#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>

namespace databus::testing_support {

namespace {

// The conninfo line the server's script wrote under DATABUS_SQL_TEST_DIR;
// nullopt outside ctest. Under ctest a missing file is the fixture's
// failure: throws, so the tests fail rather than skip.
std::optional<std::string> first_line(const std::string& server) {
  const char* dir = std::getenv("DATABUS_SQL_TEST_DIR");
  if (dir == nullptr || *dir == '\0') return std::nullopt;
  const std::filesystem::path file = std::filesystem::path(dir) / server / "conninfo";
  std::ifstream in(file);
  std::string line;
  if (!std::getline(in, line))
    throw std::runtime_error("no test server: " + file.string() + " is missing");
  return line;
}

}  // namespace

std::unique_ptr<odbc::Connection> SqlTestDatabase::connect() const {
  return std::make_unique<odbc::Connection>(connection, std::vector<std::string>{},
                                            std::chrono::seconds(30));
}

void SqlTestDatabase::run(const std::string& sql) const {
  auto c = connect();
  std::size_t at = 0;
  while (at < sql.size()) {
    std::size_t end = sql.find(";\n", at);
    if (end == std::string::npos) end = sql.size();
    const std::string one = sql.substr(at, end - at);
    if (one.find_first_not_of(" \n") != std::string::npos) c->execute(one, {});
    at = end + 2;
  }
}

std::int64_t SqlTestDatabase::count(const std::string& sql) const {
  auto c = connect();
  odbc::Cursor cursor = c->query(sql, {});
  std::vector<odbc::Value> row;
  if (!cursor.next(row) || row.empty()) return -1;
  if (row[0].kind == odbc::Value::Kind::integer) return row[0].integer;
  return std::stoll(row[0].text);
}

std::optional<SqlTestDatabase> sql_test_database(const std::string& name,
                                                 const std::filesystem::path& dir) {
  SqlTestDatabase db;
  db.name = name;
  if (name == "sqlite") {
    const std::string file = (dir / "test.sqlite").string();
    db.settings = {{"connection", "Driver=SQLite3"}, {"database_file", file}};
    db.connection = "Driver=SQLite3;Database=" + file + ";";
    db.blob_type = "blob";
    db.timestamp_type = "timestamp";
    db.real_type = "double";
    return db;
  }
  if (name == "postgresql") {
    const std::optional<std::string> info = first_line("pg");
    if (!info) return std::nullopt;
    // libpq's "key=value ..." as ODBC keys.
    std::istringstream in(*info);
    std::string pair, connection = "Driver=PostgreSQL Unicode;";
    for (std::string item; in >> item;) {
      const std::size_t eq = item.find('=');
      const std::string key = item.substr(0, eq), value = item.substr(eq + 1);
      const std::string odbc_key = key == "host"       ? "Server"
                                   : key == "dbname"   ? "Database"
                                   : key == "user"     ? "Uid"
                                   : key == "password" ? "Pwd"
                                                       : "Port";
      connection += odbc_key + "=" + value + ";";
    }
    db.settings = {{"connection", connection}};
    db.connection = connection + "CommLog=0;Debug=0;";
    db.blob_type = "bytea";
    db.timestamp_type = "timestamp";
    db.real_type = "double precision";
    return db;
  }
  if (name == "mariadb") {
    const std::optional<std::string> info = first_line("mariadb");
    if (!info) return std::nullopt;
    const std::string connection = "Driver=MariaDB Unicode;" + *info;
    db.settings = {{"connection", connection}};
    db.connection = connection;
    db.blob_type = "longblob";
    db.timestamp_type = "datetime(6)";
    db.real_type = "double";
    return db;
  }
  return std::nullopt;
}

}  // namespace databus::testing_support
