// The engine-specific halves of run_floor() (floor.h): each writes the
// floor's entries into a fresh store its engine has just created and
// closed, and returns the seconds the storage work took.
#pragma once

#include <filesystem>
#include <span>
#include <string>

#include "databus/database.h"
#include "databus/queue_entry.h"
#include "storage/sql/sql_codec.h"

namespace databus::bench {

// A fresh store made by opening its engine with `data_dir` and `arguments`,
// holding the configuration of client `client_id` and nothing else.
struct FloorStore {
  std::filesystem::path data_dir;
  DatabaseArguments arguments;
  std::string client_id;
};

// The status columns of the SQL engines' rows (sql_codec.h) that every
// floor entry shares, seated and complete: the entries of one floor have
// the same steps.
struct FloorStatuses {
  sql::EntryFlags seated;
  std::string seated_steps;
  std::string complete_steps;
  std::string log_guids;  // None.

  static FloorStatuses of(const QueueEntry& seated_entry);
};

// `entries` as the queue seats them (every step incomplete, notified); the
// floor stores them so, then marks them complete (sqlite, postgresql), or
// stores them complete (json_db, whose floor has one sync). The entries
// must have distinct internal ids and equal steps. json_db may change
// `entries`, and does so before it starts the clock.
double sqlite_floor(const FloorStore& store, std::span<QueueEntry> entries);
double postgresql_floor(const FloorStore& store, std::span<QueueEntry> entries);
double json_db_floor(const FloorStore& store, std::span<QueueEntry> entries);

// Drops the schema `arguments` name, with everything in it.
void drop_postgresql_schema(const DatabaseArguments& arguments);

}  // namespace databus::bench
