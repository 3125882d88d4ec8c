// The SQLite engine's tables and their migrations. The version is kept in
// schema_version; open_sqlite_database() brings a file up to kSqliteSchemaVersion
// (and refuses a file written by a newer Databus).
#pragma once

#include "storage/sqlite/sqlite_connection.h"

namespace databus {

inline constexpr int kSqliteSchemaVersion = 8;

// Creates the tables on first use and applies the missing migrations up to
// `target` (tests make files of older versions with it), in one write
// transaction. Throws StorageError when the file is of a newer schema.
void migrate_sqlite_schema(SqlitePool& pool, int target = kSqliteSchemaVersion);

}  // namespace databus
