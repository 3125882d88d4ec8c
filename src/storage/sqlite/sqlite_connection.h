// A thin RAII layer over the SQLite C API for the SQLite engine: one
// connection with its cache of prepared statements, a pool of connections to
// one database file, and a write transaction that serialises this process's
// writers on a mutex (cheaper and fairer than SQLite's sleeping busy handler).
//
// Every failure throws StorageError naming the file and what was being done.
//
// Thread-safety: a SqliteConnection is used by one thread at a time (the pool
// hands each out to one lease); SqlitePool is thread-safe.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "storage/sql/sql_query.h"

struct sqlite3;
struct sqlite3_stmt;

namespace databus {

class SqliteConnection;

// A prepared statement borrowed from a connection's cache. Binding indexes
// start at 1, column indexes at 0. Reset (bindings cleared) when the Query
// goes out of scope, so a cached statement never holds a read snapshot.
class SqliteQuery {
 public:
  SqliteQuery(SqliteConnection& connection, const std::string& sql);
  ~SqliteQuery();
  SqliteQuery(const SqliteQuery&) = delete;
  SqliteQuery& operator=(const SqliteQuery&) = delete;

  SqliteQuery& bind(int index, std::string_view text);
  SqliteQuery& bind(int index, std::int64_t value);
  // NULL when `value` is empty.
  SqliteQuery& bind(int index, std::optional<std::int64_t> value);
  SqliteQuery& bind_blob(int index, std::string_view bytes);
  // Bind without copying: the bytes must stay valid and unchanged until the
  // statement has run (and is reset, rewound or bound anew). For the rows of
  // a batch, whose strings outlive their statement's step.
  SqliteQuery& bind_unowned(int index, std::string_view text);
  SqliteQuery& bind_blob_unowned(int index, std::string_view bytes);
  SqliteQuery& bind_all(const std::vector<sql::Value>& values);

  // Steps once: true when a row is available, false when done.
  bool step();
  // Steps to the end; for statements that return no rows.
  void run();
  // Makes the statement ready to run again with new bindings.
  void reset();
  // Makes the statement ready to run again, keeping its bindings: for a loop
  // that binds every parameter anew on each row.
  void rewind();

  std::string text(int column) const;  // Also reads BLOBs, byte for byte.
  std::int64_t integer(int column) const;
  bool is_null(int column) const;

 private:
  SqliteConnection& connection_;
  sqlite3_stmt* statement_;
};

class SqliteConnection {
 public:
  // Opens (creating) the file, turns WAL journaling and synchronous=FULL on
  // and sets a busy timeout for writers of other processes.
  explicit SqliteConnection(std::filesystem::path path);
  ~SqliteConnection();
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  // Runs one or more statements without parameters.
  void exec(const std::string& sql);
  // Runs one statement without parameters, prepared once (BEGIN, COMMIT).
  void run(const std::string& sql);
  // Rows changed by the last INSERT, UPDATE or DELETE.
  std::int64_t changes() const;
  // The rowid (INTEGER PRIMARY KEY) of the row the last INSERT added.
  std::int64_t last_insert_rowid() const;

  // Runs COMMIT without syncing the log (SqliteWrite::commit_unsynced()).
  void commit_unsynced();

  // Throws StorageError "sqlite <path>: <what>: <SQLite's message>".
  [[noreturn]] void fail(std::string_view what) const;
  const std::filesystem::path& path() const { return path_; }

 private:
  friend class SqliteQuery;
  sqlite3_stmt* prepared(const std::string& sql);

  std::filesystem::path path_;
  sqlite3* db_ = nullptr;
  int autocheckpoint_pages_ = 0;  // PRAGMA wal_autocheckpoint, set when opened.
  std::unordered_map<std::string, sqlite3_stmt*> statements_;
};

// Up to `size` connections to one file, opened on demand.
class SqlitePool {
 public:
  SqlitePool(std::filesystem::path path, std::size_t size);

  class Lease {
   public:
    Lease(SqlitePool& pool, std::unique_ptr<SqliteConnection> connection)
        : pool_(&pool), connection_(std::move(connection)) {}
    Lease(Lease&&) = default;
    ~Lease();
    SqliteConnection& operator*() const { return *connection_; }
    SqliteConnection* operator->() const { return connection_.get(); }

   private:
    SqlitePool* pool_;
    std::unique_ptr<SqliteConnection> connection_;
  };

  // A free connection; waits while all `size` are in use.
  Lease acquire();
  const std::filesystem::path& path() const { return path_; }

 private:
  friend class SqliteWrite;
  const std::filesystem::path path_;
  const std::size_t size_;
  std::mutex mutex_;  // Guards idle_ and open_.
  std::condition_variable released_;
  std::vector<std::unique_ptr<SqliteConnection>> idle_;
  std::size_t open_ = 0;
  std::mutex write_mutex_;  // Held by the one SqliteWrite of this process; guards the below.
  // Every write of this pool goes through this one connection (opened on
  // the first write), so that its `PRAGMA data_version` tells commits of
  // other connections (other processes) from this pool's own.
  std::unique_ptr<SqliteConnection> writer_;
  std::int64_t data_version_ = -1;  // At the end of the last write; -1 before the first.
  std::uint64_t foreign_writes_ = 0;
};

// A write transaction (BEGIN IMMEDIATE) on the pool's write connection,
// holding the pool's write mutex. Rolled back unless commit() returned.
class SqliteWrite {
 public:
  explicit SqliteWrite(SqlitePool& pool);
  ~SqliteWrite();
  SqliteConnection& connection() { return *pool_.writer_; }
  // Commits; durable on return (WAL with synchronous=FULL syncs the log).
  void commit();
  // Commits without syncing the log: the commit survives the process
  // ending, not a power loss (Database::write_passenger_state_unsynced()).
  // The next commit's sync makes it durable with its own. With the default
  // VFS (the write-behind one could not be registered), as commit().
  void commit_unsynced();

  // Counts the transactions that found the file changed by another
  // connection (another process) since this pool's previous write: a
  // caller that keeps what it wrote in memory drops it when this moved.
  std::uint64_t foreign_writes() const { return pool_.foreign_writes_; }

 private:
  std::unique_lock<std::mutex> lock_;
  SqlitePool& pool_;
  bool done_ = false;
};

// A read transaction (one snapshot) on a leased connection.
class SqliteRead {
 public:
  explicit SqliteRead(SqlitePool& pool);
  ~SqliteRead();
  SqliteConnection& connection() { return *lease_; }

 private:
  SqlitePool::Lease lease_;
};

}  // namespace databus
