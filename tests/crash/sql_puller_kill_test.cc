// The SQL puller in the `databus` program killed with SIGKILL between fetch
// and seat, and between seat and notify (the failpoints drive.pull and
// drive.seat, src/model/failpoint.h), on SQLite, PostgreSQL and MariaDB:
// nothing is skipped, nothing is queued twice, and the tracked value moves
// only past what was seated and notified (docs/connectors.md, "SQL
// databases").
#include <signal.h>
#include <sys/wait.h>

#include <filesystem>
#include <set>

#include <gtest/gtest.h>

#include "cli/child_process.h"
#include "components/sql/sql_puller.h"
#include "components/sql/sql_test_databases.h"
#include "crash/process_state.h"
#include "databus/builtins.h"
#include "databus/database.h"
#include "databus/factories.h"
#include "test_paths.h"

namespace databus {
namespace {

namespace fs = std::filesystem;
using testing_support::SqlTestDatabase;

constexpr char kClient[] = "erp";
constexpr char kPassenger[] = "databus.passenger.generic.orders";

class SqlPullerKillTest : public testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("databus-sql-kill-" + std::to_string(::getpid()) + "-" + GetParam());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    std::optional<SqlTestDatabase> db = testing_support::sql_test_database(GetParam(), dir_);
    if (!db) GTEST_SKIP() << "no " << GetParam() << " test server (run through ctest)";
    db_ = *db;
    db_.run("DROP TABLE IF EXISTS kill_rows");
    db_.run("CREATE TABLE kill_rows (id integer PRIMARY KEY, name varchar(100))");
    insert_rows(1, 300);

    nlohmann::json puller = db_.settings;
    puller.update(
        nlohmann::json{{"module", kSqlPullerModule},
                       {"query", "SELECT id, name FROM kill_rows WHERE id > ? ORDER BY id"},
                       {"tracking_column", "id"},
                       {"external_id_column", "id"},
                       {"batch_rows", 100}});
    const nlohmann::json config = {
        {"passengers",
         {{{"name", kPassenger}, {"pullers", {puller}}, {"queue", "databus.pqueue.primal_queue"}}}},
        {"users", nlohmann::json::array()}};
    store()->write_client_config_text(kClient, config.dump(2));
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(dir_);
  }

  void insert_rows(int first, int last) {
    std::string sql = "INSERT INTO kill_rows (id, name) VALUES ";
    for (int id = first; id <= last; ++id) {
      if (id != first) sql += ", ";
      sql += "(" + std::to_string(id) + ", 'row " + std::to_string(id) + "')";
    }
    db_.run(sql);
  }

  std::unique_ptr<Database> store() const {
    return Factories::primal(builtin_registry())
        .database("json_db", DatabaseEnv{dir_ / "data", {}});
  }

  std::vector<std::string> drive_command() const {
    return {DATABUS_CLI_PATH, "drive", kClient, kPassenger, "--data-dir", (dir_ / "data").string()};
  }

  // Runs one drive that stops itself at `failpoint` (NAME@N) and is killed
  // there with SIGKILL.
  void drive_killed_at(const std::string& failpoint) {
    setenv("DATABUS_FAILPOINTS", failpoint.c_str(), 1);
    cli::ChildProcess drive(drive_command(), dir_ / "drive.out", dir_ / "drive.err");
    unsetenv("DATABUS_FAILPOINTS");
    ASSERT_TRUE(testing_support::await_stopped(drive.pid(), std::chrono::seconds(60)))
        << "the drive never reached " << failpoint;
    drive.signal(SIGKILL);
    const std::optional<int> status = drive.wait_for(std::chrono::seconds(10));
    ASSERT_TRUE(status && WIFSIGNALED(*status) && WTERMSIG(*status) == SIGKILL);
  }

  std::multiset<std::string> queued_ids() const {
    std::multiset<std::string> ids;
    for (const QueueEntry& e : store()->query_entries(kClient, EntryQuery{})) {
      ids.insert(e.passenger.external_id);
    }
    return ids;
  }

  std::optional<nlohmann::json> tracked() const {
    for (const auto& [name, text] : store()->list_passenger_state(kClient, kPassenger)) {
      if (name.starts_with("sql_puller.")) return nlohmann::json::parse(text)["value"];
    }
    return std::nullopt;
  }

  fs::path dir_;
  SqlTestDatabase db_;
};

TEST_P(SqlPullerKillTest, AKillBetweenFetchAndSeatOrBeforeNotifyLosesAndRepeatsNothing) {
  // Fetched, nothing seated: nothing queued, nothing tracked.
  drive_killed_at("drive.pull@1");
  EXPECT_TRUE(queued_ids().empty());
  EXPECT_EQ(tracked(), std::nullopt);

  // Seated, the puller not notified: the rows are queued, the tracked value
  // has not moved, so the next drive reads them again (and drops them as
  // duplicates).
  drive_killed_at("drive.seat@1");
  const std::size_t seated = queued_ids().size();
  EXPECT_GT(seated, 0u);
  EXPECT_EQ(tracked(), std::nullopt);

  insert_rows(301, 350);
  const cli::ProgramResult done = cli::run_program(drive_command(), dir_);
  ASSERT_EQ(done.exit_code, 0) << done.out << done.err;
  const std::multiset<std::string> ids = queued_ids();
  ASSERT_EQ(ids.size(), 350u) << done.out;
  for (int id = 1; id <= 350; ++id) EXPECT_EQ(ids.count(std::to_string(id)), 1u) << id;
  EXPECT_EQ(tracked(), nlohmann::json(350));
}

INSTANTIATE_TEST_SUITE_P(Databases, SqlPullerKillTest,
                         testing::Values("sqlite", "postgresql", "mariadb"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace databus
