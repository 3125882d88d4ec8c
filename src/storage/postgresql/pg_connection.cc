#include "storage/postgresql/pg_connection.h"

#include <libpq-fe.h>

#include "databus/error.h"

namespace databus {

// --- PgSettings -------------------------------------------------------------------

PgSettings PgSettings::from_arguments(const DatabaseArguments& arguments) {
  PgSettings s;
  bool has_timeout = false;
  for (const auto& [key, value] : arguments) {
    if (key == "conninfo") {
      // libpq expands a connection string given as the first "dbname".
      s.keywords.insert(s.keywords.begin(), {"dbname", value});
      PQconninfoOption* options = PQconninfoParse(value.c_str(), nullptr);
      if (options == nullptr) {
        throw ConfigError("database_arguments", "conninfo",
                          "not a valid libpq connection string (value not shown)");
      }
      for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
        if (o->val == nullptr) continue;
        if (std::string_view(o->keyword) == "password" && *o->val) s.secrets.push_back(o->val);
        if (std::string_view(o->keyword) == "connect_timeout") has_timeout = true;
      }
      PQconninfoFree(options);
    } else if (key == "host" || key == "port" || key == "dbname" || key == "user") {
      s.keywords.emplace_back(key, value);
    } else if (key == "password") {
      s.keywords.emplace_back(key, value);
      if (!value.empty()) s.secrets.push_back(value);
    } else if (key == "schema") {
      if (value.empty()) throw ConfigError("database_arguments", key, "must not be empty");
      s.schema = value;
    } else {
      throw ConfigError("database_arguments", key, "unknown argument of the postgresql engine");
    }
  }
  // A server that does not answer must not hang a drive forever.
  if (!has_timeout) s.keywords.emplace_back("connect_timeout", "10");
  s.keywords.emplace_back("application_name", "databus");
  return s;
}

std::string PgSettings::scrub(std::string text) const {
  for (const std::string& secret : secrets) {
    for (std::size_t at = text.find(secret); at != std::string::npos;
         at = text.find(secret, at + 3)) {
      text.replace(at, secret.size(), "***");
    }
  }
  return text;
}

// --- PgResult ---------------------------------------------------------------------

PgResult::~PgResult() { PQclear(result_); }

int PgResult::rows() const { return PQntuples(result_); }

bool PgResult::is_null(int row, int column) const { return PQgetisnull(result_, row, column) != 0; }

std::string PgResult::text(int row, int column) const {
  return std::string(PQgetvalue(result_, row, column),
                     static_cast<std::size_t>(PQgetlength(result_, row, column)));
}

std::int64_t PgResult::integer(int row, int column) const {
  // Binary format: big-endian two's complement of the column's width.
  const auto* bytes = reinterpret_cast<const unsigned char*>(PQgetvalue(result_, row, column));
  const int width = PQgetlength(result_, row, column);
  std::uint64_t v = 0;
  for (int i = 0; i < width; ++i) v = (v << 8) | bytes[i];
  if (width > 0 && width < 8 && (bytes[0] & 0x80)) v |= ~std::uint64_t{0} << (8 * width);
  return static_cast<std::int64_t>(v);
}

std::string PgResult::command() const { return PQcmdStatus(result_); }

std::int64_t PgResult::affected() const {
  const char* n = PQcmdTuples(result_);
  return (n == nullptr || *n == '\0') ? 0 : std::stoll(n);
}

// --- PgConnection -------------------------------------------------------------------

PgConnection::PgConnection(const PgSettings& settings) : settings_(settings) {
  std::vector<const char*> keys;
  std::vector<const char*> values;
  for (const auto& [key, value] : settings.keywords) {
    keys.push_back(key.c_str());
    values.push_back(value.c_str());
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);
  conn_ = PQconnectdbParams(keys.data(), values.data(), /*expand_dbname=*/1);
  if (conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK) {
    const std::string message = conn_ ? PQerrorMessage(conn_) : "out of memory";
    PQfinish(conn_);
    conn_ = nullptr;
    throw StorageError(settings.scrub("postgresql: cannot connect: " + message));
  }
  // Notices ("schema already exists, skipping") are not for our users.
  PQsetNoticeProcessor(
      conn_, [](void*, const char*) {}, nullptr);
  char* schema = PQescapeIdentifier(conn_, settings.schema.data(), settings.schema.size());
  if (schema == nullptr) {
    const std::string message = PQerrorMessage(conn_);
    PQfinish(conn_);
    throw ConfigError("database_arguments", "schema", "invalid schema name: " + message);
  }
  const std::string quoted = schema;
  PQfreemem(schema);
  try {
    run("SET search_path TO " + quoted);
  } catch (...) {
    PQfinish(conn_);
    throw;
  }
}

PgConnection::~PgConnection() { PQfinish(conn_); }

PgResult PgConnection::run(const std::string& sql, const PgParams& params) {
  std::vector<const char*> values;
  std::vector<int> lengths;
  std::vector<int> formats;
  for (const PgParam& p : params) {
    values.push_back(p.value.data());
    lengths.push_back(static_cast<int>(p.value.size()));
    formats.push_back(p.binary ? 1 : 0);
  }
  pg_result* raw = PQexecParams(conn_, sql.c_str(), static_cast<int>(params.size()), nullptr,
                                values.data(), lengths.data(), formats.data(),
                                /*resultFormat=*/1);
  check(raw, sql);
  return PgResult(raw);
}

void PgConnection::run_script(const std::string& sql) {
  pg_result* raw = PQexec(conn_, sql.c_str());
  check(raw, sql);
  PQclear(raw);
}

void PgConnection::copy_in(const std::string& sql, const std::function<bool(std::string&)>& next) {
  pg_result* started = PQexec(conn_, sql.c_str());
  if (started == nullptr || PQresultStatus(started) != PGRES_COPY_IN) {
    check(started, sql);  // Throws for a refused statement.
    PQclear(started);
    throw StorageError("postgresql " + where() + ": " + sql.substr(0, 60) + " is not a COPY FROM");
  }
  PQclear(started);
  std::string chunk;
  bool more = true;
  while (more) {
    chunk.clear();
    more = next(chunk);
    if (!chunk.empty() && PQputCopyData(conn_, chunk.data(), static_cast<int>(chunk.size())) != 1) {
      break;  // The connection failed; the result below says why.
    }
  }
  PQputCopyEnd(conn_, more ? "the data could not be sent" : nullptr);
  pg_result* ended = PQgetResult(conn_);
  check(ended, sql);
  PQclear(ended);
  while (pg_result* rest = PQgetResult(conn_)) PQclear(rest);
}

void PgConnection::check(pg_result* raw, const std::string& sql) {
  const ExecStatusType status = raw ? PQresultStatus(raw) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    const char* state = raw ? PQresultErrorField(raw, PG_DIAG_SQLSTATE) : nullptr;
    sqlstate_ = state ? state : "";
    std::string message = raw ? PQresultErrorMessage(raw) : PQerrorMessage(conn_);
    PQclear(raw);
    while (!message.empty() && (message.back() == '\n' || message.back() == ' '))
      message.pop_back();
    throw StorageError(settings_.scrub("postgresql " + where() + ": running " + sql.substr(0, 60) +
                                       ": " + message));
  }
}

std::string PgConnection::where() const {
  return std::string(PQhost(conn_)) + ":" + PQport(conn_) + "/" + PQdb(conn_);
}

bool PgConnection::healthy() const { return PQstatus(conn_) == CONNECTION_OK; }

// --- PgPool -------------------------------------------------------------------------

PgPool::PgPool(PgSettings settings, std::size_t size)
    : settings_(std::move(settings)), size_(size) {}

PgPool::Lease::~Lease() {
  if (!connection_) return;
  std::lock_guard<std::mutex> guard(pool_->mutex_);
  if (connection_->healthy()) {
    pool_->idle_.push_back(std::move(connection_));
  } else {
    connection_.reset();
    --pool_->open_;
  }
  pool_->released_.notify_one();
}

PgPool::Lease PgPool::acquire() {
  std::unique_lock<std::mutex> lock(mutex_);
  released_.wait(lock, [&] { return !idle_.empty() || open_ < size_; });
  if (!idle_.empty()) {
    std::unique_ptr<PgConnection> connection = std::move(idle_.back());
    idle_.pop_back();
    return Lease(*this, std::move(connection));
  }
  ++open_;
  lock.unlock();
  try {
    return Lease(*this, std::make_unique<PgConnection>(settings_));
  } catch (...) {
    lock.lock();
    --open_;
    released_.notify_one();
    throw;
  }
}

// --- PgTransaction --------------------------------------------------------------------

PgTransaction::PgTransaction(PgPool& pool, const char* begin) : lease_(pool.acquire()) {
  lease_->run(begin);
}

PgTransaction::~PgTransaction() {
  if (done_) return;
  try {
    lease_->run("ROLLBACK");
  } catch (const StorageError&) {
    // The connection broke; the server rolled back and the pool drops it.
  }
}

void PgTransaction::commit() {
  const PgResult result = lease_->run("COMMIT");
  done_ = true;
  // COMMIT of a transaction that failed earlier answers "ROLLBACK".
  if (result.command() == "ROLLBACK") throw StorageError("postgresql: transaction rolled back");
}

}  // namespace databus
