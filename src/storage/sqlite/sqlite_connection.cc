#include "storage/sqlite/sqlite_connection.h"

#include <sqlite3.h>

#include <mutex>

#include "databus/error.h"
#include "storage/sqlite/sqlite_write_behind.h"

namespace databus {

// --- SqliteQuery ----------------------------------------------------------------

SqliteQuery::SqliteQuery(SqliteConnection& connection, const std::string& sql)
    : connection_(connection), statement_(connection.prepared(sql)) {}

SqliteQuery::~SqliteQuery() { reset(); }

void SqliteQuery::reset() {
  sqlite3_reset(statement_);
  sqlite3_clear_bindings(statement_);
}

void SqliteQuery::rewind() { sqlite3_reset(statement_); }

SqliteQuery& SqliteQuery::bind(int index, std::string_view text) {
  if (sqlite3_bind_text64(statement_, index, text.data(), text.size(), SQLITE_TRANSIENT,
                          SQLITE_UTF8) != SQLITE_OK) {
    connection_.fail("binding a parameter");
  }
  return *this;
}

SqliteQuery& SqliteQuery::bind(int index, std::int64_t value) {
  if (sqlite3_bind_int64(statement_, index, value) != SQLITE_OK) {
    connection_.fail("binding a parameter");
  }
  return *this;
}

SqliteQuery& SqliteQuery::bind(int index, std::optional<std::int64_t> value) {
  if (value) return bind(index, *value);
  if (sqlite3_bind_null(statement_, index) != SQLITE_OK) connection_.fail("binding a parameter");
  return *this;
}

SqliteQuery& SqliteQuery::bind_blob(int index, std::string_view bytes) {
  // A zero-length blob, not NULL, for empty content.
  const int rc = bytes.empty() ? sqlite3_bind_zeroblob(statement_, index, 0)
                               : sqlite3_bind_blob64(statement_, index, bytes.data(), bytes.size(),
                                                     SQLITE_TRANSIENT);
  if (rc != SQLITE_OK) connection_.fail("binding a parameter");
  return *this;
}

SqliteQuery& SqliteQuery::bind_unowned(int index, std::string_view text) {
  if (sqlite3_bind_text64(statement_, index, text.data(), text.size(), SQLITE_STATIC,
                          SQLITE_UTF8) != SQLITE_OK) {
    connection_.fail("binding a parameter");
  }
  return *this;
}

SqliteQuery& SqliteQuery::bind_blob_unowned(int index, std::string_view bytes) {
  if (bytes.empty()) return bind_blob(index, bytes);
  if (sqlite3_bind_blob64(statement_, index, bytes.data(), bytes.size(), SQLITE_STATIC) !=
      SQLITE_OK) {
    connection_.fail("binding a parameter");
  }
  return *this;
}

SqliteQuery& SqliteQuery::bind_all(const std::vector<sql::Value>& values) {
  int index = 0;
  for (const sql::Value& v : values) {
    ++index;
    if (const auto* text = std::get_if<std::string>(&v)) {
      bind(index, std::string_view(*text));
    } else {
      bind(index, std::get<std::int64_t>(v));
    }
  }
  return *this;
}

bool SqliteQuery::step() {
  const int rc = sqlite3_step(statement_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  connection_.fail(std::string("running ") + sqlite3_sql(statement_));
}

void SqliteQuery::run() {
  while (step()) {
  }
}

std::string SqliteQuery::text(int column) const {
  const void* data = sqlite3_column_blob(statement_, column);
  const int size = sqlite3_column_bytes(statement_, column);
  if (data == nullptr) return {};
  return std::string(static_cast<const char*>(data), static_cast<std::size_t>(size));
}

std::int64_t SqliteQuery::integer(int column) const {
  return sqlite3_column_int64(statement_, column);
}

bool SqliteQuery::is_null(int column) const {
  return sqlite3_column_type(statement_, column) == SQLITE_NULL;
}

// --- SqliteConnection -------------------------------------------------------------

namespace {

// Before SQLite's first use in the process: no memory statistics, which
// SQLite otherwise keeps under a global mutex on every allocation (a
// measurable share of a drive's status writes). Has no effect (SQLITE_MISUSE,
// ignored) when the application initialised SQLite before.
void configure_sqlite_once() {
  static std::once_flag once;
  std::call_once(once, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
}

}  // namespace

SqliteConnection::SqliteConnection(std::filesystem::path path) : path_(std::move(path)) {
  configure_sqlite_once();
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  // Registered after configure_sqlite_once(), which must precede SQLite's
  // initialisation.
  if (sqlite3_open_v2(path_.c_str(), &db_, flags, sqlite_write_behind_vfs()) != SQLITE_OK) {
    const std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw StorageError("sqlite " + path_.string() + ": cannot open: " + message);
  }
  sqlite3_extended_result_codes(db_, 1);
  // Writers of other processes wait; writers of this one queue on the pool's
  // write mutex first.
  sqlite3_busy_timeout(db_, 30000);
  // Durable on return (database.h): WAL with synchronous=FULL syncs the log
  // at every commit. NORMAL would be faster but may lose the last commits on
  // power loss, which the contract does not allow.
  // Pages of 16 KiB for a new file (an existing one keeps its size): a
  // commit writes each changed page to the log with two system calls, and a
  // drive's batches change many neighbouring pages (W1 -12 %,
  // docs/performance.md "SQLite: schema 3").
  exec("PRAGMA page_size=16384;");
  exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=OFF;");
  // Checkpoints (copying the log into the database file, with a sync) at
  // 64 MiB of log rather than 4 MiB: a drive rewrites each entry's row a few
  // times, and one checkpoint then copies a page once instead of once per
  // write. Durability does not depend on it: a commit syncs the log.
  std::int64_t page_size = 4096;
  {
    SqliteQuery q(*this, "PRAGMA page_size");
    if (q.step()) page_size = q.integer(0);
  }
  autocheckpoint_pages_ = static_cast<int>((std::int64_t{64} << 20) / page_size);
  sqlite3_wal_autocheckpoint(db_, autocheckpoint_pages_);
  // A page cache of up to 64 MiB per connection (the default is 2 MiB): a
  // drive reads back the rows it wrote a moment ago, and rereading them
  // through the operating system costs a system call per page.
  exec("PRAGMA cache_size=-65536;");
  // Temporary tables (the purge's list of keys) in memory, not in a file.
  exec("PRAGMA temp_store=MEMORY;");
}

SqliteConnection::~SqliteConnection() {
  for (auto& [sql, statement] : statements_) sqlite3_finalize(statement);
  sqlite3_close(db_);
}

void SqliteConnection::exec(const std::string& sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    const std::string text = message ? message : sqlite3_errmsg(db_);
    sqlite3_free(message);
    throw StorageError("sqlite " + path_.string() + ": running " + sql.substr(0, 60) + ": " + text);
  }
}

void SqliteConnection::run(const std::string& sql) { SqliteQuery(*this, sql).run(); }

std::int64_t SqliteConnection::changes() const { return sqlite3_changes64(db_); }

std::int64_t SqliteConnection::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }

void SqliteConnection::fail(std::string_view what) const {
  throw StorageError("sqlite " + path_.string() + ": " + std::string(what) + ": " +
                     sqlite3_errmsg(db_));
}

sqlite3_stmt* SqliteConnection::prepared(const std::string& sql) {
  auto it = statements_.find(sql);
  if (it != statements_.end()) return it->second;
  // Query shapes are few, but bound the cache all the same.
  if (statements_.size() >= 128) {
    for (auto& [text, statement] : statements_) sqlite3_finalize(statement);
    statements_.clear();
  }
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                         &statement, nullptr) != SQLITE_OK) {
    fail("preparing " + sql);
  }
  statements_.emplace(sql, statement);
  return statement;
}

// --- SqlitePool ---------------------------------------------------------------------

SqlitePool::SqlitePool(std::filesystem::path path, std::size_t size)
    : path_(std::move(path)), size_(size) {}

SqlitePool::Lease::~Lease() {
  if (!connection_) return;
  std::lock_guard<std::mutex> guard(pool_->mutex_);
  pool_->idle_.push_back(std::move(connection_));
  pool_->released_.notify_one();
}

SqlitePool::Lease SqlitePool::acquire() {
  std::unique_lock<std::mutex> lock(mutex_);
  released_.wait(lock, [&] { return !idle_.empty() || open_ < size_; });
  if (!idle_.empty()) {
    std::unique_ptr<SqliteConnection> connection = std::move(idle_.back());
    idle_.pop_back();
    return Lease(*this, std::move(connection));
  }
  ++open_;
  lock.unlock();
  try {
    return Lease(*this, std::make_unique<SqliteConnection>(path_));
  } catch (...) {
    lock.lock();
    --open_;
    released_.notify_one();
    throw;
  }
}

// --- Transactions ---------------------------------------------------------------

SqliteWrite::SqliteWrite(SqlitePool& pool) : lock_(pool.write_mutex_), pool_(pool) {
  if (!pool_.writer_) {
    auto writer = std::make_unique<SqliteConnection>(pool_.path_);
    // SQLite's default 2 MiB rather than the readers' 64 MiB: past it, a
    // transaction's changed pages go to the log while it runs, where the
    // log's writer has them written out ahead of the commit
    // (sqlite_log_writer.h; a seat of 10,000 passengers: commit 26 ms ->
    // 3 ms, docs/performance.md). What a write reads back comes from the
    // log's queue or the operating system's cache of it.
    writer->exec("PRAGMA cache_size=-2048;");
    pool_.writer_ = std::move(writer);
  }
  SqliteConnection& c = *pool_.writer_;
  c.run("BEGIN IMMEDIATE");
  // Stable from here on: no other connection commits while this one holds
  // the write lock.
  std::int64_t version = 0;
  try {
    SqliteQuery q(c, "PRAGMA data_version");
    if (q.step()) version = q.integer(0);
  } catch (...) {
    c.run("ROLLBACK");
    throw;
  }
  if (pool_.data_version_ != version) ++pool_.foreign_writes_;
  pool_.data_version_ = version;
}

SqliteWrite::~SqliteWrite() {
  if (done_) return;
  try {
    pool_.writer_->run("ROLLBACK");
  } catch (const StorageError&) {
    // SQLite may have rolled back already (e.g. after an I/O error).
  }
}

void SqliteWrite::commit() {
  pool_.writer_->run("COMMIT");
  done_ = true;
}

void SqliteWrite::commit_unsynced() {
  pool_.writer_->commit_unsynced();
  done_ = true;
}

void SqliteConnection::commit_unsynced() {
  // What synchronous=NORMAL does for a commit, on this one only: the log is
  // written (the write-behind VFS still drains its queue before the commit
  // shows), not synced. A checkpoint must sync the log before it copies
  // frames into the database file, so none runs inside this commit.
  sqlite3_wal_autocheckpoint(db_, 0);
  try {
    const LogSyncsSkipped skipped;
    run("COMMIT");
  } catch (...) {
    sqlite3_wal_autocheckpoint(db_, autocheckpoint_pages_);
    throw;
  }
  sqlite3_wal_autocheckpoint(db_, autocheckpoint_pages_);
}

SqliteRead::SqliteRead(SqlitePool& pool) : lease_(pool.acquire()) { lease_->run("BEGIN"); }

SqliteRead::~SqliteRead() {
  try {
    lease_->run("COMMIT");
  } catch (const StorageError&) {
    try {
      lease_->run("ROLLBACK");  // Ends the snapshot all the same.
    } catch (const StorageError&) {
    }
  }
}

}  // namespace databus
