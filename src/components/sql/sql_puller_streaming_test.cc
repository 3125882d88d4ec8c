// The puller conformance suite (puller_conformance.h) for the SQL puller on
// SQLite, PostgreSQL and MariaDB (the ctest fixture `databus_sql_servers`):
// rows tracked by id, fetched two at a time (batch_rows). On PostgreSQL the
// query numbers each row it produces from a sequence, which another session
// reads: how many rows the server has produced so far.
#include <unistd.h>

#include <filesystem>

#include "components/puller_conformance.h"
#include "components/sql/sql_puller.h"
#include "components/sql/sql_test_databases.h"

namespace databus::testing_support {
namespace {

class SqlSource : public PullerSource {
 public:
  SqlSource(const std::string& name, SqlTestDatabase db, std::filesystem::path dir)
      : db_(std::move(db)), dir_(std::move(dir)), counts_(name == "postgresql") {
    db_.run("DROP TABLE IF EXISTS stream_rows");
    db_.run("CREATE TABLE stream_rows (id integer PRIMARY KEY, name varchar(100))");
    if (counts_) {
      db_.run("DROP SEQUENCE IF EXISTS stream_reads");
      db_.run("CREATE SEQUENCE stream_reads");
    }
  }
  ~SqlSource() override { std::filesystem::remove_all(dir_); }

  void fill(int n) override {
    std::string sql = "INSERT INTO stream_rows (id, name) VALUES ";
    for (int i = 1; i <= n; ++i) {
      if (i > 1) sql += ", ";
      sql += "(" + std::to_string(i) + ", 'row " + std::to_string(i) + "')";
    }
    db_.run(sql);
  }
  std::string external_id(int i) const override { return std::to_string(i); }
  std::unique_ptr<Puller> make_puller() override {
    nlohmann::json settings = db_.settings;
    settings.update(
        {{"query", counts_ ? "SELECT id, name, nextval('stream_reads') AS read_no FROM "
                             "stream_rows WHERE id > ? ORDER BY id"
                           : "SELECT id, name FROM stream_rows WHERE id > ? ORDER BY id"},
         {"tracking_column", "id"},
         {"external_id_column", "id"},
         {"batch_rows", 2}});
    return make_builtin_puller(kSqlPullerModule, std::move(settings));
  }
  std::optional<int> items_read() const override {
    if (!counts_) return std::nullopt;
    return static_cast<int>(
        db_.count("SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM stream_reads"));
  }

 private:
  SqlTestDatabase db_;
  std::filesystem::path dir_;
  bool counts_;
};

std::unique_ptr<PullerSource> source(const std::string& name) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() /
      ("databus-sql-stream-" + std::to_string(::getpid()) + "-" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::optional<SqlTestDatabase> db = sql_test_database(name, dir);
  if (!db) return nullptr;
  return std::make_unique<SqlSource>(name, *db, dir);
}

INSTANTIATE_TEST_SUITE_P(Sql, PullerConformanceTest,
                         testing::Values(PullerKind{"sqlite", [] { return source("sqlite"); }},
                                         PullerKind{"postgresql",
                                                    [] { return source("postgresql"); }},
                                         PullerKind{"mariadb", [] { return source("mariadb"); }}),
                         PullerKind::name_of);

}  // namespace
}  // namespace databus::testing_support
