// A thin RAII layer over libpq for the PostgreSQL engine: connection
// settings from the engine arguments, one connection, results, a pool and a
// transaction. Parameters travel separately from the SQL text (text format,
// bytea in binary); results come in binary format so that bytea and integers
// need no parsing.
//
// Secrets: every message this layer throws has the password removed, also
// when libpq quotes a conninfo string back.
//
// Thread-safety: a PgConnection is used by one thread at a time (one lease);
// PgPool is thread-safe.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "databus/database.h"

struct pg_conn;
struct pg_result;

namespace databus {

// What a connection is made from: libpq keywords and values, the schema
// holding Databus's tables, and the secrets to keep out of messages.
struct PgSettings {
  std::vector<std::pair<std::string, std::string>> keywords;  // A "conninfo" first, if given.
  std::string schema = "public";
  std::vector<std::string> secrets;

  // From the engine arguments host, port, dbname, user, password, schema and
  // conninfo (a libpq connection string; the others override its parts).
  // Throws ConfigError naming the key for any other argument.
  static PgSettings from_arguments(const DatabaseArguments& arguments);
  // `text` with every secret replaced by "***".
  std::string scrub(std::string text) const;
};

// One parameter: text (format 0) or bytes for a bytea (format 1).
struct PgParam {
  std::string value;
  bool binary = false;
};
using PgParams = std::vector<PgParam>;

class PgResult {
 public:
  explicit PgResult(pg_result* result) : result_(result) {}
  ~PgResult();
  PgResult(PgResult&& other) noexcept : result_(std::exchange(other.result_, nullptr)) {}
  PgResult(const PgResult&) = delete;
  PgResult& operator=(const PgResult&) = delete;

  int rows() const;
  bool is_null(int row, int column) const;
  std::string text(int row, int column) const;      // Text, varchar and bytea: the bytes.
  std::int64_t integer(int row, int column) const;  // smallint, integer or bigint.
  // Rows an INSERT, UPDATE or DELETE touched.
  std::int64_t affected() const;
  // The command tag, e.g. "COMMIT" or "ROLLBACK".
  std::string command() const;

 private:
  pg_result* result_;
};

class PgConnection {
 public:
  // Connects and sets the search path to the settings' schema. Throws
  // StorageError (scrubbed) when the server cannot be reached or refuses.
  explicit PgConnection(const PgSettings& settings);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // Runs `sql` with `params` and returns the (binary) result. Throws
  // StorageError naming what failed; `sqlstate()` then tells why.
  PgResult run(const std::string& sql, const PgParams& params = {});
  // Runs several statements separated by ';', without parameters.
  void run_script(const std::string& sql);
  // Runs `sql`, a COPY ... FROM STDIN, sending what `next` appends to its
  // (emptied) argument in the COPY format the statement names, until `next`
  // returns false (its last text is sent too). Throws StorageError naming
  // the statement when the server refuses the statement or the data.
  void copy_in(const std::string& sql, const std::function<bool(std::string&)>& next);
  // The SQLSTATE of the last failed run() ("23505": unique violation).
  const std::string& sqlstate() const { return sqlstate_; }

  // "host:port/dbname", for describe(); never the password.
  std::string where() const;
  // False after the server closed the connection; the pool drops it then.
  bool healthy() const;

 private:
  const PgSettings& settings_;
  // Throws StorageError for a failed result (consumed) naming `sql`.
  void check(pg_result* raw, const std::string& sql);

  pg_conn* conn_ = nullptr;
  std::string sqlstate_;
};

// Up to `size` connections, opened on demand; broken ones are replaced.
class PgPool {
 public:
  PgPool(PgSettings settings, std::size_t size);

  class Lease {
   public:
    Lease(PgPool& pool, std::unique_ptr<PgConnection> connection)
        : pool_(&pool), connection_(std::move(connection)) {}
    Lease(Lease&&) = default;
    ~Lease();
    PgConnection& operator*() const { return *connection_; }
    PgConnection* operator->() const { return connection_.get(); }

   private:
    PgPool* pool_;
    std::unique_ptr<PgConnection> connection_;
  };

  Lease acquire();
  const PgSettings& settings() const { return settings_; }

 private:
  const PgSettings settings_;
  const std::size_t size_;
  std::mutex mutex_;  // Guards idle_ and open_.
  std::condition_variable released_;
  std::vector<std::unique_ptr<PgConnection>> idle_;
  std::size_t open_ = 0;
};

// A transaction on a leased connection; rolled back unless commit() returned.
// Durable on commit with the server's default synchronous_commit=on.
class PgTransaction {
 public:
  explicit PgTransaction(PgPool& pool, const char* begin = "BEGIN");
  ~PgTransaction();
  PgConnection& connection() { return *lease_; }
  PgResult run(const std::string& sql, const PgParams& params = {}) {
    return lease_->run(sql, params);
  }
  void run_script(const std::string& sql) { lease_->run_script(sql); }
  void commit();

 private:
  PgPool::Lease lease_;
  bool done_ = false;
};

}  // namespace databus
