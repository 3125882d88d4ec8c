// The floor of a storage engine (issue 22): the least work its storage must
// do for workload W1 with no driver, measured on this machine so that a
// workload's rate can be read as a share of what the storage allows
// (docs/performance.md, "Floors and the inbox under load").
//
// For N passengers of one text attachment each, the floor stores the same
// entries and attachments as a drive seats them (every step incomplete, the
// puller notified), durably, then marks them all complete, durably:
//
//   sqlite      one transaction of prepared inserts into the engine's tables
//               and indexes, committed; one UPDATE of the statuses (and the
//               DELETE of the open-entry rows completing implies), committed:
//               two commits, on a connection with the engine's pragmas (WAL,
//               synchronous=FULL).
//   postgresql  COPY of the entries and of the attachments, committed; one
//               UPDATE marking them complete, committed: two commits.
//   json_db     each entry's folder with passenger.json (complete) and its
//               attachment file, written on one thread per core, then one
//               syncfs(): no journal, no staging rename.
//
// The store is fresh and of the same engine: it is created by opening the
// engine itself (its own schema creation, so the floor cannot drift from
// it), closed, written by the floor, and opened again by the engine to count
// the complete entries, which checks that the floor wrote what the engine
// reads. The timed part is the storage work alone; the rows are made before.
#pragma once

#include <cstddef>
#include <string>

#include "databus/database.h"

namespace databus::bench {

struct FloorOptions {
  // json_db, sqlite or postgresql (the memory engine has no storage).
  std::string database = "json_db";
  // The engine's arguments: postgresql's connection (its `schema` is
  // replaced by a fresh one, dropped afterwards); sqlite's `path` is not
  // taken (the floor's file is under its temporary directory).
  DatabaseArguments database_arguments;
  std::size_t passengers = 10000;
  std::size_t attachment_bytes = 1024;
  // Steps per entry, as in the workload (their statuses are stored).
  int processors = 1;
  int pushers = 1;
};

struct FloorResult {
  std::string engine;
  std::size_t passengers = 0;
  double seconds = 0;        // The storage work, both commits included.
  std::size_t complete = 0;  // Complete entries the engine reads afterwards.

  double rate() const { return seconds > 0 ? passengers / seconds : 0; }
  // "engine=E workload=floor passengers=N seconds=S rate=R/s complete=C".
  std::string line() const;
};

// True for the engines run_floor() measures.
bool has_floor(const std::string& database);
// Throws std::invalid_argument naming the engine unless has_floor().
void require_floor(const std::string& database);

// Measures the floor on a fresh store, removed afterwards (a temporary
// directory; postgresql: a fresh schema, dropped). Throws
// std::invalid_argument naming the option for an engine without a floor or
// no passengers; StorageError / ConfigError when the store cannot be made
// or written.
FloorResult run_floor(const FloorOptions& options);

}  // namespace databus::bench
