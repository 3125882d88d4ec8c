// A thin RAII layer over unixODBC for the SQL connectors: one connection,
// statements with bound parameters, rows fetched one at a time (the driver
// fetches them in batches), text as UTF-8 whatever the driver's own encoding
// (it is exchanged as UTF-16, SQL_C_WCHAR). Errors carry the driver's
// diagnostics with the connection's secrets replaced by "***".
//
// Thread-safety: a Connection and its statements serve one thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace databus::odbc {

// A value going to or coming from the database.
struct Value {
  enum class Kind { null, integer, real, boolean, text, timestamp, binary };
  Kind kind = Kind::null;
  std::int64_t integer = 0;
  double real = 0;
  bool boolean = false;
  // text: UTF-8; binary: any bytes; timestamp: "YYYY-MM-DDTHH:MM:SS.ffffff"
  // (as the database holds it, no zone).
  std::string text;

  static Value null_value() { return {}; }
  static Value of_integer(std::int64_t v) { return {Kind::integer, v}; }
  static Value of_text(std::string v) { return {Kind::text, 0, 0, false, std::move(v)}; }
  static Value of_timestamp(std::string v) { return {Kind::timestamp, 0, 0, false, std::move(v)}; }
};

// A column of a result.
struct Column {
  std::string name;
  // How its values are read: integer, real, boolean, timestamp, binary or
  // text (everything else, decimals and dates included, as the driver's text).
  Value::Kind kind = Value::Kind::text;
};

class Connection;

// One executed statement and its result, read row by row.
class Cursor {
 public:
  Cursor(Cursor&&) noexcept;
  ~Cursor();
  const std::vector<Column>& columns() const { return columns_; }
  // Reads the next row into `row` (one Value per column). False at the end.
  bool next(std::vector<Value>& row);

 private:
  friend class Connection;
  struct Handle;
  Cursor(std::unique_ptr<Handle> handle, const Connection& connection);
  std::unique_ptr<Handle> handle_;
  const Connection* connection_;
  std::vector<Column> columns_;
};

class Connection {
 public:
  // Connects with a complete connection string (SQL_DRIVER_NOPROMPT).
  // `secrets` are the values never to show in messages. Throws Error
  // naming the driver's diagnostics (secrets replaced) on failure.
  Connection(const std::string& connection_string, std::vector<std::string> secrets,
             std::chrono::seconds login_timeout);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // What the driver says the database is (SQL_DBMS_NAME), e.g.
  // "PostgreSQL", "SQLite", "MariaDB", "MySQL", "Microsoft SQL Server".
  const std::string& dbms() const { return dbms_; }

  // Runs `sql` with `params` bound to its `?` in order; returns the rows
  // it changed (-1 when the driver does not say).
  std::int64_t execute(const std::string& sql, const std::vector<Value>& params);
  // Runs a query and opens its result. The Cursor must not outlive the
  // Connection.
  Cursor query(const std::string& sql, const std::vector<Value>& params);

  // Transactions: begin() turns autocommit off; commit() and rollback() end
  // the transaction and turn it back on.
  void begin();
  void commit();
  void rollback() noexcept;

  // Throws Error "<what>: <diagnostics>" for a failed call on `handle`.
  [[noreturn]] void fail(short handle_type, void* handle, const std::string& what) const;

 private:
  void* env_ = nullptr;
  void* dbc_ = nullptr;
  std::vector<std::string> secrets_;
  std::string dbms_;
};

// Every driver name registered with unixODBC (odbcinst.ini): the drivers
// the operator installed.
std::vector<std::string> installed_drivers();

// UTF-8 <-> UTF-16 (SQLWCHAR). Invalid UTF-8 bytes become U+FFFD.
std::u16string to_utf16(const std::string& text);
std::string to_utf8(const std::u16string& text);

}  // namespace databus::odbc
