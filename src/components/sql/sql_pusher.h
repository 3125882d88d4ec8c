// "databus.pusher.sql": each passenger becomes rows of a table
// (docs/connectors.md, "SQL databases").
//
// push() reads the passenger's JSON attachment (`attachment`, or the first
// whose name ends in .json), takes its rows (the array at `rows_pointer`, an
// array attachment's elements, or the object itself) and writes each as one
// row: `columns` maps a column to a JSON pointer into the row or to
// $internal_id, $external_id, $source_system or $attachment_name; a missing
// value is NULL. Values are bound parameters; table and column names must
// be plain identifiers (schema.table allowed), never quoted text.
//
// All rows of a passenger are written in one transaction: a failure rolls
// them all back and throws (retried at the next drive). With `key`, each
// row is an upsert on those columns in the database's own form
// (PostgreSQL and SQLite: ON CONFLICT ... DO UPDATE; MariaDB and MySQL: ON
// DUPLICATE KEY UPDATE; others: MERGE), so a push repeated after a crash
// changes nothing; without it, plain INSERTs (a repeated push inserts
// again unless a unique column, such as $internal_id, refuses it).
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "components/sql/connection_string.h"
#include "databus/pusher.h"
#include "databus/registry.h"

namespace databus {

inline constexpr char kSqlPusherModule[] = "databus.pusher.sql";

namespace odbc {
class Connection;
}

class SqlPusher : public Pusher {
 public:
  // Throws ConfigError naming the setting for a bad value.
  explicit SqlPusher(const ComponentEnv& env);
  ~SqlPusher() override;
  void push(DriveContext& ctx, QueueEntry& entry) override;

 private:
  std::string module_;
  sql::ConnectionTarget target_;
  std::string table_;
  std::vector<std::pair<std::string, std::string>> columns_;  // Column -> source.
  std::vector<std::string> key_;
  std::string attachment_;
  std::string rows_pointer_;
  int login_timeout_seconds_ = 30;
  std::unique_ptr<odbc::Connection> connection_;  // Opened at the first push.
  std::string statement_;                         // For connection_'s dialect.
};

ComponentSpec sql_pusher_spec();

namespace sql_internal {

// The statement writing one row of `columns` into `table` for the database
// `dbms` (SQL_DBMS_NAME): an INSERT, or with `key` the dialect's upsert.
// One `?` per column, in order (MERGE: the same).
std::string upsert_statement(const std::string& dbms, const std::string& table,
                             const std::vector<std::string>& columns,
                             const std::vector<std::string>& key);

// True for a plain SQL identifier ([A-Za-z_][A-Za-z0-9_]*), or with
// `dotted` such identifiers joined by dots (schema.table).
bool is_identifier(const std::string& name, bool dotted);

}  // namespace sql_internal

}  // namespace databus
