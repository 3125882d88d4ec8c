// The SQLite engine's configuration versions beyond the conformance suite:
// rows from before schema 4, and two writers of one file.
#include <gtest/gtest.h>

#include <sqlite3.h>
#include <latch>
#include <mutex>
#include <optional>
#include <thread>

#include "databus/error.h"
#include "databus/uuid.h"
#include "storage/sqlite/sqlite_connection.h"
#include "storage/sqlite/sqlite_database.h"
#include "storage/sqlite/sqlite_database_impl.h"
#include "storage/sqlite/sqlite_schema.h"

namespace databus {
namespace {

class SqliteConfigVersionTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(testing::TempDir()) / ("databus_sqlite_version_" + new_uuid());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path file() const { return dir_ / "databus.sqlite"; }

  std::filesystem::path dir_;
};

// A configuration stored by schema 3 has no version: it reads as
// kUnversioned, saved by nobody at no known time, and the first save from
// that version replaces it, after which the old one is stale like any other.
TEST_F(SqliteConfigVersionTest, RowsOfSchema3AreUnversionedUntilTheirNextSave) {
  {
    SqlitePool pool(file(), 1);
    migrate_sqlite_schema(pool, 3);
    SqliteWrite write(pool);
    write.connection().exec("INSERT INTO clients (client_id, config_text) VALUES ('demo', '{}')");
    write.commit();
  }
  auto db = open_sqlite_database({dir_, {}});
  const VersionedText old = db->read_client_config_versioned("demo");
  EXPECT_EQ(old.text, "{}");
  EXPECT_EQ(old.version.tag, kUnversioned);
  EXPECT_EQ(old.version.saved_by, "");
  EXPECT_EQ(old.version.saved(), std::nullopt);
  const ConfigVersion saved =
      db->write_client_config_text_if("demo", "{\"log_life_span\": 2}", kUnversioned, "alice");
  EXPECT_NE(saved.tag, kUnversioned);
  EXPECT_THROW(db->write_client_config_text_if("demo", "{}", kUnversioned, "bob"),
               EditConflictError);
  EXPECT_EQ(db->read_client_config_text("demo"), "{\"log_life_span\": 2}");
}

// Another writer of the file (a second connection pool, as another process
// would have): BEGIN IMMEDIATE keeps its comparison and update together, so
// of two saves from one version, one on each, exactly one wins.
TEST_F(SqliteConfigVersionTest, OfTwoWritersOfOneFileSavingFromOneVersionOneWins) {
  auto mine = open_sqlite_database({dir_, {}});
  SqliteDatabase other(file(), false);
  mine->write_client_config_text("demo", "{}");
  Database* writers[2] = {mine.get(), &other};
  for (int round = 0; round < 20; ++round) {
    const std::string tag = other.read_client_config_versioned("demo").version.tag;
    std::optional<ConfigVersion> won[2];
    int conflicts = 0;
    std::mutex mutex;
    std::latch start(2);
    auto save = [&](int i) {
      start.arrive_and_wait();
      try {
        won[i] = writers[i]->write_client_config_text_if(
            "demo", "{\"round\": " + std::to_string(round) + ", \"by\": " + std::to_string(i) + "}",
            tag, "writer " + std::to_string(i));
      } catch (const EditConflictError&) {
        std::lock_guard<std::mutex> guard(mutex);
        ++conflicts;
      }
    };
    std::thread a(save, 0), b(save, 1);
    a.join();
    b.join();
    ASSERT_EQ(conflicts, 1) << "round " << round;
    const int winner = won[0] ? 0 : 1;
    EXPECT_EQ(mine->read_client_config_versioned("demo").version.tag, won[winner]->tag);
    EXPECT_EQ(other.read_client_config_versioned("demo").version.saved_by,
              "writer " + std::to_string(winner));
  }
}

}  // namespace
}  // namespace databus
