#include "storage/sqlite/sqlite_write_behind.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/resource.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "databus/uuid.h"

namespace databus {
namespace {

namespace stdfs = std::filesystem;

class SqliteWriteBehindTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = stdfs::temp_directory_path() / ("databus_write_behind_test_" + new_uuid());
    stdfs::create_directories(dir_);
    file_ = (dir_ / "test.sqlite").string();
  }
  void TearDown() override { stdfs::remove_all(dir_); }

  // A connection through the write-behind VFS (or the default one), set up
  // as the engine does: WAL, synchronous=FULL. A tiny page cache makes a
  // large transaction spill to the log and read its pages back from it.
  sqlite3* open(bool write_behind) {
    sqlite3* db = nullptr;
    const char* vfs = write_behind ? sqlite_write_behind_vfs() : nullptr;
    EXPECT_EQ(sqlite3_open_v2(file_.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, vfs),
              SQLITE_OK);
    exec(db,
         "PRAGMA page_size=4096; PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
         "PRAGMA cache_size=8;");
    return db;
  }

  static int exec(sqlite3* db, const std::string& sql) {
    return sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
  }

  static std::int64_t number(sqlite3* db, const std::string& sql) {
    sqlite3_stmt* q = nullptr;
    std::int64_t value = -1;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &q, nullptr) == SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW) {
      value = sqlite3_column_int64(q, 0);
    }
    sqlite3_finalize(q);
    return value;
  }

  // Inserts rows [first, first + n) of 1 KiB, indexed by a scattered key.
  static int insert_rows(sqlite3* db, int first, int n) {
    const std::string sql =
        "WITH RECURSIVE k(i) AS (SELECT " + std::to_string(first) +
        " UNION ALL SELECT i + 1 FROM k WHERE i + 1 < " + std::to_string(first + n) +
        ") INSERT INTO rows (id, scattered, body) SELECT i, (i * 7919) % 100003, "
        "printf('%.1024c', char(65 + i % 26)) FROM k";
    return exec(db, sql);
  }

  stdfs::path dir_;
  std::string file_;
};

TEST_F(SqliteWriteBehindTest, IsRegistered) {
  ASSERT_NE(sqlite_write_behind_vfs(), nullptr);
  EXPECT_NE(sqlite3_vfs_find(sqlite_write_behind_vfs()), nullptr);
  EXPECT_NE(sqlite3_vfs_find(nullptr), sqlite3_vfs_find(sqlite_write_behind_vfs()))
      << "must not replace the default VFS";
}

// A transaction far larger than the cache reads back what it wrote while
// its writes are still queued, and another connection (the default VFS)
// sees every row once it committed.
TEST_F(SqliteWriteBehindTest, ALargeTransactionReadsItsOwnWritesAndCommitsThemAll) {
  sqlite3* db = open(true);
  ASSERT_EQ(exec(db,
                 "CREATE TABLE rows (id INTEGER PRIMARY KEY, scattered INTEGER, body TEXT); "
                 "CREATE INDEX rows_scattered ON rows (scattered)"),
            SQLITE_OK);
  ASSERT_EQ(exec(db, "BEGIN IMMEDIATE"), SQLITE_OK);
  ASSERT_EQ(insert_rows(db, 0, 5000), SQLITE_OK);
  // Reads pages written out of the cache moments ago, in index order.
  EXPECT_EQ(number(db, "SELECT count(*) FROM rows WHERE length(body) = 1024"), 5000);
  EXPECT_EQ(number(db, "SELECT sum(id) FROM rows INDEXED BY rows_scattered WHERE scattered >= 0"),
            5000LL * 4999 / 2);
  ASSERT_EQ(exec(db, "UPDATE rows SET body = upper(lower(body)) || 'x' WHERE id % 3 = 0"),
            SQLITE_OK);
  ASSERT_EQ(exec(db, "COMMIT"), SQLITE_OK);

  sqlite3* other = open(false);
  EXPECT_EQ(number(other, "SELECT count(*) FROM rows"), 5000);
  EXPECT_EQ(number(other, "SELECT count(*) FROM rows WHERE length(body) = 1025"), 1667);
  EXPECT_EQ(
      number(other, "SELECT count(*) FROM rows WHERE substr(body, 1, 1) != char(65 + id % 26)"), 0);
  sqlite3_close(other);
  // And after a checkpoint copied the log into the database file.
  EXPECT_EQ(exec(db, "PRAGMA wal_checkpoint(TRUNCATE)"), SQLITE_OK);
  EXPECT_EQ(number(db, "SELECT count(*) FROM rows"), 5000);
  sqlite3_close(db);
  other = open(false);
  EXPECT_EQ(number(other, "SELECT count(*) FROM rows"), 5000);
  sqlite3_stmt* check = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(other, "PRAGMA integrity_check", -1, &check, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(check), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(check, 0)), "ok");
  sqlite3_finalize(check);
  sqlite3_close(other);
}

// A rolled-back transaction may leave log writes queued (frames past the
// log's end); they are made before its connection gives up the write lock,
// so that they cannot land on the frames the next writer puts there. The
// next writer here is a connection of the default VFS, as another process
// would be.
TEST_F(SqliteWriteBehindTest, ARollbackLeavesNothingToLandOnTheNextWritersFrames) {
  sqlite3* behind = open(true);
  ASSERT_EQ(
      exec(behind, "CREATE TABLE rows (id INTEGER PRIMARY KEY, scattered INTEGER, body TEXT)"),
      SQLITE_OK);
  ASSERT_EQ(insert_rows(behind, 0, 10), SQLITE_OK);
  ASSERT_EQ(exec(behind, "PRAGMA wal_checkpoint(TRUNCATE)"), SQLITE_OK);  // An empty log.
  exec(behind, "PRAGMA cache_size=2");
  // Spills a few pages to the log: less than one run, which stays queued.
  ASSERT_EQ(exec(behind, "BEGIN IMMEDIATE"), SQLITE_OK);
  ASSERT_EQ(insert_rows(behind, 100, 12), SQLITE_OK);
  ASSERT_EQ(exec(behind, "ROLLBACK"), SQLITE_OK);

  sqlite3* other = open(false);
  ASSERT_EQ(insert_rows(other, 200, 5),
            SQLITE_OK);  // Its frames start where the rolled-back ones did.
  sqlite3_close(other);
  sqlite3_close(behind);  // Whatever it still had queued is written by now.

  sqlite3* reader = open(false);
  EXPECT_EQ(number(reader, "SELECT count(*) FROM rows"), 15);
  EXPECT_EQ(number(reader, "SELECT count(*) FROM rows WHERE id >= 200"), 5);
  sqlite3_close(reader);
}

// A log write that fails on the writer thread fails the commit that needed
// it; what was committed before stays. In a child process: the file size
// limit is the process's.
TEST_F(SqliteWriteBehindTest, AFailedLogWriteFailsTheCommit) {
  {
    sqlite3* db = open(true);
    ASSERT_EQ(exec(db, "CREATE TABLE rows (id INTEGER PRIMARY KEY, scattered INTEGER, body TEXT)"),
              SQLITE_OK);
    ASSERT_EQ(insert_rows(db, 0, 100), SQLITE_OK);
    sqlite3_close(db);  // Checkpoints: the log starts empty below.
  }
  EXPECT_EXIT(
      {
        std::signal(SIGXFSZ, SIG_IGN);  // Over the limit, write() fails with EFBIG instead.
        rlimit limit{};
        limit.rlim_cur = limit.rlim_max = 2 << 20;
        setrlimit(RLIMIT_FSIZE, &limit);
        sqlite3* db = open(true);
        // No spilling: every log write is queued at the commit, and the
        // commit's sync is the first call that can report a failed one.
        exec(db, "PRAGMA cache_size=-65536");
        exec(db, "BEGIN IMMEDIATE");
        const int inserted = insert_rows(db, 100, 5000);  // ~5 MiB of log.
        const int committed = exec(db, "COMMIT");
        std::exit(inserted != SQLITE_OK || committed != SQLITE_OK ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "");
  sqlite3* other = open(false);
  EXPECT_EQ(number(other, "SELECT count(*) FROM rows"), 100);
  sqlite3_close(other);
}

}  // namespace
}  // namespace databus
