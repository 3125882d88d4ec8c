// The SQLite engine: every client in one database file, for a fast single
// node (docs/architecture.md "Layers"). Stores exactly what the JSON DB stores: client
// configurations (the "__databus__" text, users included), customizing
// backups, queue entries with their attachments (BLOBs) and logs.
//
// Batches: insert_entries() and update_entries() are one transaction each,
// so a batch costs one log sync. Journal: WAL with synchronous=FULL, so every
// write is durable on return and readers never block the writer. Several
// processes may open the same file (SQLite locks it); writers of this process
// queue on a mutex.
//
// Thread-safety: as Database (a small pool of connections).
#pragma once

#include <memory>

#include "databus/database.h"
#include "databus/registry.h"

namespace databus {

// name "sqlite", alias "databus.database.sqlite"; argument path=<file>.
ComponentSpec sqlite_database_spec();

// Opens (creating the file, its directory and the schema when missing, and
// migrating an older schema) the database at env.arguments["path"], default
// <env.data_dir>/databus.sqlite. Throws ConfigError naming the key for any
// other argument, StorageError when the file cannot be opened or is of a
// newer schema.
std::unique_ptr<Database> open_sqlite_database(const DatabaseEnv& env);

}  // namespace databus
