// The PostgreSQL engine: every client in one PostgreSQL schema, for
// production and, later, several nodes sharing one database (docs/architecture.md "Layers").
// Stores exactly what the JSON DB stores: client configurations (users
// included), customizing backups, queue entries with attachments (bytea) and
// logs.
//
// Batches: insert_entries() and update_entries() are one transaction each,
// made of multi-row statements, so a batch costs a handful of round trips and
// one WAL flush however many entries it holds. Every write is durable on
// return (synchronous_commit=on, the server's default; a server configured
// with it off loses that promise).
//
// Thread-safety: as Database (a small pool of connections).
#pragma once

#include <memory>

#include "databus/database.h"
#include "databus/registry.h"

namespace databus {

// name "postgresql", alias "databus.database.postgresql"; arguments host,
// port, dbname, user, password, schema (default "public"), conninfo.
ComponentSpec postgresql_database_spec();

// Connects, creates the schema and its tables when missing and migrates an
// older schema. Arguments left out take libpq's defaults (PGHOST, PGPORT, ...
// environment variables, then the local socket). Throws ConfigError naming
// the key for an unknown argument, StorageError when the server cannot be
// reached or refuses; no message ever holds the password.
std::unique_ptr<Database> open_postgresql_database(const DatabaseEnv& env);

}  // namespace databus
