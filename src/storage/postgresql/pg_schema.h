// The PostgreSQL engine's tables and their migrations, in the schema the
// `schema` argument names (created when missing). The version is kept in
// <schema>.schema_version.
#pragma once

#include "storage/postgresql/pg_connection.h"

namespace databus {

inline constexpr int kPgSchemaVersion = 9;

// Creates the schema and tables on first use and applies the missing
// migrations, in one transaction that holds an advisory lock, so that several
// Databus processes starting at once migrate once. Throws StorageError when
// the schema is of a newer version than this Databus knows. Stops at
// `target` (tests make schemas of older versions with it).
void migrate_pg_schema(PgPool& pool, int target = kPgSchemaVersion);

}  // namespace databus
